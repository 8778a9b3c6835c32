"""The retrieval eval on the System Design Primer, held to the issue's thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.retrieval_metrics import (
    RetrievalCase,
    heading_cases,
    load_query_set,
    mean_reciprocal_rank,
    recall_at_k,
    run_retrieval_suite,
)

REPO = Path(__file__).resolve().parents[2]


def test_metric_functions() -> None:
    ranks = [1, 3, None, 6]
    assert recall_at_k(ranks, 1) == 0.25 and recall_at_k(ranks, 5) == 0.5
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 1 / 6) / 4)


def test_query_sets_validate(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- q: hi there\n")
    with pytest.raises(ValueError, match=r"bad.yaml: \[0\]"):
        load_query_set(bad)
    assert RetrievalCase(q="abc", expected_heading="X").expected_heading == ["X"]


def test_heading_set_needs_ids_and_notes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cases = heading_cases()  # the bundled set loads, and each case names a note that exists
    notes = {p.stem for p in (REPO / "content" / "notes").glob("*.md")}
    assert len(cases) >= 80 and {c.expected_doc for c in cases} <= notes
    path = tmp_path / "h.yaml"
    path.write_text(
        "- {id: a, q: one query, expected_doc: caching}\n- {id: a, q: two, expected_doc: x}\n"
    )
    with pytest.raises(ValueError, match="unique id"):
        heading_cases(path)
    path.write_text("- {id: a, q: one query, expected_heading: Stampedes}\n")
    with pytest.raises(ValueError, match="expected_doc"):
        heading_cases(path)


@pytest.mark.slow
def test_primer_retrieval_meets_thresholds(settings, embedder, primer_dir) -> None:  # type: ignore[no-untyped-def]
    metrics = run_retrieval_suite(settings, embedder, include_notes=False)
    para, cards = metrics["primer_paraphrased"], metrics["primer_flash_cards"]
    assert para["queries"] >= 40
    assert para["recall@5"] >= 0.85 and para["mrr"] >= 0.7, para
    assert cards["recall@5"] >= 0.95, cards
