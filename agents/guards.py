"""Detectors for answers that try to game the grader or are not answers at all.

Candidate text is untrusted data: these checks find text addressed to the grader or interviewer
(and cut it out before anything is judged), bare keyword lists, non-answers and echoes.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from agents.text import content_words, split_sentences, words

# Text addressed to a grader, a model or a system rather than to the design problem.
_INJECTION = [
    r"\bignore\b.{0,40}\b(instruction|rubric|prompt|rule|above|previous|guideline|criteria)",
    r"\bdisregard\b.{0,40}\b(instruction|rubric|prompt|rule|above|previous)",
    r"\b(give|award|assign|grant|output|return|score|mark|rate)\b.{0,40}"
    r"\b(full|maximum|max|perfect|top|highest)\s+(mark|score|point|grade)s?",
    r"\b(score|rate|grade|mark)\b.{0,30}\b(4(\.0)?|four|5|10|100)\s*(/|out of|on every|for every|"
    r"in every|across)",
    r"\b(strong[_ ]hire|hire)\b.{0,30}\b(verdict|assign|give|output|mark)|"
    r"\b(assign|give|output|mark|recommend)\b.{0,30}\bstrong[_ ]hire",
    r"\b(note|message|instruction)s?\s+(to|for)\s+(the\s+)?(grader|evaluator|assessor|model|ai|"
    r"llm|reviewer|interviewer|system)",
    r"\b(grader|evaluator|grading assistant|assessor|scoring model)\b.{0,60}\b(must|should|shall|"
    r"will|is required|are required|need to)\b",
    r"\byou are (now )?(a|an|my|the)\b.{0,40}\b(assistant|grader|evaluator|model|ai|chatbot)",
    r"\b(rubric|scoring|grading)\s+(override|update|updated|change|changed|replaced)",
    r"\boverride\b.{0,20}\b(rubric|score|grading|instruction)",
    r"\b(reveal|show|print|repeat|tell me)\b.{0,40}\b(rubric|reference (answer|outline)|"
    r"system prompt|instructions|hidden)",
    r"\b(every|all) (rubric )?items? (is|are) (covered|satisfied|met)\b",
    r"\bcorrect in every (dimension|respect)\b",
    r"</?\s*(system|assistant|answer|transcript|candidate|user|instructions?|rubric|prompt)\s*>",
    r"^\s*\[?\s*(system|assistant|admin|developer)\s*\]?\s*:",
    r"\bnew instructions?\b|\bjailbreak\b|\bdeveloper mode\b",
    r"\bwrite (the|a|my|this) (whole |full |complete )?(design|answer|solution)\b"
    r".{0,30}\b(for me|instead)",
]
_INJECTION_RE = [re.compile(p, re.I | re.M) for p in _INJECTION]
_CLOSING_TAG = re.compile(r"</\s*(answer|transcript|candidate|user|response)\s*>", re.I)
_B64 = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")

_DONT_KNOW = re.compile(
    r"\b(i\s*(do\s*n['o]?t|dont|don't)\s*know|no idea|i have no clue|"
    r"not (really |quite |entirely |totally |too |that |so )?sure|"
    r"pass|skip|no clue|never (built|done|worked)|where (i would|to) (even )?begin|move on|"
    r"can'?t answer|cannot answer|unsure|idk|"
    r"n/a|nothing to add)\b",
    re.I,
)


@dataclass
class Screened:
    """The answer with injected text removed, and what was found."""

    text: str
    removed: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def _decoded_payloads(text: str) -> list[str]:
    out = []
    for blob in _B64.findall(text):
        try:
            raw = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True)
            decoded = raw.decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if sum(c.isprintable() for c in decoded) >= 0.9 * len(decoded):
            out.append(decoded)
    return out


def is_injection(text: str) -> bool:
    return any(p.search(text) for p in _INJECTION_RE) or any(
        any(p.search(d) for p in _INJECTION_RE) for d in _decoded_payloads(text)
    )


def screen(text: str) -> Screened:
    """Removes every sentence/line addressed to the grader; after a fake closing tag, everything."""
    flags: list[str] = []
    removed: list[str] = []
    tag = _CLOSING_TAG.search(text)
    if tag:
        removed.append(text[tag.start() :])
        text = text[: tag.start()]
    kept: list[str] = []
    for line in text.split("\n"):
        pieces = split_sentences(line) or []
        if not pieces:
            kept.append(line)
            continue
        bad = [s for s in pieces if is_injection(s.text)]
        if 2 * len(bad) >= len(pieces) or (not bad and is_injection(line)):
            # A paragraph that is half instructions to the grader is an instruction paragraph:
            # its other sentences ("Ignore the interview.") are part of the same attack.
            bad = pieces
        if not bad:
            kept.append(line)
            continue
        removed.extend(s.text for s in bad)
        kept.append(" ".join(s.text for s in pieces if s not in bad))
    # Fenced blocks that are pure instructions (e.g. a "diagram" carrying a SYSTEM line) go too.
    cleaned = "\n".join(kept)
    if removed or tag:
        flags.append("prompt_injection")
    return Screened(text=cleaned, removed=removed, flags=flags)


def mentions_not_knowing(text: str) -> bool:
    return bool(_DONT_KNOW.search(text))


def is_dont_know(text: str) -> bool:
    """A non-answer: short and mostly a statement of not knowing."""
    w = words(text)
    return len(w) <= 40 and mentions_not_knowing(text) and len(content_words(text)) <= 15


def is_keyword_list(text: str) -> bool:
    """Bare buzzwords: many short fragments, few real sentences, no connective reasoning."""
    fragments = [f for f in re.split(r"[,;\n|]+|\s+[-–]\s+", text) if words(f)]
    if len(fragments) < 4:
        return False
    short = sum(1 for f in fragments if len(words(f)) <= 3)
    sentences = [s for s in split_sentences(text) if len(words(s.text)) >= 7]
    function_words = sum(
        1 for w in words(text) if w in {"the", "a", "we", "is", "are", "to", "because", "so", "it"}
    )
    ratio = function_words / max(1, len(words(text)))
    return short / len(fragments) >= 0.7 and (len(sentences) <= 1 or ratio < 0.05)
