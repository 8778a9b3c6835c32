"""The drill grader on drill answers of known quality: the grade (share of the card's reference
points made) against the label, by Spearman, on the tuning and the validation split."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents import rubric as rubrics
from agents.drills.cards import card_for_key
from agents.drills.schedule import credit_of
from agents.engines import Evaluator
from content.loader import Bank
from evals import datasets
from evals.datasets import DatasetError
from evals.metrics import spearman
from evals.splits import split_of

PASSING = ("good", "easy")


def drill_total() -> int:
    return len(datasets.drill_answers())


def grade_drill(evaluator: Evaluator, prompt: str, reference: str, answer: str) -> float:
    """The credit the app gives a drill answer (agents.drills.service does the same)."""
    ev = evaluator.grade(prompt, answer, "senior", reference)
    ids = {i.id for i in rubrics.reference_items(reference, prompt)}
    return credit_of([i.status for i in ev.items if i.id in ids])


def run_drills_suite(
    evaluator: Evaluator, bank: Bank, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    cases = datasets.drill_answers()
    rules = bank.drill_rules
    assert rules is not None, "content/drills/rules.yaml is missing"
    rows = []
    for case in cases:
        card = card_for_key(case.card, bank)
        if card is None:
            raise DatasetError(f"evals/data/drills.yaml: {case.id}: no card {case.card!r}")
        credit = grade_drill(evaluator, card.prompt, card.reference, case.answer)
        rows.append((case, credit, rules.rating_for(credit), split_of(case.card)))
        if progress:
            progress(1)
    metrics: dict[str, float] = {"drills_cases": len(rows)}
    for name, part in (
        ("", rows),
        ("_tuning", [r for r in rows if r[3] == "tuning"]),
        ("_validation", [r for r in rows if r[3] == "validation"]),
    ):
        metrics[f"drills_spearman{name}"] = round(
            spearman([r[0].label for r in part], [r[1] for r in part]), 4
        )
    clear = [r for r in rows if r[0].label != 2]  # the middle label may go either way
    metrics["drills_pass_agreement"] = round(
        sum((r[2] in PASSING) == (r[0].label >= 3) for r in clear) / max(1, len(clear)), 4
    )
    metrics["drills_validation_cases"] = sum(r[3] == "validation" for r in rows)
    details = [
        {
            "id": r[0].id,
            "label": r[0].label,
            "credit": round(r[1], 3),
            "rating": r[2],
            "split": r[3],
        }
        for r in rows
    ]
    return {"metrics": metrics, "cases": details}
