"""The interview engine: opens an interview, takes turns, gives hints, and finishes with a grade.

Planning is always ours (`planner.py`); phrasing is either the offline templates or an LLM
(`llm_phraser.py`). The clock is injected so tests can run 45 minutes in milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from agents.evaluation import Evaluation
from agents.evaluator import OfflineEvaluator, Segment
from agents.interviewer.phases import items_for_phase
from agents.interviewer.phrasing import one_question, phrases, topic
from agents.interviewer.planner import Plan, Planner
from agents.interviewer.reading import Reader
from agents.interviewer.state import HintRecord, InterviewState
from content.schema import Question, RubricItem

Clock = Callable[[], float]


class Phraser(Protocol):
    name: str

    def stream(
        self,
        question: Question,
        state: InterviewState,
        plan: Plan,
        mode: str,
        last_message: str = "",
    ) -> Iterator[str]: ...


class OfflinePhraser:
    """Says the planner's words as they are, a few words per chunk (so the UI streams alike)."""

    name = "offline"

    def stream(
        self,
        question: Question,
        state: InterviewState,
        plan: Plan,
        mode: str,
        last_message: str = "",
    ) -> Iterator[str]:
        yield from re.findall(r"\S+\s*", one_question(plan.text))


@dataclass
class Hint:
    level: int
    text: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    item_id: str | None = None


class Retriever(Protocol):
    def search(
        self,
        query: str,
        k: int = 5,
        corpus: str | None = ...,
        topics: list[str] | None = None,
        *,
        memo: bool = False,
    ) -> list[Any]: ...


class InterviewEngine:
    def __init__(self, evaluator: OfflineEvaluator, retriever: Retriever | None = None):
        self.evaluator = evaluator
        self.reader = Reader(evaluator.judge, evaluator.bank.concepts)
        self.retriever = retriever

    def open(
        self, question: Question, level: str, seed: str, now: float
    ) -> tuple[InterviewState, Plan]:
        state = InterviewState(seed=seed)
        plan = Planner(question, level, seed).opening(state, now)
        state.last_question = "What would you like to pin down about the requirements?"
        return state, plan

    def turn(
        self,
        question: Question,
        state: InterviewState,
        level: str,
        seed: str,
        message: str,
        now: float,
    ) -> Plan:
        """Reads the candidate's message and plans the reply (mutates `state`)."""
        reading = self.reader.read(question, message)
        plan = Planner(question, level, seed).plan(state, reading, now)
        plan.level = level
        if plan.kind not in ("redirect", "off_topic", "dont_know", "clarify"):
            state.last_question = plan.question
        return plan

    # -- coach mode ----------------------------------------------------------------------
    def _hint_target(
        self, question: Question, state: InterviewState, level: str
    ) -> RubricItem | None:
        ranks = {"mid": 0, "senior": 1, "staff": 2}
        items = [
            i
            for i in items_for_phase(question, state.phase)
            if ranks[i.level] <= ranks[level] and state.status(i.id) != "covered"
        ]
        items.sort(key=lambda i: (-i.weight, i.id))
        return items[0] if items else None

    def hint(self, question: Question, state: InterviewState, level: str) -> Hint:
        """The next hint of this phase: a nudge, then a cited pointer, then an outline point."""
        item = self._hint_target(question, state, level)
        n = state.hint_level()
        P = phrases()
        if item is None:
            return Hint(n, "You've covered what this phase needs; move on when you're ready.")
        if n == 1:
            probe = next(
                (
                    p
                    for p in question.probes
                    if p.trigger == f"item:{item.id}" and p.id not in state.asked_probes
                ),
                None,
            )
            nudge = (
                probe.question
                if probe
                else f"what are the options for {topic(item)}, and what does each one cost?"
            )
            hint = Hint(1, P.hint[1].format(nudge=nudge), item_id=item.id)
        elif n == 2 and self.retriever is not None:
            cites = self.retriever.search(
                f"{question.title}: {item.text}", k=2, corpus="notes", memo=True
            )
            heading = cites[0].heading if cites else "the related notes"
            text = P.hint[2].format(concept=topic(item), citation_heading=heading)
            hint = Hint(2, text, [c.model_dump() for c in cites], item.id)
        else:
            text = P.hint[3].format(outline=self._outline_point(question, item))
            hint = Hint(3, text, item_id=item.id)
        state.hints.append(HintRecord(phase=state.phase, level=hint.level, item_id=item.id))
        return hint

    def _outline_point(self, question: Question, item: RubricItem) -> str:
        vecs = self.evaluator.embedder.encode([item.text, *question.reference_outline])
        best = int(np.argmax(vecs[1:] @ vecs[0]))
        return question.reference_outline[best]

    # -- finish --------------------------------------------------------------------------
    def grade(
        self,
        question: Question,
        segments: list[Segment],
        level: str,
        state: InterviewState,
        evaluator: Any = None,
    ) -> Evaluation:
        """Grades the whole transcript; items a hint pointed at count as partial at best."""
        ev = (evaluator or self.evaluator).grade(question, segments, level)
        hinted = state.hinted_items
        if not hinted:
            return ev
        items = [
            it.model_copy(update={"status": "partial", "note": "after a hint"})
            if it.id in hinted and it.status == "covered"
            else it
            for it in ev.items
        ]
        if items == ev.items:
            return ev.model_copy(update={"flags": sorted({*ev.flags, "hints_used"})})
        return self.evaluator.regrade(ev, items, question, level, flags=["hints_used"])
