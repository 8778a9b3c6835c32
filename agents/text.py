"""Text handling for the engines: sentence segmentation with offsets, word normalisation,
signal matching and the markers that show a candidate is reasoning rather than naming."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.spelling import one_spelling

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n+")
_BULLET = re.compile(r"^\s*(?:[-*•>]+|\d+[.)]|#+)\s*")
_WORD = re.compile(r"[a-z0-9]+(?:[-'/.][a-z0-9]+)*")

STOPWORDS = frozenset(
    """
    a an the and or but if then so of to in on at by for with from as is are was were be
    been being it its this that these those i we you they he she them our your their my me
    us do does did have has had will would can could should may might must not no yes there
    here what which who whom when where why how all any each some such than too very just
    also into over under about after before between both more most other only own same again
    further once up down out off per via like need needs use using used make makes let lets
    get gets one two
    """.split()
)

# Words and phrases by which a candidate justifies a choice or weighs an alternative.
REASONING_MARKERS = (
    "because",
    "since",
    "so that",
    "so we",
    "so the",
    "so it",
    "therefore",
    "which means",
    "that means",
    "this means",
    "trade-off",
    "tradeoff",
    "trade off",
    "at the cost of",
    "instead of",
    "rather than",
    "versus",
    " vs",
    "compared to",
    "compared with",
    "otherwise",
    "to avoid",
    "in order to",
    "downside",
    "upside",
    "the cost is",
    "the risk is",
    "but ",
    "however",
    "given that",
    "given ",
    "which lets",
    "which keeps",
    "which avoids",
    "unless",
    "if we",
    "if the",
    "if a",
    "if it",
    "would mean",
    "we accept",
    "the price",
    "cheaper",
    "simpler",
    "faster",
    "slower",
    "avoids",
    "prevents",
    "guarantees",
    "ensures",
    "why",
    "the reason",
    "due to",
    "thanks to",
    "as long as",
    "only if",
    "the catch",
    # Purpose clauses: what the choice is for ("to prevent double charges").
    "to prevent",
    "to stop",
    "to ensure",
    "to make sure",
    "to guarantee",
    "to protect",
)
# A consequence: "so merchants can reject replays", "so reads never touch the HSM" (the choice
# and what it buys, like "so that" and "so we" above, with any subject).
_SO_CONSEQUENCE = re.compile(
    r"\bso\s+(?:[a-z][\w'-]*\s+){1,3}(?:can|can't|cannot|could|will|won't|would|never|only|always"
    r"|don't|doesn't|isn't|aren't|stays?|keeps?|must|need|needs)\b"
    # "so I'd promise at-least-once", "so we'll shard by tenant": a decision drawn from what came
    # before ("so I'd say", "so I'd guess" only hedge).
    r"|\bso\s+(?:i|we)'(?:d|ll)\s+(?!say\b|guess\b|think\b|imagine\b|assume\b)[a-z]"
)


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    index: int

    @property
    def words(self) -> list[str]:
        return words(self.text)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


LABEL_WORDS = 3  # a line this short, with no figure, is a heading, not a statement


def is_label(text: str) -> bool:
    """A section label ("API", "Design:", "Storage."): a few words and no figure. Short
    statements ("Use Redis.") read as labels too; alone they would carry little evidence."""
    stripped = text.strip().rstrip(":").strip()
    return 0 < len(words(stripped)) <= LABEL_WORDS and not re.search(r"[\d/()=]", stripped)


def is_question(text: str) -> bool:
    """A sentence that asks ("Do product teams need per-request tracing?"): it makes no point
    of the design. A rhetorical one ("Why Kafka? Replay.") leaves the point to what follows."""
    return text.rstrip().endswith("?")


def labels_of(sentences: list[Sentence]) -> set[int]:
    """The sentences that organise an answer or ask, and so are evidence only of how it is
    put (communication): section labels ("API", "Design:") and questions."""
    return {s.index for s in sentences if is_label(s.text) or is_question(s.text)}


def stem(word: str) -> str:
    """A light, deterministic stemmer: 'shards' matches 'shard', 'caching' matches 'cache', and
    a British spelling its American one ('prioritised' matches 'prioritized')."""
    word = one_spelling(word)
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


def split_sentences(text: str) -> list[Sentence]:
    """Splits on sentence ends, line breaks and bullets; keeps offsets into `text`."""
    out: list[Sentence] = []
    pos = 0
    for piece in _SPLIT.split(text):
        if piece is None:
            continue
        start = text.find(piece, pos)
        if start < 0:
            start = pos
        end = start + len(piece)
        pos = end
        stripped = _BULLET.sub("", piece).strip()
        if len(words(stripped)) == 0:
            continue
        lead = piece.find(stripped) if stripped else 0
        out.append(
            Sentence(stripped, start + max(lead, 0), start + max(lead, 0) + len(stripped), len(out))
        )
    return out


@lru_cache(maxsize=4096)
def _signal_pattern(signal: str) -> re.Pattern[str]:
    toks = [re.escape(stem(t)) for t in words(signal)] or [re.escape(signal.lower())]
    # Each token may carry a light suffix; tokens may be separated by spaces, hyphens or slashes.
    body = r"[\s\-/]*".join(t + (r"[a-z]{0,5}" if len(t) >= 5 else r"[a-z]{0,3}") for t in toks)
    return re.compile(r"(?<![a-z0-9])" + body + r"(?![a-z0-9])")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    return " ".join(stem(w) for w in words(text))


def has_signal(normalised_text: str, signal: str) -> bool:
    """Whether `signal` occurs in text already passed through `normalise`."""
    return bool(_signal_pattern(normalise(signal) or signal.lower()).search(normalised_text))


def reasoning_in(text: str) -> bool:
    low = " " + text.lower() + " "
    if any(m in low for m in REASONING_MARKERS) or _SO_CONSEQUENCE.search(low):
        return True
    # A quantified claim ("at 20k QPS", "~3 TB", "p99 of 50 ms") is reasoning from numbers.
    return bool(re.search(r"\d[\d,.]*\s?(k|m|b|ms|s|tb|gb|mb|qps|rps|%|x)\b", low))
