"""Which rubric items each phase is about, and what the interviewer says when moving on."""

from __future__ import annotations

import re

from content.schema import Phase, Question, RubricItem

_ESTIMATE = re.compile(
    r"estimat|qps|per second|/s\b|storage|bandwidth|back-of|capacity|throughput|terabyte|\btb\b|"
    r"gb\b|how many|numbers|sizing|size",
    re.I,
)
PHASE_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "requirements": ("requirements",),
    "estimation": ("requirements",),
    "api_and_data": ("api_and_data",),
    "high_level_design": ("high_level_design",),
    "deep_dive": ("deep_dive",),
    "tradeoffs_and_failures": ("tradeoffs", "reliability"),
    "wrap_up": ("communication",),
}
PHASE_NAMES: dict[str, str] = {
    "requirements": "requirements",
    "estimation": "estimation",
    "api_and_data": "API and data model",
    "high_level_design": "high-level design",
    "deep_dive": "deep dive",
    "tradeoffs_and_failures": "trade-offs and failure modes",
    "wrap_up": "wrap-up",
}


def is_estimate(item: RubricItem) -> bool:
    return bool(_ESTIMATE.search(item.text + " " + " ".join(item.signals)))


def items_for_phase(question: Question, phase: Phase) -> list[RubricItem]:
    dims = PHASE_DIMENSIONS[phase]
    items = [i for i in question.rubric if i.dimension in dims]
    if phase == "requirements":
        return [i for i in items if not is_estimate(i)] or items
    if phase == "estimation":
        return [i for i in items if is_estimate(i)] or items
    return items
