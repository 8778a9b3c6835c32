"""The drill grader against the labelled drill answers (the `drills` eval suite)."""

from __future__ import annotations

from content.loader import bundled_bank
from evals.drills_suite import run_drills_suite
from tests.support.engines import offline_evaluator


def test_drill_grades_rank_like_the_labels() -> None:
    out = run_drills_suite(offline_evaluator(), bundled_bank())
    m = out["metrics"]
    print("drill grading:", m)
    assert m["drills_cases"] >= 60
    assert m["drills_validation_cases"] >= 20
    assert m["drills_spearman_validation"] >= 0.8, m
    assert m["drills_spearman"] >= 0.8, m
    assert m["drills_pass_agreement"] >= 0.9, m
    # A "don't know" never passes, a full answer never fails.
    for case in out["cases"]:
        if case["label"] == 0:
            assert case["rating"] in ("again", "hard"), case
        if case["label"] == 4:
            assert case["rating"] in ("good", "easy"), case
