"""The grading suite: labelled answers at known bands, adversarial cases, short exam answers."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents.evaluation import Evaluation
from agents.evaluator import OfflineEvaluator
from content.loader import Bank
from evals import datasets
from evals.generalisation import freetext_metrics, resolution_metrics, short_answer_metrics
from evals.metrics import quadratic_weighted_kappa, spearman
from evals.schema import ADVERSARIAL_LIMIT, BAND_TARGET
from evals.splits import is_validation

BANDS = ("weak", "adequate", "strong")
# Overall scores between band targets split at the midpoints.
BAND_EDGES = (
    (BAND_TARGET["weak"] + BAND_TARGET["adequate"]) / 2,
    (BAND_TARGET["adequate"] + BAND_TARGET["strong"]) / 2,
)


def band_of(score: float) -> int:
    return 0 if score < BAND_EDGES[0] else 1 if score < BAND_EDGES[1] else 2


@dataclass
class CaseResult:
    id: str
    kind: str
    question: str
    expected: str
    overall: float
    passed: bool
    flags: list[str]
    evidence: list[str] = field(default_factory=list)
    dimensions: dict[str, float] = field(default_factory=dict)


def _case(ev: Evaluation, **kw: Any) -> CaseResult:
    return CaseResult(
        overall=ev.overall,
        flags=ev.flags,
        evidence=[q for d in ev.dimensions for q in d.evidence][:4],
        dimensions={d.name: d.score for d in ev.dimensions},
        **kw,
    )


def grading_total() -> int:
    adversarial = datasets.adversarial_cases()
    return (
        len(datasets.graded_answers())
        + len(adversarial)
        + len(datasets.short_answers())
        + sum(1 for a in adversarial if a.clean_answer)
    )


def _grade_all(
    evaluator: Any, requests: list[tuple[Any, ...]], progress: Callable[[int], None] | None
) -> list[Evaluation]:
    """The offline engine grades in batches (one embedding pass); an LLM engine one by one."""
    out: list[Evaluation] = []
    batch = 16 if isinstance(evaluator, OfflineEvaluator) else 1
    for start in range(0, len(requests), batch):
        chunk = requests[start : start + batch]
        if isinstance(evaluator, OfflineEvaluator):
            out.extend(evaluator.grade_many(chunk))  # type: ignore[arg-type]
        else:
            out.extend(evaluator.grade(*r) for r in chunk)
        if progress:
            progress(len(chunk))
    return out


def run_grading_suite(
    evaluator: Any, bank: Bank, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    started = time.perf_counter()
    graded = datasets.graded_answers()
    adversarial = datasets.adversarial_cases()
    short = datasets.short_answers()
    requests: list[tuple[Any, ...]] = [
        (bank.questions[c.question], c.answer, c.level, None) for c in graded
    ]
    requests += [(bank.questions[c.question], c.answer, c.level, None) for c in adversarial]
    requests += [
        (bank.questions[c.question], c.clean_answer, c.level, None)
        for c in adversarial
        if c.clean_answer
    ]
    requests += [(s.question_text, s.answer, "mid", s.reference) for s in short]
    evals = _grade_all(evaluator, requests, progress)
    it = iter(evals)
    graded_evals = [next(it) for _ in graded]
    adv_evals = [next(it) for _ in adversarial]
    clean_evals = {c.id: next(it) for c in adversarial if c.clean_answer}
    short_evals = [next(it) for _ in short]

    cases: list[CaseResult] = []
    by_q: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for c, ev in zip(graded, graded_evals, strict=True):
        by_q[c.question][c.band].append(ev.overall)
        ok = band_of(ev.overall) == BANDS.index(c.band)
        cases.append(
            _case(ev, id=c.id, kind="graded", question=c.question, expected=c.band, passed=ok)
        )
    ordered = [
        q
        for q, bands in by_q.items()
        if all(bands.get(b) for b in BANDS)
        and min(bands["strong"]) > max(bands["adequate"])
        and min(bands["adequate"]) > max(bands["weak"])
    ]
    adv_pass = 0
    for a, ev in zip(adversarial, adv_evals, strict=True):
        ok = ev.overall <= ADVERSARIAL_LIMIT[a.kind] and all(f in ev.flags for f in a.expect_flags)
        if a.clean_answer:
            ok = ok and ev.overall <= clean_evals[a.id].overall
        adv_pass += ok
        cases.append(
            _case(
                ev,
                id=a.id,
                kind=a.kind,
                question=a.question,
                expected=f"<= {ADVERSARIAL_LIMIT[a.kind]}",
                passed=ok,
            )
        )
    short_by_split = short_answer_metrics(evaluator)
    truth = [BAND_TARGET[c.band] for c in graded]
    scores = [e.overall for e in graded_evals]
    mae = {
        b: round(
            sum(
                abs(e.overall - BAND_TARGET[b])
                for c, e in zip(graded, graded_evals, strict=True)
                if c.band == b
            )
            / max(1, sum(1 for c in graded if c.band == b)),
            3,
        )
        for b in BANDS
    }
    val = [(c, e) for c, e in zip(graded, graded_evals, strict=True) if is_validation(c.question)]
    metrics = {
        "grading_validation_spearman": round(
            spearman([BAND_TARGET[c.band] for c, _ in val], [e.overall for _, e in val]), 4
        ),
        "grading_spearman": round(spearman(truth, scores), 4),
        "grading_qwk": round(
            quadratic_weighted_kappa(
                [BANDS.index(c.band) for c in graded], [band_of(s) for s in scores], 3
            ),
            4,
        ),
        "grading_mae_strong": mae["strong"],
        "grading_mae_adequate": mae["adequate"],
        "grading_mae_weak": mae["weak"],
        "grading_band_order_rate": round(len(ordered) / max(1, len(by_q)), 4),
        "adversarial_pass_rate": round(adv_pass / max(1, len(adversarial)), 4),
        "short_answer_spearman": round(
            spearman([s.score for s in short], [e.overall for e in short_evals]), 4
        ),
        **freetext_metrics(evaluator),
        **resolution_metrics(evaluator),
        **short_by_split["metrics"],
        "grading_cases": len(graded),
        "adversarial_cases": len(adversarial),
        "grading_seconds": round(time.perf_counter() - started, 2),
    }
    return {
        "metrics": metrics,
        "short_answers_by_question": short_by_split["by_question"],
        "cases": cases,
        "by_question": {q: dict(b) for q, b in by_q.items()},
    }
