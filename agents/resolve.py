"""Question resolution: which bank question a free-text question asks for, if one clearly does.

A hybrid match, each side blind to what the other misses: dense similarity (MiniLM) of the text
to each bank question's title, title-and-prompt and the names people use for it, and lexical
coverage (how much of the text's distinctive vocabulary, weighted by rarity across the bank, the
bank question's own material uses). A paraphrase scores high on both; a different system that
shares a few words ("hotel booking" against concert tickets) is caught by the words the bank
question never uses. The two are combined with weights fitted on the tuning split of
`evals/data/resolution/` (`python -m evals.fit_resolution`).
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass

import numpy as np

from agents.models import MiniLMEmbedder
from agents.text import content_words, stem
from content.loader import Bank
from content.schema import Question

# Words that every interview question uses: they say nothing about which system is meant.
FILLER = frozenset(
    """
    design build create implement architect architecture system systems service services
    scalable scale scaling backend app application platform handle support would could
    walk through approach think work works working want wants million billion thousand
    large huge high low fast reliable robust simple basic feature features like similar
    style kind sort new real time way ways around across good best main core end
    """.split()
)


@dataclass(frozen=True)
class ResolveParams:
    """score = dense + coverage_weight * coverage; the best bank question matches when its score
    reaches `threshold` and its meaning alone reaches `min_dense` (shared words are no match when
    the meaning is far: "a message broker like Kafka" against an order pipeline that uses Kafka).
    Fitted by `python -m evals.fit_resolution` on the tuning split."""

    coverage_weight: float = 0.85
    threshold: float = 0.82
    min_dense: float = 0.49

    def accepts(self, score: float, dense: float) -> bool:
        """Whether the best bank question, at this score and meaning, is a match."""
        return score >= self.threshold and dense >= self.min_dense


DEFAULT_PARAMS = ResolveParams()


@dataclass(frozen=True)
class Candidate:
    question_id: str
    score: float
    dense: float
    coverage: float


@dataclass(frozen=True)
class Resolution:
    question_id: str | None
    match_score: float
    runner_up: str | None
    runner_up_score: float
    reason: str
    nearest: tuple[Candidate, ...] = ()  # best first, for borrowing items when nothing matched


def _terms(text: str) -> list[str]:
    out = []
    for w in content_words(text.replace("-", " ").replace("/", " ")):
        if w not in FILLER and not w.isdigit() and w not in ("like", "style"):
            out.append(stem(w))
    return out


def question_material(q: Question) -> str:
    """What a bank question says it is (not what a good answer to it contains): the
    vocabulary a paraphrase of the question draws on."""
    parts = [q.title, q.prompt, " ".join(t.replace("-", " ") for t in q.topics), *q.aliases]
    parts += [f"{f.name} {f.value}" for f in q.scale]
    return " ".join(parts)


class QuestionResolver:
    def __init__(
        self, embedder: MiniLMEmbedder, bank: Bank, params: ResolveParams = DEFAULT_PARAMS
    ):
        self.embedder = embedder
        self.bank = bank
        self.params = params
        self.ids = sorted(bank.questions)
        self._lock = threading.Lock()
        self._views: tuple[np.ndarray, np.ndarray] | None = None
        vocab = {qid: set(_terms(question_material(bank.questions[qid]))) for qid in self.ids}
        df = Counter(t for terms in vocab.values() for t in terms)
        n = len(self.ids)
        self._vocab = vocab

        # Rarity across the bank; a word no bank question uses is as distinctive as it gets.
        self._idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._idf_unseen = math.log((n + 1) / 0.5)

    def _view_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every view's vector and the index of the question it belongs to."""
        with self._lock:
            if self._views is None:
                texts: list[str] = []
                owner: list[int] = []
                for k, qid in enumerate(self.ids):
                    q = self.bank.questions[qid]
                    views = [q.title, f"{q.title}. {q.prompt}", q.prompt, *q.aliases]
                    texts += views
                    owner += [k] * len(views)
                vecs = self.embedder.encode(texts) if texts else np.zeros((0, 384))
                self._views = (vecs, np.array(owner, dtype=int))
            return self._views

    def coverage(self, text: str, question_id: str) -> float:
        """Rarity-weighted share of the text's distinctive words that the question uses."""
        return self._share(_terms(text), self._vocab[question_id], empty=0.0)

    def mentions(self, answer: str, question_text: str) -> float:
        """Rarity-weighted share of a typed question's distinctive words the answer uses: an
        answer to the question asked names its things ("restaurants", "couriers")."""
        return self._share(_terms(question_text), set(_terms(answer)), empty=1.0)

    def _share(self, terms: list[str], present: set[str], *, empty: float) -> float:
        """Rarity-weighted share of `terms` (deduplicated) found in `present`."""
        unique = list(dict.fromkeys(terms))
        if not unique:
            return empty
        weights = [self._idf.get(t, self._idf_unseen) for t in unique]
        got = sum(w for t, w in zip(unique, weights, strict=True) if t in present)
        return got / sum(weights)

    def candidates(self, text: str) -> list[Candidate]:
        if not self.ids:
            return []
        vecs, owner = self._view_vectors()
        sims = vecs @ self.embedder.encode([text])[0]
        dense = np.full(len(self.ids), -1.0)
        np.maximum.at(dense, owner, sims)
        out = []
        for k, qid in enumerate(self.ids):
            d = round(float(dense[k]), 4)
            c = round(self.coverage(text, qid), 4)
            out.append(Candidate(qid, round(d + self.params.coverage_weight * c, 4), d, c))
        out.sort(key=lambda c: (-c.score, c.question_id))
        return out

    def resolve(self, text: str) -> Resolution:
        ranked = self.candidates(text)
        if not ranked:
            return Resolution(None, 0.0, None, 0.0, "the bank is empty")
        best, second = ranked[0], ranked[1] if len(ranked) > 1 else None
        P = self.params
        matched = P.accepts(best.score, best.dense)
        why = (
            f"matched {best.question_id!r} (score {best.score:.2f} >= {P.threshold:.2f}: "
            f"meaning {best.dense:.2f}, shared vocabulary {best.coverage:.0%})"
            if matched
            else f"no bank question is close enough (best {best.question_id!r}: meaning "
            f"{best.dense:.2f} < {P.min_dense:.2f} whatever the shared words)"
            if best.score >= P.threshold
            else f"no bank question is close enough (best {best.question_id!r} at "
            f"{best.score:.2f} < {P.threshold:.2f})"
        )
        return Resolution(
            best.question_id if matched else None,
            best.score,
            second.question_id if second else None,
            second.score if second else 0.0,
            why,
            tuple(ranked[:5]),
        )
