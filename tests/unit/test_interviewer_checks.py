"""The planner's checks, table-driven with real readings: the phase clock restarts on every
phase change, wrong figures and contradictions are asked about once (quoting the candidate),
correct ones never, and one twist per interview."""

from __future__ import annotations

import pytest

from agents.engines import offline_evaluator
from agents.interviewer.engine import InterviewEngine
from agents.interviewer.planner import Planner
from agents.interviewer.state import InterviewState
from content.loader import bundled_bank

Q = "url-shortener"


@pytest.fixture(scope="module")
def engine() -> InterviewEngine:
    return InterviewEngine(offline_evaluator())


def test_every_phase_change_restarts_the_phase_clock(engine: InterviewEngine) -> None:
    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "clock", now=100.0)
    assert state.phase_started == 100.0
    # The clock path: the requirements budget is spent.
    now = 100.0 + q.phases["requirements"] * 60 + 1
    engine.turn(q, state, "senior", "clock", "Users shorten links and follow them.", now)
    assert state.phase == "estimation" and state.phase_started == now
    # The planner path: nothing left to ask in a phase moves on at once (next_question).
    planner = Planner(q, "senior", "clock")
    st = InterviewState(phase="wrap_up", phase_started=5.0, wrap_up_asked=False)
    st.phase = "tradeoffs_and_failures"
    st.asked_scenarios = [s.id for s in q.failure_scenarios]
    st.asked_probes = [p.id for p in q.probes]
    st.asked_items = [i.id for i in q.rubric]
    planner.next_question(st, engine.reader.read(q, "ok fine"), opened=False, now=777.0)
    assert st.phase == "wrap_up" and st.phase_started == 777.0


@pytest.mark.parametrize(
    ("message", "kind", "quoted"),
    [
        (
            "100M new links a month is about 40k per second, so reads are ~4M per second.",
            "numbers",
            "40k per second",
        ),
        ("100 million links a month is about 40 per second on average.", None, None),
        (
            "With our 5 million links a month we'd have a tiny database.",
            "numbers",
            "5 million links a month",
        ),
    ],
)
def test_a_wrong_figure_is_questioned_quoting_it(
    engine: InterviewEngine, message: str, kind: str | None, quoted: str | None
) -> None:
    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "nums", now=0.0)
    plan = engine.turn(q, state, "senior", "nums", message, 30.0)
    if kind is None:
        assert plan.kind != "numbers"
        assert all(n.verdict == "ok" for n in state.numbers)
    else:
        assert plan.kind == kind
        assert quoted is not None and quoted in plan.text
        assert plan.text.count("?") == 1


def test_mock_mode_keeps_the_working_to_itself(engine: InterviewEngine) -> None:
    from agents.interviewer.engine import OfflinePhraser

    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "w", now=0.0)
    plan = engine.turn(q, state, "senior", "w", "100M links a month is about 40k per second.", 30.0)
    mock = "".join(OfflinePhraser().stream(q, state, plan, "mock"))
    coach = "".join(OfflinePhraser().stream(q, state, plan, "coach"))
    assert "working" not in mock and "working" in coach


def test_a_contradiction_is_asked_once(engine: InterviewEngine) -> None:
    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "c", now=0.0)
    first = "I'll commit to never reusing a short code once it has been issued."
    later = "To save space we recycle codes from links that expired after a year."
    engine.turn(q, state, "senior", "c", first, 30.0)
    plan = engine.turn(q, state, "senior", "c", later, 60.0, history=(first,))
    assert plan.kind == "contradiction"
    assert "never reusing" in plan.text and "recycle codes" in plan.text
    again = engine.turn(q, state, "senior", "c", later, 90.0, history=(first, later))
    assert again.kind != "contradiction"


def test_one_twist_in_the_deep_dive(engine: InterviewEngine) -> None:
    q = bundled_bank().questions[Q]
    planner = Planner(q, "senior", "t")
    st = InterviewState(phase="deep_dive")
    reading = engine.reader.read(q, "The hot path is redirects, served from a cache.")
    first = planner.next_question(st, reading, opened=False)
    second = planner.next_question(st, reading, opened=False)
    assert first.kind == "twist" and second.kind != "twist"
    assert st.twist is not None and st.twist.id in {t.id for t in q.twists}
