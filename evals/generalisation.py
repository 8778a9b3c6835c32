"""Grading that generalises, measured on the validation split only (evals/splits.py).

Three sets: answers to free-text questions (outside the bank, or bank questions reworded) at
known bands; typed question phrasings that must resolve to the right bank question, or to none;
and short exam answers marked by two graders, whose agreement with each other is the ceiling.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Any

from agents.evaluation import Evaluation
from evals import datasets
from evals.metrics import pearson, rmse, spearman
from evals.schema import BAND_TARGET
from evals.splits import is_validation

BANDS = ("weak", "adequate", "strong")


def _grade(evaluator: Any, requests: list[tuple[Any, ...]]) -> list[Evaluation]:
    """The offline engine grades in one batch; an LLM engine one answer at a time."""
    if hasattr(evaluator, "grade_many"):
        return list(evaluator.grade_many(requests))
    return [evaluator.grade(*r) for r in requests]


def _ordered(rows: list[tuple[Any, Evaluation]]) -> tuple[int, int, int, int]:
    """Questions whose standard answers score strong > adequate > weak, of those with all three;
    and fluent-but-wrong answers below their question's adequate one."""
    by_q: dict[str, dict[str, float]] = defaultdict(dict)
    wrong: list[tuple[str, float]] = []
    for c, ev in rows:
        if c.variant == "standard":
            by_q[c.group][c.band] = ev.overall
        elif c.variant == "fluent_wrong":
            wrong.append((c.group, ev.overall))
    full = {g: b for g, b in by_q.items() if all(x in b for x in BANDS)}
    ordered = sum(b["strong"] > b["adequate"] > b["weak"] for b in full.values())
    below = sum(score < full[g]["adequate"] for g, score in wrong if g in full)
    return ordered, len(full), below, sum(g in full for g, _ in wrong)


def _rho(rs: list[tuple[Any, Evaluation]]) -> float:
    return round(spearman([BAND_TARGET[c.band] for c, _ in rs], [e.overall for _, e in rs]), 4)


def _band_figures(rows: list[tuple[Any, Evaluation]], prefix: str) -> dict[str, float]:
    """How a set of free-text answers ranks by band: all of it, outside the bank, per question,
    and the fluent-but-wrong answers against their question's adequate one."""
    ordered, questions, below, wrong = _ordered(rows)
    return {
        f"{prefix}spearman": _rho(rows),
        f"{prefix}outside_spearman": _rho([(c, e) for c, e in rows if c.bank_id is None]),
        f"{prefix}band_order_rate": round(ordered / max(1, questions), 4),
        f"{prefix}fluent_wrong_below_adequate_rate": round(below / max(1, wrong), 4),
    }


def freetext_metrics(evaluator: Any) -> dict[str, Any]:
    cases = [c for c in datasets.freetext_answers() if is_validation(c.group)]
    heldout = datasets.freetext_heldout()
    requests = [(c.question_text, c.answer, c.level, None) for c in cases + heldout]
    graded = _grade(evaluator, requests)
    rows = list(zip(cases, graded[: len(cases)], strict=True))
    blind = list(zip(heldout, graded[len(cases) :], strict=True))
    reworded = [(c, e) for c, e in rows if c.bank_id is not None]
    dims: dict[str, dict[str, list[float]]] = {
        "strong": defaultdict(list),
        "weak": defaultdict(list),
    }
    for c, e in rows:
        if c.band in dims:
            for d in e.dimensions:
                dims[c.band][d.name].append(d.score)
    strong_min = min((median(v) for v in dims["strong"].values()), default=0.0)
    weak_max = max((median(v) for v in dims["weak"].values()), default=0.0)
    on_topic_flagged = sum(
        "wrong_question" in e.flags for c, e in rows if c.band in ("strong", "adequate")
    )
    return {
        **_band_figures(rows, "freetext_"),
        "freetext_reworded_spearman": _rho(reworded),
        "freetext_reworded_resolved_rate": round(
            sum(e.rubric is not None and e.rubric.question_id == c.bank_id for c, e in reworded)
            / max(1, len(reworded)),
            4,
        ),
        "freetext_strong_min_dimension_median": strong_min,
        "freetext_weak_max_dimension_median": weak_max,
        "freetext_on_topic_wrong_question_flags": on_topic_flagged,
        "freetext_validation_answers": len(rows),
        **_band_figures(blind, "freetext_heldout_"),
        "freetext_heldout_answers": len(blind),
    }


def resolution_metrics(evaluator: Any) -> dict[str, float]:
    rows = [p for p in datasets.question_phrasings() if is_validation(p.bank_id or p.id)]
    resolver = getattr(evaluator, "offline", evaluator).resolver  # resolution is ours either way
    got = [(p, resolver.resolve(p.text).question_id) for p in rows]
    para = [(p, g) for p, g in got if p.bank_id]
    outside = [(p, g) for p, g in got if not p.bank_id]
    return {
        "resolution_paraphrase_rate": round(
            sum(g == p.bank_id for p, g in para) / max(1, len(para)), 4
        ),
        "resolution_outside_matched_rate": round(
            sum(g is not None for _, g in outside) / max(1, len(outside)), 4
        ),
        "resolution_validation_phrasings": len(rows),
    }


def short_answer_metrics(evaluator: Any) -> dict[str, Any]:
    """Our grade (overall, 1-4) against the graders' mean mark (0-5), by Pearson and by RMSE
    after mapping the grade linearly onto 0-5; per question and overall."""
    rows = [s for s in datasets.short_answers() if is_validation(s.question_text)]
    evals = _grade(evaluator, [(s.question_text, s.answer, "mid", s.reference) for s in rows])
    ours = [(e.overall - 1) / 3 * 5 for e in evals]
    truth = [s.score for s in rows]
    a = [s.marks[0] for s in rows]
    b = [s.marks[1] for s in rows]
    by_q: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for s, o in zip(rows, ours, strict=True):
        by_q[s.question_text][0].append(s.score)
        by_q[s.question_text][1].append(o)
    return {
        "metrics": {
            "short_answer_pearson": round(pearson(truth, ours), 4),
            "short_answer_rmse": round(rmse(truth, ours), 4),
            "short_answer_grader_agreement": round(pearson(a, b), 4),
            "short_answer_validation_answers": len(rows),
        },
        "by_question": {
            q: {"pearson": round(pearson(t, o), 4), "rmse": round(rmse(t, o), 4), "n": len(t)}
            for q, (t, o) in by_q.items()
        },
    }
