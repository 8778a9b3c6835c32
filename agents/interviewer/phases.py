"""Which rubric items each phase is about, and what the interviewer says when moving on."""

from __future__ import annotations

import re
from functools import lru_cache

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


# An item named for its arithmetic ("storage-estimate", "token-and-cost-math", "load-shape").
_ESTIMATE_ID = re.compile(r"(?:^|-)(?:estimate|sizing|math|volume|load|capacity)(?:-|$)")


def is_estimate(item: RubricItem) -> bool:
    """Whether an item is about the numbers: named so, or its words name two different
    measures ("size and storage", "QPS and TB"). One passing word is not enough: "correctness
    before throughput" is a requirement, "per second limits" a rule's semantics."""
    words = item.text + " " + " ".join(item.signals)
    if _ESTIMATE_ID.search(item.id) or re.search(r"estimat", words, re.I):
        return True
    return len({_measure(m.group()) for m in _ESTIMATE.finditer(words)}) >= 2


def _measure(word: str) -> str:
    """What an estimate word measures: "QPS", "/s" and "throughput" are one (a rate)."""
    w = word.lower()
    if w in ("qps", "per second", "/s", "throughput"):
        return "rate"
    if w in ("storage", "terabyte", "tb", "gb", "size"):
        return "size"
    return w


def items_for_phase(question: Question, phase: Phase) -> list[RubricItem]:
    """The question's items this phase is about, then the behaviours it asks for (the grade
    counts "latency and availability targets" whichever question it is: so does the interview)."""
    dims = PHASE_DIMENSIONS[phase]
    items = [i for i in question.rubric if i.dimension in dims]
    if phase == "requirements":
        items = [i for i in items if not is_estimate(i)] or items
    elif phase == "estimation":
        # A question with no item on the numbers asks only for the numbers behaviours here,
        # not its requirements again under the estimation's name.
        items = [i for i in items if is_estimate(i)]
    return items + list(_asked_behaviours().get(phase, ()))


@lru_cache(maxsize=1)
def _asked_behaviours() -> dict[str, tuple[RubricItem, ...]]:
    from content.loader import bundled_bank

    out: dict[str, list[RubricItem]] = {}
    for b in bundled_bank().behaviours.values():
        if b.asked_in is not None:
            out.setdefault(b.asked_in, []).append(b.item)
    return {phase: tuple(items) for phase, items in out.items()}


def priority(item: RubricItem) -> tuple[bool, float]:
    """Which missing item to ask for first: the question's own before the behaviours every
    rubric carries ("the scope: groups, receipts" before "what users must be able to do"),
    heavier first."""
    return (item.id in _asked_behaviour_ids(), -item.weight)


@lru_cache(maxsize=1)
def _asked_behaviour_ids() -> frozenset[str]:
    return frozenset(i.id for items in _asked_behaviours().values() for i in items)
