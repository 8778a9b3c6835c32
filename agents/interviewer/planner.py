"""The planner: after each candidate message, decides the phase and the one next question.

Probes come from the bank and target what the candidate's answers lack: a technology named without
a justification, a rubric item of this phase still uncovered, and in the deep dive and trade-off
phases a failure scenario. A probe is never asked twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents.estimates import OFF, Quantity, extract_quantities
from agents.interviewer.phases import PHASE_NAMES, items_for_phase, priority
from agents.interviewer.phrasing import joined, phrases, pick, topic
from agents.interviewer.reading import Reading, asks_for_size, clip_quote, is_assumption
from agents.interviewer.state import InterviewState, NumberCheck, TwistRecord
from agents.rubric import for_question
from agents.scoring import is_expected
from agents.text import content_words, has_signal, normalise, stem
from content.schema import LEVELS, PHASES, FailureScenario, Phase, Probe, Question, RubricItem

OVERRUN = 1.5  # a phase this far past its budget is interrupted, and the interviewer says so
CONCEPT_PROBE_PHASES = ("api_and_data", "high_level_design", "deep_dive", "tradeoffs_and_failures")
SCENARIO_PHASES = ("deep_dive", "tradeoffs_and_failures")
FIX_WITHIN = 3  # a questioned figure put right up to this many turns after it was said


@dataclass
class Plan:
    kind: str
    question: str  # the one question the interviewer asks
    preface: list[str] = field(default_factory=list)  # transition, acknowledgement, facts
    skipped: list[str] = field(default_factory=list)  # phases passed over as already covered
    target: dict[str, Any] = field(default_factory=dict)  # what the question probes, for evals
    item: RubricItem | None = None
    probe: Probe | None = None
    scenario: FailureScenario | None = None
    transitioned_to: Phase | None = None
    level: str = "senior"
    coach_preface: list[str] = field(default_factory=list)  # said only in coach mode
    quote: str | None = None  # the candidate's words the reply is about, if it quotes them

    @property
    def text(self) -> str:
        return joined([*self.preface, self.question])


def _level_order(level: str) -> Callable[[Any], tuple[int, int]]:
    """Probes for the candidate's own level first, then the levels next to it."""
    rank = LEVELS.index(level)

    def key(p: Any) -> tuple[int, int]:
        return (abs(LEVELS.index(p.level) - rank), 0)

    return key


def _facts_text(reading: Reading) -> str:
    """The scale facts a question asked for, as the interviewer states them ("API requests:
    about 10k per second at peak.")."""
    return " ".join(f"{f.name[:1].upper()}{f.name[1:]}: {f.value}." for f in reading.facts)


def _puts_right(n: NumberCheck, said: list[Quantity], checked: list[Quantity], clean: bool) -> bool:
    """Whether the figures just said put right the one questioned: one of its kind within OFF
    of what it should have been (the claim over its ratio to our value or to the fact), or the
    same figure again as the result of working that checks out. `clean`: the message has
    working and nothing in it was flagged."""
    claim = next(iter(extract_quantities(n.claim)), None)
    if claim is None or n.ratio <= 0:
        return clean  # nothing to compare with: the old reading, any correct message
    target = claim.value / n.ratio

    def near(q: Quantity, value: float) -> bool:
        return q.kind == claim.kind and 1 / OFF < q.value / value < OFF

    return any(near(q, target) for q in said) or any(near(q, claim.value) for q in checked)


# The item statuses an item probe is asked in (`Probe.when`): a push on a point made in part, or
# a probe written for a design that lacks the point, which re-asks a candidate who made it.
_ASKED_WHILE = {"not_covered": ("missing", "partial"), "missing": ("missing",)}


def _moved_past(st: InterviewState, probe: Probe) -> bool:
    """Whether the candidate spoke to a point that leaves the probe's premise behind
    (`Probe.unless`), even in part: "each document is owned by one server chosen by consistent
    hashing" answers "your WebSockets land on whichever server the load balancer picks" before
    it is asked, whether or not the owner's failover was covered too (collaborative-editor
    mock, 2026-12-08)."""
    return any(st.status(i) != "missing" for i in probe.unless)


class Planner:
    def __init__(self, question: Question, level: str, session_seed: str):
        self.q = question
        self.level = level
        self.seed = session_seed
        self.P = phrases()

    def _pick(self, options: list[str], st: InterviewState, salt: str) -> str:
        return pick(options, f"{self.seed}:{st.turn}:{salt}")

    def _expected(self, item: RubricItem) -> bool:
        return is_expected(item.level, self.level)

    # -- phase control -------------------------------------------------------------------
    def _phase_over(self, st: InterviewState, now: float) -> bool:
        budget = self.q.phases[st.phase] * 60
        if now - st.phase_started >= budget:
            return True
        return self._phase_covered(st)

    def _phase_covered(self, st: InterviewState) -> bool:
        items = [i for i in items_for_phase(self.q, st.phase) if self._expected(i)]
        return bool(items) and all(st.status(i.id) == "covered" for i in items)

    @staticmethod
    def enter(st: InterviewState, phase: Phase, now: float) -> None:
        """The one way to change phase: the phase clock restarts with it, in every path."""
        st.phase = phase
        st.phase_started = now

    def _overran(self, st: InterviewState, now: float) -> bool:
        return now - st.phase_started >= OVERRUN * self.q.phases[st.phase] * 60

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
            self.enter(st, target, now)
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
            and not _moved_past(st, p)
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
            and st.status(p.trigger_value) in _ASKED_WHILE[p.when]
            and p.id not in st.asked_probes
            and not _moved_past(st, p)
        ]
        candidates.sort(key=_level_order(self.level))
        return candidates[0] if candidates else None

    def _scenario(self, st: InterviewState) -> FailureScenario | None:
        if st.phase not in SCENARIO_PHASES:
            return None
        left = [s for s in self.q.failure_scenarios if s.id not in st.asked_scenarios]
        return left[0] if left else None

    def _own_items(self, st: InterviewState) -> list[RubricItem]:
        """This phase's items that no earlier phase asked for (a question with no estimation
        items of its own estimates over the requirements' items: those are not new here)."""
        earlier = {
            i.id for p in PHASES[: PHASES.index(st.phase)] for i in items_for_phase(self.q, p)
        }
        return [
            i
            for i in items_for_phase(self.q, st.phase)
            if self._expected(i) and i.id not in earlier
        ]

    def _spoken_to(self, st: InterviewState) -> bool:
        """Whether any of this phase's own items has come up already. A behaviour every rubric
        carries counts only when covered: read from set phrasings, "within 10 seconds" is partly
        "sizing", and the phase would open on "you've already touched on the load" unsaid."""
        if self._sized(st):
            return True
        return any(
            st.status(i.id) == "covered" or (st.status(i.id) == "partial" and not priority(i)[0])
            for i in self._own_items(st)
        )

    @staticmethod
    def _sized(st: InterviewState) -> bool:
        """Figures worked out already (an estimate on the record) are sizing spoken to, however
        few sentences carried them ("5M ops/s at 1 KB is 5 GB/s, 100k per node on 50 nodes")."""
        return st.phase == "estimation" and any(n.verdict != "scale_conflict" for n in st.numbers)

    def _partial_item(self, st: InterviewState) -> RubricItem | None:
        """An item of this phase the candidate touched on but did not cover (`priority`)."""
        items = [
            i
            for i in self._own_items(st)
            if st.status(i.id) == "partial" and i.id not in st.asked_items
        ]
        return min(items, key=priority, default=None)

    def _uncovered_item(self, st: InterviewState) -> RubricItem | None:
        items = [
            i
            for i in items_for_phase(self.q, st.phase)
            # Only what has not come up at all: a partly covered item is probed, never re-asked.
            if self._expected(i) and st.status(i.id) == "missing" and i.id not in st.asked_items
        ]
        items.sort(key=priority)
        return items[0] if items else None

    def _behaviour_question(self, opened: bool) -> str:
        return self.P.behaviour_question_opening if opened else self.P.behaviour_question

    def _names_item(self, item_id: str, sentence: str) -> bool:
        item = for_question(self.q).item(item_id)
        text = normalise(sentence)
        return item is not None and any(has_signal(text, g) for g in item.signals)

    def _on_point(self, item_id: str, probe: Probe, sentence: str) -> bool:
        """Whether a sentence read as making a point in part says a word of it (the point, its
        topic, its signals or the probe's question): "p99 under a second, excluding the acquirer
        call" read by meaning as part of "a merchant retrying the same charge" is not quoted as
        the candidate's words on retries. Found in a payments mock (2026-12-07)."""
        item = for_question(self.q).item(item_id)
        if item is None:
            return False
        point = " ".join([item.text, item.topic, *item.signals, probe.question])
        # The problem's own words ("charge", "API" in a payments question) do not tell points
        # apart.
        return bool(_stems(sentence) & _stems(point) - _stems(f"{self.q.title} {self.q.prompt}"))

    def _signal_at(self, item_id: str, sentence: str) -> int | None:
        """Where the sentence names the point in its own words, if it does as written."""
        item = for_question(self.q).item(item_id)
        low = sentence.lower()
        found = [at for g in (item.signals if item else []) if (at := low.find(g.lower())) >= 0]
        return min(found) if found else None

    def _probe_plan(self, st: InterviewState, probe: Probe, reading: Reading) -> Plan:
        st.asked_probes.append(probe.id)
        kind, value = probe.trigger_kind, probe.trigger_value
        if kind == "item" and value not in st.asked_items:
            # A point probed is a point asked: a candidate who answers something else is not
            # asked it again in other words the next turn ("What's your plan for what a
            # throttled client receives?" after "What exactly do they receive?").
            st.asked_items.append(value)
        status = "unjustified" if kind == "concept" else st.status(value)
        # A concept probe attributes a design to the candidate: quote what they actually said.
        # A probe of a point this message made only in part starts from its words on it, so it
        # reads as a push on what they just said, not as a question they never answered.
        # A point made in part in an earlier message is quoted from there: the probe then pushes
        # on what they said ("You said "A retry with the same key returns the stored
        # response"." ...) instead of asking as if they had said nothing.
        evidence = reading.evidence.get(value) or st.evidence.get(value)
        said = (
            (reading.quotes.get(value) or st.quotes.get(value))
            if kind == "concept"
            else clip_quote(evidence, 20, focus=self._signal_at(value, evidence.strip()))
            if status == "partial" and evidence and self._on_point(value, probe, evidence)
            else None
        )
        # The same words quoted again, a turn after they were, read as a script: not repeated.
        fresh = said if said and said != st.last_quote else None
        return Plan(
            "probe",
            probe.question,
            preface=[self.P.you_said.format(quote=fresh)] if fresh else [],
            quote=said,
            probe=probe,
            target={"kind": kind, "id": value, "status": status, "probe": probe.id},
        )

    # -- numbers and contradictions ------------------------------------------------------
    def _record_numbers(self, st: InterviewState, reading: Reading) -> bool:
        """Every estimate and scale input of this message goes on the record; one the
        interviewer questioned last turn is corrected when the new message gets it right.
        Returns whether this message corrected one."""
        fixed = False
        if reading.kind == "answer":
            # Put right: a figure of its kind near what it should have been, or the same figure
            # derived again in working we can check (our reading was wrong); not any correct
            # figure about something else. A figure this message gets wrong puts nothing
            # right, but another flag in it (a scale input restated with the working) does not
            # undo the one it fixes: that flag goes on the record on its own.
            wrong = {e.claim.start for e in reading.estimates if e.verdict != "ok"}
            wrong |= {c.quantity.start for c in reading.conflicts}
            checked = [e.claim for e in reading.estimates if e.verdict == "ok"]
            said = [q for q in extract_quantities(reading.text) if q.start not in wrong]
            clean = bool(checked) and not wrong
            for n in st.numbers:
                # Put right in the reply to the question or soon after ("Coming back to the 30
                # a second: 0.1% of 3,000 is 3"), not by a figure many turns later.
                questioned = n.probed and st.turn - n.turn <= FIX_WITHIN and n.verdict != "ok"
                if questioned and not n.corrected and _puts_right(n, said, checked, clean):
                    n.corrected = fixed = True
        for e in reading.estimates:
            st.numbers.append(
                NumberCheck(
                    turn=st.turn,
                    claim=e.claim.text,
                    recomputed=_figure(e.recomputed, e.claim.kind, e.claim.text),
                    verdict=e.verdict,  # type: ignore[arg-type]
                    working=e.working,
                    ratio=round(e.ratio, 3),
                )
            )
        for c in reading.conflicts:
            st.numbers.append(
                NumberCheck(
                    turn=st.turn,
                    claim=c.quantity.text,
                    recomputed=f"{c.fact_name}: {c.fact_value}",
                    verdict="scale_conflict",
                    working=f"the interviewer gave {c.fact_name} as {c.fact_value}",
                    ratio=round(c.ratio, 3),
                )
            )
        return fixed

    def _check_plan(self, st: InterviewState, reading: Reading) -> Plan | None:
        """A wrong figure, a contradiction, a known design mistake or a hand-wave in this message
        is asked about before anything else, quoting the candidate; mock mode never gives the
        right figure, or the remedy, away."""
        flagged = [
            n for n in st.numbers if n.turn == st.turn and n.verdict != "ok" and not n.probed
        ]
        if flagged:
            n = flagged[0]
            n.probed = True
            if n.verdict == "scale_conflict":
                text = self.P.scale_probe.format(quote=n.claim, fact=n.recomputed)
                coach: list[str] = []
            else:
                said = _with_noun(n.claim, reading.text)
                text = self._pick(self.P.number_probe, st, "n").format(quote=said)
                coach = [self.P.number_working.format(working=n.working)]
            return Plan(
                "numbers",
                text,
                target={"kind": "numbers", "claim": n.claim, "verdict": n.verdict},
                coach_preface=coach,
            )
        if reading.contradiction is not None:
            stance, earlier, now_said = reading.contradiction
            st.contradictions.append(stance)
            return Plan(
                "contradiction",
                self.P.contradiction.format(earlier=clip_quote(earlier), now=clip_quote(now_said)),
                target={"kind": "contradiction", "stance": stance},
            )
        for hit in reading.mistakes:  # one push per mistake, and per sentence however many
            if hit.id not in st.mistakes and hit.quote not in st.mistake_quotes:
                st.mistakes.append(hit.id)
                st.mistake_quotes.append(hit.quote)
                return Plan(
                    "mistake",
                    self._pick(self.P.mistake, st, "m").format(quote=clip_quote(hit.quote)),
                    target={"kind": "mistake", "id": hit.id},
                )
        if reading.vague and self._presses_vague(st):
            st.vague_phases.append(st.phase)
            said, listed = reading.vague[0]
            return Plan(
                "vague",
                self._pick(self.P.vague_list if listed else self.P.vague, st, "v").format(
                    quote=clip_quote(said)
                ),
                target={"kind": "vague"},
            )
        return None

    @staticmethod
    def _presses_vague(st: InterviewState) -> bool:
        """How often a hand-wave is asked about, by persona: the adversarial interviewer every
        time, the neutral one once a phase, the supportive one once an interview; never in the
        wrap-up, where a summary is expected."""
        if st.phase == "wrap_up":
            return False
        if st.persona == "adversarial":
            return True
        if st.persona == "supportive":
            return not st.vague_phases
        return st.phase not in st.vague_phases

    @staticmethod
    def _noting_diagrams(plan: Plan, reading: Reading) -> Plan:
        plan.preface[:0] = reading.diagram_errors
        return plan

    def _diagram_plan(self, st: InterviewState, reading: Reading) -> Plan | None:
        """A finding in the diagram just sent, not probed before, is the next question."""
        for f in reading.findings:
            key = f"{f.rule}:{f.subject}"
            if key not in st.asked_findings:
                st.asked_findings.append(key)
                return Plan(
                    "diagram",
                    f.probe,
                    target={"kind": "diagram", "rule": f.rule, "subject": f.subject},
                )
        return None

    @staticmethod
    def _item_plan(st: InterviewState, item: RubricItem, words: str) -> Plan:
        return Plan(
            "item",
            words.format(topic=topic(item)),
            item=item,
            target={"kind": "item", "id": item.id, "status": st.status(item.id)},
        )

    def _scenario_plan(self, st: InterviewState, scenario: FailureScenario) -> Plan:
        st.asked_scenarios.append(scenario.id)
        return Plan(
            "scenario",
            scenario.question,
            scenario=scenario,
            target={"kind": "scenario", "id": scenario.id},
        )

    def _twist_plan(self, st: InterviewState) -> Plan | None:
        """One requirement change per interview, once the deep dive is under way."""
        if st.phase != "deep_dive" or st.twist is not None or not self.q.twists:
            return None
        # The seed picks the twist; one the candidate has already designed for (they brought
        # up broadcast channels themselves) would be no change to them: the next one is used.
        start = int.from_bytes(f"{self.seed}:twist".encode(), "big") % len(self.q.twists)
        order = self.q.twists[start:] + self.q.twists[:start]
        twist = next((t for t in order if t.id not in st.met_twists), order[0])
        st.twist = TwistRecord(id=twist.id, turn=st.turn)
        return Plan(
            "twist",
            twist.question,
            preface=[twist.change],
            target={"kind": "twist", "id": twist.id},
        )

    def next_question(
        self, st: InterviewState, reading: Reading, opened: bool, now: float = 0.0
    ) -> Plan:
        """The next question in the current phase; `opened` means the phase just began."""
        if st.phase == "wrap_up":
            st.wrap_up_asked = True
            return Plan("wrap_up", self.P.phase_opening["wrap_up"], target={"kind": "phase"})
        if opened and self._phase_covered(st) and (nxt := st.next_phase()) is not None:
            # Everything this phase asks for was said earlier: asking for it again would re-ask
            # what was answered, so the interview moves on and says why.
            skipped = st.phase
            self.enter(st, nxt, now)
            plan = self.next_question(st, reading, opened=True, now=now)
            plan.skipped.insert(0, skipped)
            plan.transitioned_to = plan.transitioned_to or nxt
            return plan
        if opened and not self._spoken_to(st):
            return Plan("phase_open", self.P.phase_opening[st.phase], target={"kind": "phase"})
        # A phase the candidate already spoke to opens on what is still missing from it, not on
        # the generic opener that would ask for what they said (numbers given while scoping).
        twist = None if opened else self._twist_plan(st)
        if twist:
            return twist
        probe = self._concept_probe(st, reading)
        if probe:
            return self._probe_plan(st, probe, reading)
        scenario_first = st.phase == "tradeoffs_and_failures" or st.persona == "adversarial"
        scenario = self._scenario(st)
        if scenario and scenario_first:
            return self._scenario_plan(st, scenario)
        probe = self._item_probe(st)
        if probe:
            return self._probe_plan(st, probe, reading)
        if scenario:
            return self._scenario_plan(st, scenario)
        item = self._uncovered_item(st)
        if item:
            st.asked_items.append(item.id)
            # A behaviour ("latency, availability and consistency targets") is read from set
            # phrasings that can miss how someone put it: asked for, never "not heard".
            words = (
                [self._behaviour_question(opened)] if priority(item)[0] else self.P.item_question
            )
            return self._item_plan(st, item, self._pick(words, st, "item"))
        # A phase opens on a point the candidate already touched on; within a phase a partial
        # point is left to the probes (asking for it again would re-ask what was said).
        item = self._partial_item(st) if opened else None
        if item:
            st.asked_items.append(item.id)
            asked = priority(item)[0] and not self._sized(st)
            words = [self._behaviour_question(opened)] if asked else self.P.deepen
            return self._item_plan(st, item, self._pick(words, st, "deepen"))
        # Nothing left to ask here: move on.
        nxt = st.next_phase()
        if nxt is None:
            return Plan("done", self.P.wrap_up_done, target={"kind": "end"})
        self.enter(st, nxt, now)
        plan = self.next_question(st, reading, opened=True, now=now)
        # If `nxt` was itself covered and passed over, the phase now open is a later one.
        plan.transitioned_to = plan.transitioned_to or nxt
        return plan

    def plan(self, st: InterviewState, reading: Reading, now: float) -> Plan:
        st.turn += 1
        last = st.last_question or self.P.phase_opening.get(st.phase, "")
        if reading.kind == "clarify":
            return self._noting_diagrams(self._non_answer(st, reading, last), reading)
        before = {i for i, v in st.coverage.items() if v == "covered"}
        for item_id, status in reading.coverage.items():
            st.merge(item_id, status)  # type: ignore[arg-type]
        for concept, justified in reading.named.items():
            st.named[concept] = st.named.get(concept, False) or justified
        for concept, quote in reading.quotes.items():
            st.quotes.setdefault(concept, quote)  # a later probe of it quotes these words
        for sid in reading.answered_scenarios:
            if sid not in st.asked_scenarios:
                st.asked_scenarios.append(sid)  # already answered: not put to them
        for tid in reading.met_twists:
            if tid not in st.met_twists:
                st.met_twists.append(tid)
        for item_id, sentence in reading.evidence.items():
            # A later probe of a point quotes the first sentence on it that names it in its own
            # words (a signal), else the first that was read as making it.
            if item_id not in st.evidence or (
                self._names_item(item_id, sentence)
                and not self._names_item(item_id, st.evidence[item_id])
            ):
                st.evidence[item_id] = sentence
        fixed = self._record_numbers(st, reading)
        if st.phase == "wrap_up" and st.wrap_up_asked:
            st.done = True
            return Plan("done", self.P.wrap_up_done, target={"kind": "end"})
        answered = self._answer_facts(reading)
        answered[:0] = reading.diagram_errors
        if fixed:  # the figure questioned last turn, put right: said so before moving on
            answered.insert(0, self.P.number_fixed)
        check = self._check_plan(st, reading) or self._diagram_plan(st, reading)
        if check is not None:
            check.preface[:0] = answered
            return check
        left, overran = st.phase, self._overran(st, now)
        moved = self._advance(st, now)
        if moved is None and reading.left_unanswered and st.last_question not in st.followed_up:
            # A bar-raiser does not let a question slide: put once more, then let it go.
            st.followed_up.append(st.last_question)
            plan = Plan(
                "follow_up",
                self.P.unanswered.format(question=st.last_question),
                target={"kind": "follow_up"},
            )
            plan.preface[:0] = answered
            return plan
        if reading.kind != "answer" and moved is None:
            # the clock, not the answer, moves phases
            return self._noting_diagrams(self._non_answer(st, reading, last), reading)
        plan = self.next_question(st, reading, opened=moved is not None, now=now)
        moved = plan.transitioned_to or moved
        if moved:
            plan.transitioned_to = moved
            words = self.P.overrun if overran and moved != left else self.P.transition
            plan.preface.insert(
                0,
                self._pick(words, st, "t").format(phase=PHASE_NAMES[moved], left=PHASE_NAMES[left]),
            )
            plan.preface[:0] = [
                self.P.phase_covered.format(phase=PHASE_NAMES[p]) for p in plan.skipped
            ]
        elif plan.kind != "done" and st.persona == "supportive":
            newly = [
                i for i in self.q.rubric if st.status(i.id) == "covered" and i.id not in before
            ]
            if newly:
                plan.preface.insert(0, self.P.covered_ack.format(topic=topic(newly[0])))
        plan.preface[:0] = answered
        return plan

    def _answer_facts(self, reading: Reading) -> list[str]:
        """A question asked inside a longer answer gets its numbers first."""
        if reading.kind != "answer":
            return []
        out = [self.P.embedded_answer.format(facts=_facts_text(reading))] if reading.facts else []
        return out + [self._on_ask(reading.open_asks[0])] if reading.open_asks else out

    def _on_ask(self, ask: str) -> str:
        """An ask no scale fact answers: an assumption stands, a question of scope is theirs."""
        words = self.P.assumption_ok if is_assumption(ask) else self.P.clarify_scope_rest
        return words.format(ask=ask)

    def _non_answer(self, st: InterviewState, reading: Reading, last: str) -> Plan:
        if reading.kind == "clarify":
            if reading.facts:
                facts = _facts_text(reading)
                if reading.open_asks:
                    facts += " " + self._on_ask(reading.open_asks[0])
                text = self._pick(self.P.clarify, st, "c").format(facts=facts)
            elif reading.open_asks and is_assumption(reading.open_asks[0]):
                text = self._on_ask(reading.open_asks[0])
            else:
                text = (
                    self.P.clarify_unknown if asks_for_size(reading.text) else self.P.clarify_scope
                )
            return Plan(
                "clarify",
                text,
                target={"kind": "clarify", "facts": [f.name for f in reading.facts]},
            )
        if reading.kind == "dont_know":
            # A smaller question than the one that stumped them: one missing point of the phase.
            # The point they say they are stuck on, if it is still open; else one of the phase.
            stuck = for_question(self.q).item(reading.stuck_on)
            missing = [i for i in self._own_items(st) if st.status(i.id) == "missing"]
            narrow = (
                stuck
                if stuck is not None and st.status(stuck.id) != "covered"
                else min(missing, key=priority, default=None)
            )
            simpler = (
                self.P.narrower.format(topic=topic(narrow))
                if narrow is not None
                else self.P.phase_opening.get(st.phase) or last
            )
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
        st.started = now
        self.enter(st, PHASES[0], now)
        text = pick(self.P.opening, self.seed).format(
            title=self.q.title, prompt=self.q.prompt, minutes=self.q.total_minutes
        )
        return Plan("opening", text, target={"kind": "phase"})


# The period a rate was said per ("20 GB a day", "7 TB/year", "monthly"), in seconds (a year of
# 365.25 days and a month a twelfth of it, as the numbers check counts them).
_PERIOD = re.compile(
    r"(?:\b(?:a|an|per)\s+|/\s*)(minute|hour|day|week|month|year)\b|\b(hour|dai|week|month|year)ly\b",
    re.I,
)
_SECONDS = {"minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 604800.0}
_SECONDS |= {"month": 31_557_600.0 / 12, "year": 31_557_600.0}


def _figure(value: float, kind: str, said: str = "") -> str:
    """Our recomputed value, in the units a candidate would say it: a rate said per day is
    given per day ("20 GB a day": ~20 GB/day, not ~231 KB/s)."""
    found = _PERIOD.search(said) if kind in ("rate", "size_rate") else None
    if found:
        period = (found.group(1) or found.group(2)).lower().replace("dai", "day")
        per_period = _figure(value * _SECONDS[period], "size" if kind == "size_rate" else "count")
        return f"{per_period}/{period}"
    value = float(f"{value:.3g}")  # 999.99... GB from float error is 1 TB, not "1e+03 GB"
    if kind in ("size", "size_rate"):
        units = ("B", "KB", "MB", "GB", "TB", "PB", "EB")
        k = 0
        while abs(value) >= 1000 and k < len(units) - 1:
            value /= 1000
            k += 1
        tail = "/s" if kind == "size_rate" else ""
        return f"~{value:.3g} {units[k]}{tail}"
    suffix = "/s" if kind == "rate" else ""
    for size, name in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"~{value / size:.3g}{name}{suffix}"
    return f"~{value:.3g}{suffix}"


# Words any point or answer may use, which say nothing about which point it is.
_ANY_POINT = frozenset("design system use make handle need way data service".split())


# The words that name what a bare figure counts: "80 shards", "2,400 shard copies".
_NOUN_AFTER = re.compile(r"\s+((?:[a-z][a-z-]*\s+){0,2}[a-z][a-z-]*)", re.I)
_NOT_NOUN = frozenset(
    "is are was were and or so to of per a an the which that at in on for".split()
)


def _with_noun(claim: str, text: str) -> str:
    """A bare figure quoted with the noun it counts ("80 shards", not "80"), as written."""
    at = text.find(claim)
    if at < 0 or re.search(r"[a-z]", claim, re.I):
        return claim
    m = _NOUN_AFTER.match(text, at + len(claim))
    if not m:
        return claim
    kept: list[str] = []
    for w in m.group(1).split():
        if w.lower() in _NOT_NOUN:
            break
        kept.append(w)
    return f"{claim} {' '.join(kept)}" if kept else claim


def _stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)} - _ANY_POINT
