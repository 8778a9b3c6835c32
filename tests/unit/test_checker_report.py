"""The per-file checker report counts every planted case once, under the right measure."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from evals.checker_report import file_report
from evals.schema import EstimateCase
from tests.support.engines import offline_evaluator


def test_each_case_is_counted_under_its_measure(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(
        """
- id: t-clean
  question: url-shortener
  kind: clean
  message: "100 million new links a month is about 40 per second on average."
- id: t-arith
  question: url-shortener
  kind: arithmetic
  message: "10 billion redirects a month works out to roughly 400 per second on average."
  wrong_figure: roughly 400 per second
- id: t-selfcon
  question: rate-limiter
  kind: self_contradiction
  earlier: "I'll commit to failing open: if the counter store is down we admit the request."
  message: "If the counter store is down we reject the request with a 429 instead."
  wrong_figure: reject the request with a 429
""",
        encoding="utf-8",
    )
    report = file_report(path, offline_evaluator())
    assert report == {
        "false alarms": (0, 1),
        "numbers caught": (1, 1),
        "contradictions caught": (1, 1),
    }


def test_a_corrected_message_belongs_to_a_slip_and_differs_from_it() -> None:
    base = {
        "id": "t-arith",
        "question": "url-shortener",
        "kind": "arithmetic",
        "message": "10 billion redirects a month works out to roughly 400 per second.",
        "wrong_figure": "roughly 400 per second",
    }
    fixed = "10 billion redirects a month works out to roughly 4,000 per second."
    assert EstimateCase.model_validate({**base, "corrected": fixed}).corrected == fixed
    with pytest.raises(ValidationError, match="is the message"):
        EstimateCase.model_validate({**base, "corrected": base["message"]})
    with pytest.raises(ValidationError, match="only arithmetic and unit slips"):
        EstimateCase.model_validate({**base, "kind": "clean", "corrected": fixed})
