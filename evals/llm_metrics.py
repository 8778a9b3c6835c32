"""The figures only an LLM engine has: how often the model's words or judgements were used, how
often it fell back to the offline engine, and how long a turn took."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def turns_of(details: dict[str, Any]) -> list[dict[str, Any]]:
    """Every interviewer turn the suites took: the interviewer suite's replies (each the turn's
    `done` payload) and the injection suite's attacks on the interviewer."""
    turns = [r for run in details.get("interviewer", {}).get("runs", []) for r in run["replies"]]
    turns += [
        c
        for c in details.get("injection", {}).get("cases", [])
        if c.get("target") == "interviewer" and "seconds" in c
    ]
    return turns


def _notice(turn: dict[str, Any]) -> Any:
    return turn["notice"] if "notice" in turn else (turn.get("reply") or {}).get("notice")


def turn_metrics(turns: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Figures over turns, each a `done` payload or an injection case: `seconds`, the reply's
    notice (the offline interviewer answered), and `http_status` where it was not 200."""
    turns = list(turns)
    seconds = [float(t.get("seconds", 0.0)) for t in turns]
    fell_back = sum(1 for t in turns if _notice(t))
    return {
        "llm_turns": len(turns),
        "llm_turn_fallback_rate": round(fell_back / max(1, len(turns)), 4),
        "llm_turn_phrased_rate": round(1 - fell_back / max(1, len(turns)), 4) if turns else 0.0,
        "llm_turn_errors": sum(1 for t in turns if int(t.get("http_status", 200)) >= 500),
        "llm_turn_latency_p50": round(percentile(seconds, 50), 3),
        "llm_turn_latency_p95": round(percentile(seconds, 95), 3),
        "llm_turn_latency_max": round(max(seconds, default=0.0), 3),
    }


def judge_metrics(before: Counter[str], after: Counter[str]) -> dict[str, float]:
    """Judge calls between two snapshots of `agents.llm_evaluator.JUDGE_STATS`."""
    d = {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)}
    grades = d.get("graded", 0) + d.get("fallbacks", 0)
    return {
        "llm_judge_requests": d.get("requests", 0),
        "llm_judge_replies": d.get("replies", 0),
        "llm_judge_valid_json_rate": round(d.get("valid", 0) / max(1, d.get("replies", 0)), 4),
        "llm_grades": grades,
        "llm_grade_fallback_rate": round(d.get("fallbacks", 0) / max(1, grades), 4),
    }
