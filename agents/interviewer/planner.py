"""The planner: after each candidate message, decides the phase and the one next question.

Probes come from the bank and target what the candidate's answers lack: a technology named without
a justification, a rubric item of this phase still uncovered, and in the deep dive and trade-off
phases a failure scenario. A probe is never asked twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents.interviewer.phases import PHASE_NAMES, items_for_phase
from agents.interviewer.phrasing import phrases, pick, topic
from agents.interviewer.reading import Reading
from agents.interviewer.state import InterviewState
from content.schema import LEVELS, PHASES, FailureScenario, Phase, Probe, Question, RubricItem

CONCEPT_PROBE_PHASES = ("api_and_data", "high_level_design", "deep_dive", "tradeoffs_and_failures")
SCENARIO_PHASES = ("deep_dive", "tradeoffs_and_failures")


@dataclass
class Plan:
    kind: str
    question: str  # the one question the interviewer asks
    preface: list[str] = field(default_factory=list)  # transition, acknowledgement, facts
    target: dict[str, Any] = field(default_factory=dict)  # what the question probes, for evals
    item: RubricItem | None = None
    probe: Probe | None = None
    scenario: FailureScenario | None = None
    transitioned_to: Phase | None = None
    level: str = "senior"

    @property
    def text(self) -> str:
        return " ".join([*self.preface, self.question]).strip()


def _level_order(level: str) -> Callable[[Any], tuple[int, int]]:
    """Probes for the candidate's own level first, then the levels next to it."""
    rank = LEVELS.index(level)  # type: ignore[arg-type]

    def key(p: Any) -> tuple[int, int]:
        return (abs(LEVELS.index(p.level) - rank), 0)

    return key


class Planner:
    def __init__(self, question: Question, level: str, session_seed: str):
        self.q = question
        self.level = level
        self.seed = session_seed
        self.P = phrases()

    def _pick(self, options: list[str], st: InterviewState, salt: str) -> str:
        return pick(options, f"{self.seed}:{st.turn}:{salt}")

    def _expected(self, item: RubricItem) -> bool:
        return LEVELS.index(item.level) <= LEVELS.index(self.level)  # type: ignore[arg-type]

    # -- phase control -------------------------------------------------------------------
    def _phase_over(self, st: InterviewState, now: float) -> bool:
        budget = self.q.phases[st.phase] * 60
        if now - st.phase_started >= budget:
            return True
        items = [i for i in items_for_phase(self.q, st.phase) if self._expected(i)]
        return bool(items) and all(st.status(i.id) == "covered" for i in items)

    def _advance(self, st: InterviewState, now: float) -> Phase | None:
        """Moves on when the phase's budget is spent or its items are covered; the whole
        interview's budget running out jumps to the wrap-up."""
        if st.phase == "wrap_up":
            return None
        total = self.q.total_minutes * 60
        target: Phase | None = None
        if now - st.started >= total - self.q.phases["wrap_up"] * 60:
            target = "wrap_up"
        elif self._phase_over(st, now):
            target = st.next_phase()
        if target and target != st.phase:
            st.phase = target
            st.phase_started = now
            return target
        return None

    # -- choosing the question -----------------------------------------------------------
    def _concept_probe(self, st: InterviewState, reading: Reading) -> Probe | None:
        if st.phase not in CONCEPT_PROBE_PHASES:
            return None
        unjustified = {c for c, ok in st.named.items() if not ok}
        fresh = [c for c, ok in reading.named.items() if not ok]
        candidates = [
            p
            for p in self.q.probes
            if p.trigger_kind == "concept"
            and p.trigger_value in unjustified
            and p.id not in st.asked_probes
        ]
        candidates.sort(key=lambda p: (p.trigger_value not in fresh, *_level_order(self.level)(p)))
        return candidates[0] if candidates else None

    def _item_probe(self, st: InterviewState) -> Probe | None:
        phase_items = {i.id for i in items_for_phase(self.q, st.phase) if self._expected(i)}
        candidates = [
            p
            for p in self.q.probes
            if p.trigger_kind == "item"
            and p.trigger_value in phase_items
            and st.status(p.trigger_value) != "covered"
            and p.id not in st.asked_probes
        ]
        candidates.sort(key=_level_order(self.level))
        return candidates[0] if candidates else None

    def _scenario(self, st: InterviewState) -> FailureScenario | None:
        if st.phase not in SCENARIO_PHASES:
            return None
        left = [s for s in self.q.failure_scenarios if s.id not in st.asked_scenarios]
        return left[0] if left else None

    def _uncovered_item(self, st: InterviewState) -> RubricItem | None:
        items = [
            i
            for i in items_for_phase(self.q, st.phase)
            if self._expected(i) and st.status(i.id) != "covered" and i.id not in st.asked_items
        ]
        items.sort(key=lambda i: -i.weight)
        return items[0] if items else None

    def _probe_plan(self, st: InterviewState, probe: Probe) -> Plan:
        st.asked_probes.append(probe.id)
        kind, value = probe.trigger_kind, probe.trigger_value
        status = "unjustified" if kind == "concept" else st.status(value)
        return Plan(
            "probe",
            probe.question,
            probe=probe,
            target={"kind": kind, "id": value, "status": status, "probe": probe.id},
        )

    def _scenario_plan(self, st: InterviewState, scenario: FailureScenario) -> Plan:
        st.asked_scenarios.append(scenario.id)
        return Plan(
            "scenario",
            scenario.question,
            scenario=scenario,
            target={"kind": "scenario", "id": scenario.id},
        )

    def next_question(self, st: InterviewState, reading: Reading, opened: bool) -> Plan:
        """The next question in the current phase; `opened` means the phase just began."""
        if st.phase == "wrap_up":
            st.wrap_up_asked = True
            return Plan("wrap_up", self.P.phase_opening["wrap_up"], target={"kind": "phase"})
        if opened:
            return Plan("phase_open", self.P.phase_opening[st.phase], target={"kind": "phase"})
        probe = self._concept_probe(st, reading)
        if probe:
            return self._probe_plan(st, probe)
        scenario_first = st.phase == "tradeoffs_and_failures"
        scenario = self._scenario(st)
        if scenario and scenario_first:
            return self._scenario_plan(st, scenario)
        probe = self._item_probe(st)
        if probe:
            return self._probe_plan(st, probe)
        if scenario:
            return self._scenario_plan(st, scenario)
        item = self._uncovered_item(st)
        if item:
            st.asked_items.append(item.id)
            text = self._pick(self.P.item_question, st, "item").format(topic=topic(item))
            return Plan(
                "item",
                text,
                item=item,
                target={"kind": "item", "id": item.id, "status": st.status(item.id)},
            )
        # Nothing left to ask here: move on.
        nxt = st.next_phase()
        if nxt is None:
            return Plan("done", self.P.wrap_up_done, target={"kind": "end"})
        st.phase = nxt
        plan = self.next_question(st, reading, opened=True)
        plan.transitioned_to = nxt
        return plan

    def plan(self, st: InterviewState, reading: Reading, now: float) -> Plan:
        st.turn += 1
        last = st.last_question or self.P.phase_opening.get(st.phase, "")
        if reading.kind == "clarify":
            return self._non_answer(st, reading, last)
        for item_id, status in reading.coverage.items():
            st.merge(item_id, status)  # type: ignore[arg-type]
        for concept, justified in reading.named.items():
            st.named[concept] = st.named.get(concept, False) or justified
        if st.phase == "wrap_up" and st.wrap_up_asked:
            st.done = True
            return Plan("done", self.P.wrap_up_done, target={"kind": "end"})
        moved = self._advance(st, now)
        if reading.kind != "answer" and moved is None:
            return self._non_answer(st, reading, last)  # the clock, not the answer, moves phases
        plan = self.next_question(st, reading, opened=moved is not None)
        moved = plan.transitioned_to or moved
        if moved:
            plan.transitioned_to = moved
            plan.preface.insert(
                0, self._pick(self.P.transition, st, "t").format(phase=PHASE_NAMES[moved])
            )
        elif plan.kind != "done":
            plan.preface.insert(0, self._pick(self.P.acknowledge, st, "a"))
        return plan

    def _non_answer(self, st: InterviewState, reading: Reading, last: str) -> Plan:
        if reading.kind == "clarify":
            if reading.facts:
                facts = " ".join(f"{f.name.capitalize()}: {f.value}." for f in reading.facts)
                text = self._pick(self.P.clarify, st, "c").format(facts=facts)
            else:
                text = self.P.clarify_unknown
            return Plan(
                "clarify",
                text,
                target={"kind": "clarify", "facts": [f.name for f in reading.facts]},
            )
        if reading.kind == "dont_know":
            simpler = self.P.phase_opening.get(st.phase) or last
            return Plan(
                "dont_know",
                self._pick(self.P.dont_know, st, "d").format(simpler=simpler),
                target={"kind": "redirect"},
            )
        if reading.kind == "redirect":
            return Plan(
                "redirect",
                self._pick(self.P.redirect, st, "r").format(last=last),
                target={"kind": "redirect"},
            )
        return Plan("off_topic", self.P.off_topic.format(last=last), target={"kind": "redirect"})

    def opening(self, st: InterviewState, now: float) -> Plan:
        st.started = st.phase_started = now
        st.phase = PHASES[0]
        text = pick(self.P.opening, self.seed).format(
            title=self.q.title, prompt=self.q.prompt, minutes=self.q.total_minutes
        )
        return Plan("opening", text, target={"kind": "phase"})
