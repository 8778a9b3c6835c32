"""The item judge: decides, sentence by sentence, which rubric items an answer covers.

A sentence covers an item when it is close to the item's text in embedding space, helped by the
item's signal phrases; an item that needs reasoning is only `partial` unless the sentence that
covers it (or one beside it) justifies the choice. Shared by the evaluator and the interviewer.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from agents.behaviour import BehaviourJudge
from agents.models import MiniLMEmbedder
from agents.rubric import Rubric
from agents.specificity import SpecificityJudge
from agents.text import Sentence, has_signal, normalise, reasoning_in
from content.schema import RubricItem


@dataclass(frozen=True)
class JudgeParams:
    """Thresholds on cosine similarity (MiniLM, normalised) between a sentence and an item."""

    cover: float = 0.60  # match at or above: the sentence makes the item's point...
    cover_needs_signal: float = 0.72  # ...but below this it must also use one of its signals
    partial: float = 0.48  # match at or above: it touches the item
    lex_bonus: float = 0.06  # added to the match per signal phrase in the sentence (two at most)
    sem_with_signals: float = 0.40  # two signals in the answer and this similarity: covered
    partial_credit: float = 0.5


DEFAULT_PARAMS = JudgeParams()
# Reference key points (exam-style grading against a model answer), fitted on our own small set of
# human-marked short answers (evals/data/short_answers.yaml).
REF_ECHO_WEIGHT = 0.6
REF_RECALL_WEIGHT = 0.25
REF_FLOOR = 0.05
REF_CEILING = 0.5
# A short answer much briefer than the model answer cannot carry all its points, however close its
# few words sit to them ("So the cluster has a master node." against a 35-word reference): below
# this share of the reference's length, every point's credit scales down in proportion. Chosen on
# the tuning splits of the short answers and the drill answers, which share this grader (0.5 and
# 0.6 tie on short answers, Pearson 0.680 against 0.649 without; 0.5 is best on drills, 0.885).
REF_BREVITY_SHARE = 0.5


@dataclass(frozen=True)
class Judged:
    item: RubricItem
    status: str
    credit: float
    match: float
    evidence: tuple[int, ...]  # sentence indexes, best first
    reasoned: bool
    quotes: tuple[str, ...] = ()  # exact quotes, when a model chose them (verified)


class ItemJudge:
    def __init__(
        self,
        embedder: MiniLMEmbedder,
        params: JudgeParams = DEFAULT_PARAMS,
        behaviours: BehaviourJudge | None = None,
        specificity: SpecificityJudge | None = None,
    ):
        self.embedder = embedder
        self.params = params
        self.behaviours = behaviours
        self.specificity = specificity
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def item_vectors(self, rubric: Rubric) -> np.ndarray:
        with self._lock:
            vecs = self._cache.get(rubric.key)
        if vecs is None:
            vecs = self.embedder.encode([i.text for i in rubric.items])
            with self._lock:
                if len(self._cache) >= 4096:  # free-text rubrics are one-offs; stay bounded
                    self._cache.clear()
                self._cache[rubric.key] = vecs
        return vecs

    def judge(
        self,
        rubric: Rubric,
        sentences: list[Sentence],
        sentence_vecs: np.ndarray,
        *,
        ignore: set[int] | frozenset[int] = frozenset(),
        prompt_normalised: str = "",
        keyword_list: bool = False,
        whole_vec: np.ndarray | None = None,
        question_vec: np.ndarray | None = None,
        phases: list[str | None] | None = None,
        labels: set[int] | frozenset[int] = frozenset(),
    ) -> list[Judged]:
        """Judges every item of `rubric`; sentences whose index is in `ignore` count for nothing,
        and section labels (`labels`: "API", "Design:") only for how the answer is organised
        (communication): for any other item what follows a label is the evidence, not the label."""
        usable = [s for s in sentences if s.index not in ignore]
        if not usable:
            return [Judged(i, "missing", 0.0, 0.0, (), False) for i in rubric.items]
        rows = [s.index for s in usable]
        vecs = sentence_vecs[rows]
        sem = np.round(self.item_vectors(rubric) @ vecs.T, 4)  # (items, sentences)
        normalised = [normalise(s.text) for s in usable]
        answer_norm = " ".join(normalised)
        label = np.array([s.index in labels for s in usable], dtype=bool)
        content_rows = [r for r, lab in zip(rows, label, strict=True) if not lab]
        content_norm = " ".join(n for n, lab in zip(normalised, label, strict=True) if not lab)
        out = []
        P = self.params
        brevity = _brevity(rubric, sentences) if rubric.reference_only else 1.0
        item_vecs = self.item_vectors(rubric)
        clauses = _Clauses(self.embedder, usable)
        for k, item in enumerate(rubric.items):
            structural = item.dimension == "communication"
            behaviour = self.behaviours.for_item(item.id) if self.behaviours else None
            if behaviour is not None:
                assert self.behaviours is not None
                may_count = rows if structural else content_rows
                found_b = self.behaviours.judge(
                    behaviour, sentences, sentence_vecs, may_count, phases
                )
                status, credit = found_b.status, found_b.credit
                if self.specificity is not None and found_b.hits and not structural:
                    status, credit = self._by_specificity(
                        P, (status, credit), *(sentences[h].text for h in found_b.hits)
                    )
                if keyword_list and credit > P.partial_credit:
                    status, credit = "partial", P.partial_credit
                out.append(Judged(item, status, credit, 0.0, found_b.hits[:2], True))
                continue
            # A signal that the question itself contains shows nothing about the candidate.
            signals = [g for g in item.signals if not has_signal(prompt_normalised, g)]
            lex = np.array([sum(has_signal(n, g) for g in signals) for n in normalised])
            sem_k = sem[k] if structural else np.where(label, -1.0, sem[k])
            if not structural:
                lex = np.where(label, 0, lex)
                # A long sentence that makes several points ("a CDN and a cache in front of
                # Redis, then a key-value store like DynamoDB keyed by code") is read clause by
                # clause where it names the item: its meaning is not diluted by the rest.
                # (A reference answer's key points are marked on the whole answer instead.)
                if item.id not in rubric.reference_ids:
                    sem_k = np.maximum(sem_k, clauses.sims(item_vecs[k], signals, lex))
            match = sem_k + P.lex_bonus * np.minimum(lex, 2)
            order = np.argsort(-match, kind="stable")
            best = float(match[order[0]])
            found = sum(has_signal(answer_norm if structural else content_norm, g) for g in signals)
            if item.id in rubric.reference_ids:
                whole = item_vec_dot(self.item_vectors(rubric)[k], whole_vec)
                echo = item_vec_dot(question_vec, whole_vec) if rubric.reference_only else 0.0
                recall = found / len(signals) if signals else 0.0
                judged = _reference_point(max(float(sem_k.max()), whole), echo, recall, brevity)
            elif structural:
                judged = _communication_item(P, best, found)
            else:
                near = int(lex[max(0, order[0] - 1) : order[0] + 2].sum())
                judged = _design_item(P, best, float(sem_k.max()), found, near)
                if self.specificity is not None and judged[0] != "missing":
                    judged = self._by_specificity(P, judged, usable[order[0]].text)
            status, credit = judged
            evidence = tuple(usable[j].index for j in order[:2] if match[j] >= P.partial)
            if status != "missing" and not evidence:
                evidence = (usable[order[0]].index,)
            reasoned = any(
                reasoning_in(s.text)
                for s in sentences
                if evidence and abs(s.index - evidence[0]) <= 1 and s.index not in ignore
            )
            if (
                item.requires_reasoning and not reasoned or keyword_list
            ) and credit > P.partial_credit:
                status, credit = "partial", P.partial_credit
            out.append(Judged(item, status, credit, round(best, 4), evidence, reasoned))
        return out

    def _by_specificity(
        self, P: JudgeParams, judged: tuple[str, float], *texts: str
    ) -> tuple[str, float]:
        """A point only gestured at earns half; one made concretely and justified, full.

        `texts`: the evidence sentences, best first."""
        assert self.specificity is not None
        specs = [self.specificity.of(t) for t in texts]
        if all(s.vague for s in specs):
            return ("partial", P.partial_credit) if judged[0] == "covered" else ("missing", 0.0)
        if judged[0] == "covered" and not any(s.concrete or s.reasoned for s in specs):
            return "partial", P.partial_credit
        if judged[0] == "partial" and any(s.concrete and s.reasoned for s in specs):
            return "covered", 1.0
        return judged


_CLAUSE_CUT = re.compile(r"(?<=[,;:])\s+|\s+[–—-]\s+|\s+(?:then|while|whereas)\s+", re.I)
CLAUSE_MIN_WORDS = 3  # a clause shorter than this carries no point of its own


class _Clauses:
    """The clauses of an answer's sentences, embedded on first use: only sentences that name an
    item's signal are read clause by clause."""

    def __init__(self, embedder: MiniLMEmbedder, usable: list[Sentence]):
        self.embedder = embedder
        self.usable = usable
        self._vecs: dict[int, tuple[list[str], np.ndarray]] = {}  # row -> normalised, vectors

    def _of(self, row: int) -> tuple[list[str], np.ndarray]:
        if row not in self._vecs:
            parts = [
                c.strip()
                for c in _CLAUSE_CUT.split(self.usable[row].text)
                if len(c.split()) >= CLAUSE_MIN_WORDS
            ]
            parts = parts if len(parts) > 1 else []
            vecs = self.embedder.encode(parts) if parts else np.zeros((0, 0))
            self._vecs[row] = ([normalise(c) for c in parts], vecs)
        return self._vecs[row]

    def sims(self, item_vec: np.ndarray, signals: list[str], lex: np.ndarray) -> np.ndarray:
        """Per sentence, the best closeness to the item of a clause that names one of its
        signals (-1 where none does)."""
        out = np.full(len(self.usable), -1.0)
        for row in np.flatnonzero(lex > 0):
            parts, vecs = self._of(int(row))
            for part, vec in zip(parts, vecs, strict=True):
                if any(has_signal(part, g) for g in signals):
                    out[row] = max(out[row], round(float(item_vec @ vec), 4))
        return out


def item_vec_dot(a: np.ndarray | None, b: np.ndarray | None) -> float:
    return float(np.round(a @ b, 4)) if a is not None and b is not None else 0.0


def _design_item(
    P: JudgeParams, best: float, sem_best: float, found: int, near: int
) -> tuple[str, float]:
    """`near`: signals in the best sentence and its neighbours; `found`: in the whole answer."""
    if best >= P.cover_needs_signal or (best >= P.cover and near >= 1):
        return "covered", 1.0
    if found >= 2 and sem_best >= P.sem_with_signals:
        return "covered", 1.0
    if best >= P.partial or (found >= 1 and sem_best >= 0.3):
        return "partial", P.partial_credit
    return "missing", 0.0


def _communication_item(P: JudgeParams, best: float, found: int) -> tuple[str, float]:
    """How a candidate drives shows in the whole answer (assumptions, recaps), not one sentence."""
    if best >= P.cover or found >= 2:
        return "covered", 1.0
    if best >= P.partial or found == 1:
        return "partial", P.partial_credit
    return "missing", 0.0


def _brevity(rubric: Rubric, sentences: list[Sentence]) -> float:
    """1.0 for an answer at least REF_BREVITY_SHARE of the model answer's length; less, in
    proportion, for a briefer one."""
    reference = sum(len(i.text.split()) for i in rubric.items if i.id in rubric.reference_ids)
    answer = sum(len(s.text.split()) for s in sentences)
    if not reference:
        return 1.0
    return min(1.0, answer / (REF_BREVITY_SHARE * reference))


def _reference_point(
    sim: float, echo: float, recall: float, brevity: float = 1.0
) -> tuple[str, float]:
    """A reference key point earns credit by degree, as a marker gives part marks.

    `sim`: closeness of the answer to the point; `echo`: closeness of the answer to the question
    itself, which shows nothing (an answer that rephrases the question is close to the reference
    too); `recall`: share of the point's own words (those not in the question) the answer uses;
    `brevity`: see `_brevity`.
    """
    evidence = sim - REF_ECHO_WEIGHT * echo + REF_RECALL_WEIGHT * recall
    scaled = (evidence - REF_FLOOR) / (REF_CEILING - REF_FLOOR)
    credit = round(min(1.0, max(0.0, scaled)) * brevity, 4)
    status = "covered" if credit >= 0.7 else "partial" if credit >= 0.35 else "missing"
    return status, credit
