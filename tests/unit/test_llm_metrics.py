"""The eval figures only an LLM engine has: fallbacks, valid JSON, turn latency."""

from __future__ import annotations

from collections import Counter

from evals.llm_metrics import judge_metrics, percentile, turn_metrics, turns_of


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 50) == 10.0 and percentile(values, 95) == 19.0
    assert percentile([], 95) == 0.0 and percentile([3.0], 95) == 3.0


def test_turn_figures_from_both_suites() -> None:
    details = {
        "interviewer": {
            "runs": [
                {
                    "replies": [
                        {"seconds": 1.0, "status": "active", "reply": {"notice": None}},
                        {"seconds": 3.0, "status": "completed", "reply": {"notice": "(off)"}},
                    ]
                }
            ]
        },
        "injection": {
            "cases": [
                {"target": "evaluator", "overall": 1.0},
                {"target": "interviewer", "seconds": 2.0, "notice": None, "http_status": 200},
                {"target": "interviewer", "seconds": 9.0, "notice": None, "http_status": 502},
            ]
        },
    }
    turns = turns_of(details)
    assert len(turns) == 4
    m = turn_metrics(turns)
    assert m["llm_turns"] == 4 and m["llm_turn_fallback_rate"] == 0.25
    assert m["llm_turn_errors"] == 1
    assert m["llm_turn_latency_p50"] == 2.0 and m["llm_turn_latency_p95"] == 9.0


def test_judge_figures_are_the_difference_of_two_snapshots() -> None:
    before = Counter(requests=5, replies=4, valid=2, graded=2, fallbacks=1)
    after = Counter(requests=11, replies=9, valid=5, graded=5, fallbacks=2)
    m = judge_metrics(before, after)
    assert m["llm_judge_requests"] == 6 and m["llm_judge_replies"] == 5
    assert m["llm_judge_valid_json_rate"] == 0.6
    assert m["llm_grades"] == 4 and m["llm_grade_fallback_rate"] == 0.25
