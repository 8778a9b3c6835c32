"""The offline interviewer's words: templates from `prompts/interviewer_phrases.yaml`, chosen with
deterministic variety (the same session and turn always read the same)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from agents.text import content_words, split_sentences, stem
from content.schema import RubricItem

PHRASES_PATH = Path(__file__).resolve().parents[2] / "prompts" / "interviewer_phrases.yaml"


class Phrases(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    opening: list[str] = Field(min_length=1)
    transition: list[str] = Field(min_length=1)
    overrun: list[str] = Field(min_length=1)
    covered_ack: str
    phase_covered: str
    you_said: str
    embedded_answer: str
    number_probe: list[str] = Field(min_length=1)
    number_working: str
    scale_probe: str
    contradiction: str
    mistake: list[str] = Field(min_length=1)
    vague: list[str] = Field(min_length=1)
    vague_list: list[str] = Field(min_length=1)
    phase_opening: dict[str, str]
    item_question: list[str] = Field(min_length=1)
    behaviour_question: str
    deepen: list[str] = Field(min_length=1)
    suppose: str
    concept_fallback: str
    clarify: list[str] = Field(min_length=1)
    clarify_unknown: str
    clarify_scope: str
    clarify_scope_rest: str
    assumption_ok: str
    behaviour_question_opening: str
    number_fixed: str
    unanswered: str
    redirect: list[str] = Field(min_length=1)
    narrower: str
    dont_know: list[str] = Field(min_length=1)
    off_topic: str
    wrap_up_done: str
    hint: dict[int, str]
    hint_nudge: str
    hint_nudge_size: str  # in the estimation phase: numbers, not a decision
    hint_section: str
    hint_note: str
    notice_offline: str
    notice_guard: str


@lru_cache(maxsize=1)
def phrases() -> Phrases:
    return Phrases.model_validate(yaml.safe_load(PHRASES_PATH.read_text(encoding="utf-8")))


def pick(options: list[str], seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return options[digest[0] % len(options)]


def topic(item: RubricItem) -> str:
    """What the interviewer asks about for an item ('what a throttled client receives'): it says
    what to talk about without giving away what a strong answer says."""
    return item.topic


# A question mark that ends a question: not one inside the candidate's words we quote ("You
# said "GET /top?n=100"") and not one inside a word or address ("/top?n=100").
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
_QUESTION_END = re.compile(r"\?(?!\w)")


def _question_end(text: str) -> re.Match[str] | None:
    return _QUESTION_END.search(_QUOTED.sub(lambda m: "_" * len(m[0]), text))


def asks(text: str) -> bool:
    """Whether the text asks a question of its own (a quoted "?" is the candidate's)."""
    return _question_end(text) is not None


def one_question(text: str) -> str:
    """Keeps everything up to and including the first question mark (one question per reply)."""
    first = _question_end(text)
    return text if first is None else text[: first.end()]


# A sentence of a probe that states the candidate's design, and the verbs that only say they made
# a choice ("You picked Cassandra." attributes no more than naming Cassandra did).
_PREMISE = re.compile(r"(?:You|Your)\b")
_QUOTING = re.compile(r"You (?:said|mentioned|named)\b")
_CHOICE = frozenset("chose choose picked pick keep put run want already".split())
PREMISE_SUPPORT = 0.5  # share of a premise's own words the candidate must have used
_UNIVERSAL = re.compile(r"\b(everything|all|every|only|always|never|nothing|none)\b", re.I)


def _stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def _held(text: str, theirs: set[str], generic: set[str]) -> float | None:
    """The share of `text`'s own words (beyond `generic`) found in `theirs`; None if it has none."""
    own = _stems(text) - generic
    return len(own & theirs) / len(own) if own else None


def _premise(text: str) -> str | None:
    """The part of a probe sentence that states the candidate's design: a statement ("Your
    session registry is in Redis."), or what comes before the semicolon of a question ("You keep
    holds in Redis; if the primary fails over, ...?")."""
    if not _PREMISE.match(text) or _QUOTING.match(text):
        return None
    if not text.endswith("?"):
        return text
    head, sep, _ = text.partition("; ")
    return head if sep else None


def _supported(premise: str, said: str, concept_words: Iterable[str]) -> bool:
    """Whether one sentence of the candidate's holds half the premise's own words, and its
    concept when it names one: "holds" said in one place and "Redis" in another is no "You keep
    holds in Redis"."""
    names = [w.lower() for w in concept_words if w.lower() in premise.lower()]
    choosing = _stems(" ".join(_CHOICE))
    if not _stems(premise) - choosing:
        return True
    # "You want everything in Elasticsearch" claims more than naming Elasticsearch: the
    # sentence that supports it must say "everything" (or "all", "only"...) too.
    universal = bool(_UNIVERSAL.search(premise))
    return any(
        (held := _held(premise, _stems(s.text), choosing)) is not None
        and held >= PREMISE_SUPPORT
        and (not universal or bool(_UNIVERSAL.search(s.text)))
        for s in split_sentences(said)
        if not names or any(n in s.text.lower() for n in names)
    )


def attributed(question: str, said: str, concept_words: Iterable[str] = ()) -> str:
    """The probe as it may be asked: the part of it that states the candidate's design ("Your
    session registry is in Redis.") stays only when one sentence of theirs supports it (names
    its concept and half of its other words, beyond the verbs of choosing); otherwise it is put
    as a supposition, so the interviewer never attributes a design nobody proposed."""
    concept_words = list(concept_words)
    out = []
    for s in split_sentences(question):
        text = s.text.strip()
        premise = _premise(text)
        if premise is not None and not _supported(premise, said, concept_words):
            text = phrases().suppose.format(premise=text[0].lower() + text[1:])
        out.append(text)
    return " ".join(out)


def after_quote(question: str, quote: str, concept_words: Iterable[str] = ()) -> str:
    """The probe after a quote of the candidate's words: an opening statement of their design
    that the quote already says ("You said "a session registry in Redis maps each user to their
    gateway". Your session registry is in Redis. ...") is left out."""
    concept_words = list(concept_words)
    parts = [s.text.strip() for s in split_sentences(question)]
    if len(parts) > 1 and not parts[0].endswith("?"):
        premise = _premise(parts[0])
        if premise is not None and _supported(premise, quote, concept_words):
            return " ".join(parts[1:])
    return question


# "Which status does your redirect return, and what do you give up if ...?": two questions in one.
_SECOND = re.compile(r",\s+and\s+(?=(?:what|how|which|who|when|where|why)\b)", re.I)
ANSWERED = 0.5  # share of a question's own words the candidate's words must hold to answer it


def unanswered(question: str, said: str, concept_words: Iterable[str] = ()) -> str:
    """The probe without a first half the candidate's words already answer ("...returns a 302":
    "Which status does your redirect return, and what do you give up if browsers cache it?"
    keeps only what they give up)."""
    theirs, generic = _stems(said), _stems(" ".join(concept_words))
    out = []
    for s in split_sentences(question):
        text = s.text.strip()
        parts = _SECOND.split(text, maxsplit=1)
        if text.endswith("?") and len(parts) == 2:
            held = _held(parts[0], theirs, generic)
            if held is not None and held >= ANSWERED:
                text = parts[1][:1].upper() + parts[1][1:]
        out.append(text)
    return " ".join(out)


# An opener that reads as a tic when two parts of one reply start with it ("Good, that figure holds
# up now. Good, let's move to the high-level design.").
_OPENER = re.compile(r"^(good|right|ok|okay|great|thanks),\s+", re.I)


def joined(parts: Iterable[str]) -> str:
    """The parts of a reply in order, each opener ("Good, ...") said once."""
    out: list[str] = []
    said: set[str] = set()
    for part in (p.strip() for p in parts):
        m = _OPENER.match(part)
        if m and m.group(1).lower() in said and part[m.end() :]:
            part = part[m.end()].upper() + part[m.end() + 1 :]
        elif m:
            said.add(m.group(1).lower())
        if part:
            out.append(part)
    return " ".join(out)
