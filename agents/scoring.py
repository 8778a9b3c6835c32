"""Turns judged rubric items into dimension scores, an overall score and a verdict.

Code, never a model, computes these numbers. The weights and curves are documented here and in the
README: a dimension's score follows the weighted share of its expected items that the answer covers;
the overall is the level-weighted mean of the dimensions; flags cap what a gamed answer can reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.judge import Judged
from content.schema import DIMENSIONS, LEVELS

# How much each dimension counts in the overall, by level: seniors are judged more on depth,
# staff candidates more on trade-offs and failure modes.
LEVEL_WEIGHTS: dict[str, dict[str, float]] = {
    "mid": {
        "requirements": 1.0,
        "api_and_data": 1.0,
        "high_level_design": 1.25,
        "deep_dive": 1.0,
        "tradeoffs": 0.75,
        "reliability": 0.75,
        "communication": 0.75,
    },
    "senior": {
        "requirements": 1.0,
        "api_and_data": 1.0,
        "high_level_design": 1.0,
        "deep_dive": 1.25,
        "tradeoffs": 1.0,
        "reliability": 1.0,
        "communication": 0.75,
    },
    "staff": {
        "requirements": 1.0,
        "api_and_data": 0.75,
        "high_level_design": 1.0,
        "deep_dive": 1.25,
        "tradeoffs": 1.25,
        "reliability": 1.25,
        "communication": 1.0,
    },
}
# Items above the candidate's level count as a bonus at this share of their weight.
ABOVE_LEVEL_SHARE = 0.5
# Coverage (0..1) to score (1..4): a strong written answer covers about two thirds of a rubric.
CURVE_X = (0.0, 0.15, 0.35, 0.55, 0.75, 1.0)
CURVE_Y = (1.0, 1.5, 2.35, 3.15, 3.85, 4.0)
# The most an answer with each flag can score, on every dimension and so overall.
FLAG_CAPS: dict[str, float] = {
    "off_topic": 1.0,
    "no_answer": 1.0,
    "too_short": 1.25,
    "echoes_question": 1.5,
    "keyword_list": 1.75,
    "wrong_question": 1.75,
}
INJECTION_PENALTY = 0.25
# Each red flag (a known design mistake the answer commits, agents.red_flags) costs this much on
# the dimensions where design judgement shows.
RED_FLAG_PENALTY = 1.0
RED_FLAG_DIMENSIONS = ("deep_dive", "tradeoffs", "reliability")
VERDICTS = ((3.5, "strong_hire"), (2.75, "hire"), (2.0, "lean_no_hire"), (0.0, "no_hire"))


@dataclass(frozen=True)
class DimensionResult:
    name: str
    score: float
    assessed: bool
    coverage: float


def _rank(level: str) -> int:
    return LEVELS.index(level)


def is_expected(item_level: str, level: str) -> bool:
    """An item is expected of a candidate at or above the item's level."""
    return _rank(item_level) <= _rank(level)


def coverage(judged: list[Judged], level: str, bonus: frozenset[str] = frozenset()) -> float:
    """Weighted credit over the items expected at `level`; items above it, and `bonus` items
    (what a written answer may show but cannot be asked for), add a capped bonus."""
    expected = [j for j in judged if is_expected(j.item.level, level) and j.item.id not in bonus]
    above = [j for j in judged if not is_expected(j.item.level, level) or j.item.id in bonus]
    if not expected:
        expected, above = judged, []
    total = sum(j.item.weight for j in expected)
    got = sum(j.item.weight * j.credit for j in expected)
    got += ABOVE_LEVEL_SHARE * sum(j.item.weight * j.credit for j in above)
    return min(1.0, got / total) if total else 0.0


def curve(cov: float) -> float:
    return float(np.interp(cov, CURVE_X, CURVE_Y))


def dimension_scores(
    judged: list[Judged], level: str, bonus: frozenset[str] = frozenset()
) -> list[DimensionResult]:
    out = []
    assessed_scores = []
    for dim in DIMENSIONS:
        mine = [j for j in judged if j.item.dimension == dim]
        if not mine:
            out.append(DimensionResult(dim, 1.0, False, 0.0))
            continue
        cov = coverage(mine, level, bonus)
        score = round(curve(cov) * 4) / 4  # quarter points
        assessed_scores.append(score)
        out.append(DimensionResult(dim, score, True, round(cov, 4)))
    # A dimension the rubric does not assess shows the mean of those it does, and is not counted.
    mean = round(sum(assessed_scores) / len(assessed_scores) * 4) / 4 if assessed_scores else 1.0
    return [d if d.assessed else DimensionResult(d.name, mean, False, 0.0) for d in out]


def apply_flags(dims: list[DimensionResult], flags: list[str]) -> list[DimensionResult]:
    cap = min([FLAG_CAPS[f] for f in flags if f in FLAG_CAPS], default=4.0)
    penalty = INJECTION_PENALTY if "prompt_injection" in flags else 0.0
    return [
        DimensionResult(d.name, max(1.0, min(cap, d.score - penalty)), d.assessed, d.coverage)
        for d in dims
    ]


def apply_red_flags(dims: list[DimensionResult], count: int) -> list[DimensionResult]:
    cut = RED_FLAG_PENALTY * count
    return [
        DimensionResult(d.name, max(1.0, d.score - cut), d.assessed, d.coverage)
        if d.name in RED_FLAG_DIMENSIONS
        else d
        for d in dims
    ]


# The numbers check (interviews): an estimate off by 10x or more that the candidate never fixed
# costs requirements this much; one off by 3-10x half of it; a slip fixed after the probe a
# little (they made it, and needed the prompt). Charged for two slips at most.
NUMBER_SLIP_PENALTY = 0.75
NUMBER_BIG_SLIP = 10.0
NUMBER_FIXED_PENALTY = 0.25
MAX_CHARGED_SLIPS = 2
# A twist (a requirement change mid-interview) the design ignored costs the deep dive.
TWIST_PENALTY = {"adapted": 0.0, "partly_adapted": 0.25, "ignored": 0.75, "not_answered": 0.5}


def number_penalty(slips: list[tuple[float, bool]]) -> float:
    """`slips`: (how far off, as a factor >= 1; corrected after the probe) per flagged figure."""
    costs = sorted(
        (
            NUMBER_FIXED_PENALTY
            if fixed
            else NUMBER_SLIP_PENALTY
            if factor >= NUMBER_BIG_SLIP
            else NUMBER_SLIP_PENALTY / 2
        )
        for factor, fixed in slips
    )
    return sum(costs[-MAX_CHARGED_SLIPS:])


def overall(dims: list[DimensionResult], level: str) -> float:
    weights = LEVEL_WEIGHTS[level]
    counted = [d for d in dims if d.assessed] or dims
    total = sum(weights[d.name] for d in counted)
    return round(sum(weights[d.name] * d.score for d in counted) / total, 2)


def verdict(score: float) -> str:
    return next(v for threshold, v in VERDICTS if score >= threshold)
