"""Red flags: sentences that commit a known design mistake, whatever the rubric says.

A similarity grader credits a fluent answer that is on topic but wrong ("balances are eventually
consistent" sits close to an item about balance consistency). This judge looks for the mistake
itself: a sentence close in meaning to a red flag (content/red_flags.yaml) or to one of the bank
question's own pitfalls, that does not reject it ("a naive design would...", "not ...") and does
not name the mistake's remedy (a sentence about consistent hashing sits close to one about modulo
hashing, and MiniLM cannot tell them apart). Each mistake found lowers the judgement dimensions
(agents.scoring.apply_red_flags).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from agents.models import MiniLMEmbedder
from agents.text import Sentence
from content.schema import RedFlag

RED_FLAG_SIM = 0.65  # a sentence this close to a mistake's text or example commits it
# A mistake stated as a lack ("no replicas", "we never retry") is found by its own words (the
# flag's `omissions`), in a sentence at least this close to the mistake: on topic, not merely
# using the words about something else.
OMISSION_SIM = 0.40
MIN_WORDS = 7  # a heading or a fragment commits to nothing
MAX_RED_FLAGS = 3  # distinct mistakes reported (and charged) at most
# What distances a sentence from a mistake it names, other than a plain negation.
_DISTANCING = (
    r"avoid\w*|instead( of)?|rather than|naive\w*|mistake|wrong|bad idea|unsafe|danger\w*|"
    r"would (break|lose|fail|race|corrupt)|the (trap|problem|risk)|tempting|unless|rules? out|"
    r"reject\w*|problem with|fails? (when|because|if)|breaks? (when|if|on|for|down)|"
    r"too (slow|risky)"
)
_REJECTS = re.compile(
    r"\b(not|never|no|don't|doesn't|won't|can't|cannot|isn't|aren't|without|"
    rf"only (after|once|when|if)|{_DISTANCING})\b",
    re.I,
)
# A negation shortly before a remedy or an omission, in the same clause, takes it back ("locks have
# no TTL", "never updated in place"); this many characters back.
NEGATION_REACH = 30
_NEGATED = re.compile(
    r"\b(no|not|never|without|missing|skip\w*|lack\w*|don't|doesn't|won't)\b[^.;,]*$", re.I
)
# A sentence that states an omission ("no replicas") is negative by nature, so only distancing
# (or a hypothetical) clears it.
_DISTANCES = re.compile(
    rf"\b({_DISTANCING}|if we|suppose|what if|never (skip|drop|lose)\w*)\b", re.I
)


def negated_before(text: str, at: int) -> bool:
    """A negation shortly before `at`, in the same clause ("we never use Redis for ...")."""
    return bool(_NEGATED.search(text[max(0, at - NEGATION_REACH) : at]))


@dataclass(frozen=True)
class Wording:
    """A regex of a flag's data, split where it checks the whole sentence first: `^(?!A)(?=B).*C`
    is the context `^(?!A)(?=B)` (tested once on the sentence) and the claim `C` (searched), so a
    negation is looked for just before the claim, not before the sentence."""

    context: re.Pattern[str] | None
    claim: re.Pattern[str]

    def affirmed_in(self, text: str) -> bool:
        """The claim is made somewhere with no negation just before it in the same clause."""
        if self.context is not None and not self.context.match(text):
            return False
        return any(not negated_before(text, m.start()) for m in self.claim.finditer(text))


def _group_end(p: str, at: int) -> int:
    """Index just past the group opening at `p[at]` (escapes and character classes skipped)."""
    depth, k, in_class = 0, at, False
    while k < len(p):
        c = p[k]
        if c == "\\":
            k += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    raise ValueError(f"unbalanced group in {p!r}")


def wording(pattern: str) -> Wording:
    at = 1 if pattern.startswith("^") else 0
    end = at
    while pattern.startswith(("(?=", "(?!"), end):
        end = _group_end(pattern, end)
    if end > at and pattern.startswith(".*", end):
        return Wording(re.compile(pattern[:end], re.I), re.compile(pattern[end + 2 :], re.I))
    return Wording(None, re.compile(pattern, re.I))


@dataclass(frozen=True)
class Mistake:
    id: str
    text: str
    remedies: tuple[Wording, ...] = ()
    omissions: tuple[Wording, ...] = ()
    by_meaning: bool = True

    def remedied_in(self, text: str) -> bool:
        """A remedy named under a negation ("no TTL", "without a lease") is the mistake itself."""
        return any(w.affirmed_in(text) for w in self.remedies)

    def omitted_in(self, text: str) -> bool:
        """The mistake in its own words, not taken back by a negation just before them ("never
        updated in place"); a lack written into the pattern ("no replicas") is inside the match."""
        return any(w.affirmed_in(text) for w in self.omissions)


@dataclass(frozen=True)
class Hit:
    id: str
    text: str
    sentence: int  # index of the sentence that commits it (-1 when re-read from a stored grade)
    quote: str


def rejects(text: str) -> bool:
    return bool(_REJECTS.search(text))


class RedFlagJudge:
    def __init__(self, embedder: MiniLMEmbedder, flags: list[RedFlag]):
        self.embedder = embedder
        self.flags = flags
        self._mistakes = [
            (
                Mistake(
                    f.id,
                    f.text,
                    tuple(map(wording, f.remedies)),
                    tuple(map(wording, f.omissions)),
                    f.by_meaning,
                ),
                [f.text, *f.examples],
            )
            for f in flags
        ]
        self._lock = threading.Lock()
        self._vecs: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _vectors(
        self, key: str, mistakes: list[tuple[Mistake, list[str]]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every text of every mistake, and which mistake each belongs to."""
        with self._lock:
            got = self._vecs.get(key)
        if got is None:
            texts = [t for _, ts in mistakes for t in ts]
            owner = np.array([k for k, (_, ts) in enumerate(mistakes) for _ in ts], dtype=int)
            got = (self.embedder.encode(texts), owner)
            with self._lock:
                self._vecs[key] = got
        return got

    def find(
        self,
        sentences: list[Sentence],
        vecs: np.ndarray,
        usable: list[int],
        pitfalls: tuple[str, ...] = (),
        key: str = "",
        limit: int | None = MAX_RED_FLAGS,
    ) -> list[Hit]:
        """The distinct mistakes the answer commits, in the order it commits them (the first
        `limit`; None for all)."""
        mistakes = list(self._mistakes)
        mistakes += [(Mistake(f"pitfall-{k + 1}", p), [p]) for k, p in enumerate(pitfalls)]
        if not mistakes or not usable:
            return []
        mvecs, owner = self._vectors(key or "|".join(pitfalls), mistakes)
        sims = vecs[usable] @ mvecs.T  # (sentences, mistake texts)
        hits: dict[str, Hit] = {}
        by_mistake = np.full((len(usable), len(mistakes)), -1.0)
        np.maximum.at(by_mistake.T, owner, sims.T)  # best text of each mistake, per sentence
        for j, k in enumerate(usable):
            text = sentences[k].text
            if len(text.split()) < MIN_WORDS:
                continue
            negative, distanced = rejects(text), bool(_DISTANCES.search(text))
            for col, (m, _) in enumerate(mistakes):
                sim = float(by_mistake[j, col])
                stated = m.by_meaning and sim >= RED_FLAG_SIM and not negative
                omitted = sim >= OMISSION_SIM and not distanced and m.omitted_in(text)
                if (stated or omitted) and not m.remedied_in(text):
                    hits.setdefault(m.id, Hit(m.id, m.text, k, text))
        return sorted(hits.values(), key=lambda h: h.sentence)[:limit]
