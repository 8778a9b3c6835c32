"""Red flags: sentences that commit a known design mistake, whatever the rubric says.

A similarity grader credits a fluent answer that is on topic but wrong ("balances are eventually
consistent" sits close to an item about balance consistency). This judge looks for the mistake
itself: a sentence close in meaning to a red flag (content/red_flags.yaml) or to one of the bank
question's own pitfalls, that does not reject it ("a naive design would...", "not ..."). Each
mistake found lowers the judgement dimensions (agents.scoring.apply_red_flags).
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
MIN_WORDS = 7  # a heading or a fragment commits to nothing
MAX_RED_FLAGS = 3  # distinct mistakes reported (and charged) at most
_REJECTS = re.compile(
    r"\b(not|never|no|don't|doesn't|won't|can't|cannot|isn't|aren't|avoid\w*|instead( of)?|"
    r"rather than|naive\w*|mistake|wrong|bad idea|unsafe|danger\w*|would (break|lose|fail|"
    r"race|corrupt)|the (trap|problem|risk)|tempting|without|unless|rules? out|reject\w*|"
    r"problem with|fails? (when|because|if)|breaks? (when|if)|too (slow|risky)|"
    r"only (after|once|when|if))\b",
    re.I,
)


@dataclass(frozen=True)
class Mistake:
    id: str
    text: str


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
    ) -> list[Hit]:
        """The distinct mistakes the answer commits, in the order it commits them."""
        mistakes = [(Mistake(f.id, f.text), [f.text, *f.examples]) for f in self.flags]
        mistakes += [(Mistake(f"pitfall-{k + 1}", p), [p]) for k, p in enumerate(pitfalls)]
        if not mistakes or not usable:
            return []
        mvecs, owner = self._vectors(key or "|".join(pitfalls), mistakes)
        sims = vecs[usable] @ mvecs.T  # (sentences, mistake texts)
        hits: dict[str, Hit] = {}
        for j, k in enumerate(usable):
            text = sentences[k].text
            if len(text.split()) < MIN_WORDS or rejects(text):
                continue
            for col in np.flatnonzero(sims[j] >= RED_FLAG_SIM):
                m = mistakes[int(owner[col])][0]
                hits.setdefault(m.id, Hit(m.id, m.text, k, text))
        return sorted(hits.values(), key=lambda h: h.sentence)[:MAX_RED_FLAGS]
