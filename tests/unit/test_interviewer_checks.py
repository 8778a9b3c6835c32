"""The planner's checks, table-driven with real readings: the phase clock restarts on every
phase change, wrong figures and contradictions are asked about once (quoting the candidate),
correct ones never, and one twist per interview."""

from __future__ import annotations

import re

import pytest
import yaml

from agents.interviewer.engine import InterviewEngine, section_name
from agents.interviewer.phases import items_for_phase
from agents.interviewer.phrasing import asks, one_question
from agents.interviewer.phrasing import phrases as engine_phrases
from agents.interviewer.planner import Plan, Planner
from agents.interviewer.reading import _works_a_figure
from agents.interviewer.state import InterviewState, TwistRecord
from agents.rubric import for_question
from content.loader import bundled_bank
from content.schema import PHASES, Question
from evals.datasets import DATA_DIR
from tests.support.engines import offline_evaluator

Q = "url-shortener"


def _play(
    engine: InterviewEngine, q: Question, seed: str, said: list[str], step: float
) -> tuple[InterviewState, Plan]:
    """Opens an interview and sends each message in turn, `step` seconds apart, with the ones
    before as history; returns the state and the reply to the last."""
    state, _ = engine.open(q, "senior", seed, now=0.0)
    plan = None
    for k, text in enumerate(said):
        plan = engine.turn(q, state, "senior", seed, text, step * (k + 1), tuple(said[:k]))
    assert plan is not None
    return state, plan


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
    st.asked_items = [i.id for i in items_for_phase(q, "tradeoffs_and_failures")]
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


@pytest.mark.parametrize(
    ("qid", "first", "later", "quotes"),
    [
        # Two sides of a stance (content/stances.yaml).
        (
            Q,
            "I'll commit to never reusing a short code once it has been issued.",
            "To save space we recycle codes from links that expired after a year.",
            ("never reusing", "recycle codes"),
        ),
        # Ruled out, then taken up (agents/interviewer/ruled_out.py): no stance names it.
        (
            "webhook-delivery",
            "Slow endpoints get their own queue, and we never drop events for slow customers.",
            "To keep costs down, after an hour of failures we just drop its events.",
            ("never drop events for slow customers", "we just drop its events"),
        ),
        # A query that fans out to every shard, later sent to a handful (search mock).
        (
            "full-text-search",
            "I partition by document. Every query fans out to all 800 shards and a coordinator "
            "merges the top-k.",
            "To keep the fan-out small, I'd route each query only to the shards that hold its "
            "terms.",
            ("fans out to all 800 shards", "only to the shards that hold its terms"),
        ),
        # An ack that waits for the replicated log, later sent at once (editor mock).
        (
            "collaborative-editor",
            "The owner acks an op to the sender only after the log append is replicated to a "
            "quorum, so an acked edit survives the owner dying.",
            "To keep typing snappy, the owner broadcasts and acks right away and a background "
            "job flushes ops to the log every few seconds.",
            ("only after the log append is replicated", "acks right away"),
        ),
    ],
)
def test_a_contradiction_is_asked_once_quoting_both_sides(
    engine: InterviewEngine, qid: str, first: str, later: str, quotes: tuple[str, str]
) -> None:
    q = bundled_bank().questions[qid]
    state, _ = engine.open(q, "senior", "c", now=0.0)
    engine.turn(q, state, "senior", "c", first, 30.0)
    plan = engine.turn(q, state, "senior", "c", later, 60.0, history=(first,))
    assert plan.kind == "contradiction"
    assert all(quote in plan.text for quote in quotes), plan.text
    again = engine.turn(q, state, "senior", "c", later, 90.0, history=(first, later))
    assert again.kind != "contradiction"


@pytest.mark.parametrize(
    ("qid", "first", "later"),
    [
        (
            Q,
            "I'll commit to never reusing a short code once it has been issued.",
            "I was wrong about reuse: to save space we recycle codes from links that expired.",
        ),
        (
            "webhook-delivery",
            "Slow endpoints get their own queue, and we never drop events for slow customers.",
            "Let me revise that. To keep costs down, after an hour of failures we just drop its "
            "events.",
        ),
        (
            "payment-processing",
            "The peak is only 1.3x the average, so we don't need much burst headroom.",
            "Redone, the peak is 13x the average, which changes my view: we do need burst "
            "headroom.",
        ),
    ],
)
def test_a_change_of_mind_the_candidate_announces_is_not_asked_as_a_contradiction(
    engine: InterviewEngine, qid: str, first: str, later: str
) -> None:
    q = bundled_bank().questions[qid]
    state, _ = engine.open(q, "senior", "c", now=0.0)
    engine.turn(q, state, "senior", "c", first, 30.0)
    plan = engine.turn(q, state, "senior", "c", later, 60.0, history=(first,))
    assert plan.kind != "contradiction", plan.text
    # Without the announcement the same change is asked about (the control).
    unannounced = re.sub(
        r"^(?:I was wrong about reuse: |Let me revise that\. |Redone, )|which changes my view: ",
        "",
        later,
    )
    state, _ = engine.open(q, "senior", "c", now=0.0)
    engine.turn(q, state, "senior", "c", first, 30.0)
    plan = engine.turn(q, state, "senior", "c", unannounced, 60.0, history=(first,))
    assert plan.kind == "contradiction", (unannounced, plan.text)


@pytest.mark.parametrize(
    ("first", "later", "contradicts"),
    [
        (
            "An order saga service orchestrates the flow and sends commands to each service.",
            "There is no central coordinator: shipping just reacts to StockReserved events.",
            True,
        ),
        (
            "Standard tenants share tables, with a tenant_id on every row and row-level security.",
            "Each tenant gets its own Postgres schema so restores stay simple.",
            True,
        ),
        (
            "The pooler runs in transaction mode: a backend is returned right after COMMIT.",
            "Each client is pinned to the same backend connection for its whole session.",
            True,
        ),
        (
            "There is no node-local agent: every workload reads secrets straight from the service.",
            "A per-host agent keeps each secret it has fetched for ten minutes.",
            True,
        ),
        (
            "Each shortener node talks straight to the shard that owns the code; no proxy.",
            "Every lookup goes through a fleet of routing servers in front of the shards.",
            True,
        ),
        (
            "Clicks are counted with no retries: exactly one attempt, then we drop the event.",
            "A failed click write is retried up to three times with jittered backoff.",
            True,
        ),
        # Consistent: the same position in other words is not a contradiction.
        (
            "Link metadata stays only in memory on the edge, rebuilt from the database on start.",
            "The edge copy is throwaway: a restart simply refills it from the database.",
            False,
        ),
        (
            "The pooler runs in transaction mode: a backend is returned right after COMMIT.",
            "Because backends are shared per transaction, session-level SET commands are banned.",
            False,
        ),
    ],
)
def test_classic_positions_contradicted_later(
    engine: InterviewEngine, first: str, later: str, contradicts: bool
) -> None:
    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "s", now=0.0)
    engine.turn(q, state, "senior", "s", first, 30.0)
    plan = engine.turn(q, state, "senior", "s", later, 60.0, history=(first,))
    assert (plan.kind == "contradiction") is contradicts, plan.text


def test_one_twist_in_the_deep_dive(engine: InterviewEngine) -> None:
    q = bundled_bank().questions[Q]
    planner = Planner(q, "senior", "t")
    st = InterviewState(phase="deep_dive")
    reading = engine.reader.read(q, "The hot path is redirects, served from a cache.")
    first = planner.next_question(st, reading, opened=False)
    second = planner.next_question(st, reading, opened=False)
    assert first.kind == "twist" and second.kind != "twist"
    assert st.twist is not None and st.twist.id in {t.id for t in q.twists}


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("I would keep the design exactly as it is; nothing needs to change.", "missing"),
        ("No idea, honestly.", "missing"),
        ("What do you mean by that change, exactly?", None),  # asked first, judged later
    ],
)
def test_a_twist_met_with_no_design_is_ignored_not_left_open(
    engine: InterviewEngine, reply: str, status: str | None
) -> None:
    """Left open, the next answer on another subject could be taken for the adaptation (a
    candidate who refused the change was once scored as having adapted)."""
    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "tw", now=0.0)
    state.phase = "deep_dive"
    planner = Planner(q, "senior", "tw")
    planner.next_question(state, engine.reader.read(q, "Redirects come from a cache."), False)
    assert state.twist is not None
    engine.turn(q, state, "senior", "tw", reply, 30.0)
    assert state.twist.status == status


def test_a_phase_already_covered_is_skipped_not_asked_again(engine: InterviewEngine) -> None:
    q = bundled_bank().questions[Q]
    planner = Planner(q, "senior", "skip")
    st = InterviewState(phase="estimation", phase_started=0.0)
    # Everything the estimation phase asks for came up while scoping requirements.
    assert items_for_phase(q, "estimation")
    for item in items_for_phase(q, "estimation"):
        st.merge(item.id, "covered")
    plan = planner.next_question(st, engine.reader.read(q, "ok"), opened=True, now=50.0)
    assert st.phase == "api_and_data" and st.phase_started == 50.0
    assert plan.skipped == ["estimation"] and plan.transitioned_to == "api_and_data"
    assert plan.question == planner.P.phase_opening["api_and_data"]
    # Not covered: the phase opens as usual.
    fresh = InterviewState(phase="estimation", phase_started=0.0)
    plan = planner.next_question(fresh, engine.reader.read(q, "ok"), opened=True, now=60.0)
    assert fresh.phase == "estimation" and plan.kind == "phase_open" and plan.skipped == []


@pytest.mark.parametrize(
    ("qid", "item_id", "numbers"),
    [
        ("payment-processing", "correctness-invariants", False),  # "...before throughput"
        ("rate-limiter", "clarify-limit-semantics", False),  # "requests per second"
        ("secret-manager", "threat-model", False),  # "secret storage"
        ("llm-inference-serving", "latency-metrics", False),  # "throughput", "per second"
        ("file-sync", "storage-estimate", True),
        ("genai-pipeline", "token-and-cost-math", True),
        ("ecommerce-platform", "read-write-asymmetry", True),  # capacity and rates
    ],
)
def test_a_requirement_that_mentions_a_rate_is_not_an_estimate(
    qid: str, item_id: str, numbers: bool
) -> None:
    q = bundled_bank().questions[qid]
    in_estimation = item_id in {i.id for i in items_for_phase(q, "estimation")}
    in_requirements = item_id in {i.id for i in items_for_phase(q, "requirements")}
    assert (in_estimation, in_requirements) == (numbers, not numbers)


def test_a_question_with_no_item_on_numbers_asks_only_for_numbers_in_the_estimation(
    engine: InterviewEngine,
) -> None:
    """payments mock: 'Let's move on to the estimation. Earlier you touched on the correctness
    guarantees for money...' asked a requirement again under the estimation's name."""
    q = bundled_bank().questions["payment-processing"]
    items = items_for_phase(q, "estimation")
    assert items and all(i.id.startswith("b-") for i in items)  # the numbers behaviours
    planner = Planner(q, "senior", "est")
    st = InterviewState(phase="estimation", phase_started=0.0)
    for item in items:
        st.merge(item.id, "covered")
    st.merge("correctness-invariants", "partial")
    plan = planner.next_question(st, engine.reader.read(q, "ok"), opened=True, now=50.0)
    assert plan.skipped == ["estimation"] and st.phase == "api_and_data"
    assert plan.target.get("id") != "correctness-invariants"


def test_a_probe_quotes_only_words_on_its_point(engine: InterviewEngine) -> None:
    """A sentence read by meaning as part of a point but saying none of its words (only the
    problem's own, "charge", "API") is not quoted as the candidate's words on it."""
    q = bundled_bank().questions["payment-processing"]
    planner = Planner(q, "senior", "quote")
    probe = next(p for p in q.probes if p.id == "probe-idempotent-api")
    st = InterviewState(phase="api_and_data", phase_started=0.0)
    st.merge("idempotent-api", "partial")
    st.evidence["idempotent-api"] = (
        "Charge API at 99.99% availability, p99 under a second on our side excluding the "
        "acquirer call."
    )
    reading = engine.reader.read(q, "ok")
    assert planner._probe_plan(st, probe, reading).quote is None
    st.evidence["idempotent-api"] = "Merchants send a key with each charge so a retry is safe."
    st.asked_probes.clear()
    assert planner._probe_plan(st, probe, reading).quote


def test_a_phase_partly_spoken_to_opens_on_what_was_said_not_the_generic_opener(
    engine: InterviewEngine,
) -> None:
    """Numbers given while scoping: the estimation phase opens on the point the candidate
    touched on (named by topic) or on what is missing, never by asking for rough numbers again."""
    q = bundled_bank().questions[Q]
    planner = Planner(q, "senior", "partly")
    items = [i for i in items_for_phase(q, "estimation") if planner._expected(i)]
    assert len(items) >= 1
    st = InterviewState(phase="estimation", phase_started=0.0)
    for item in items:
        st.merge(item.id, "partial")
    st.asked_probes = [p.id for p in q.probes]  # leave the item questions to choose from
    plan = planner.next_question(st, engine.reader.read(q, "ok"), opened=True, now=10.0)
    assert plan.kind == "item" and plan.question != planner.P.phase_opening["estimation"]
    heaviest = max(items, key=lambda i: i.weight)
    assert plan.item is heaviest and heaviest.topic in plan.question
    assert heaviest.id in st.asked_items and st.phase == "estimation"
    # Opened again, the point already asked about is not asked a second time.
    plans = [planner.next_question(st, engine.reader.read(q, "ok"), True, 10.0)]
    assert all(p.item is not heaviest for p in plans)


def test_what_the_grade_counts_in_every_rubric_is_asked_for_too(engine: InterviewEngine) -> None:
    """Non-functional targets cost a requirements score on any question: the requirements phase
    asks for them when they are missing, after the question's own items."""
    q = bundled_bank().questions[Q]
    planner = Planner(q, "senior", "behaviours")
    ids = [i.id for i in items_for_phase(q, "requirements")]
    assert "b-non-functional" in ids and "b-functional" in ids
    assert "b-scale-numbers" in [i.id for i in items_for_phase(q, "estimation")]
    assert "b-clarifies" not in {i.id for p in PHASES for i in items_for_phase(q, p)}
    st = InterviewState(phase="requirements", phase_started=0.0)
    st.asked_probes = [p.id for p in q.probes]
    first = planner.next_question(st, engine.reader.read(q, "ok"), opened=False, now=1.0)
    assert first.item is not None and not first.item.id.startswith("b-")  # its own first
    for item in items_for_phase(q, "requirements"):
        if not item.id.startswith("b-"):
            st.merge(item.id, "covered")
    st.merge("b-functional", "covered")
    plan = planner.next_question(st, engine.reader.read(q, "ok"), opened=False, now=2.0)
    assert plan.kind == "item" and plan.item is not None and plan.item.id == "b-non-functional"
    # Asked for, not "not heard": a behaviour is read from set phrasings that can miss.
    assert plan.question == planner.P.behaviour_question.format(
        topic="latency, availability and consistency targets"
    )
    assert st.phase == "requirements"
    # As the first question of a phase just opened, it does not say "before we go on".
    st.asked_items.remove("b-non-functional")
    opening = planner.next_question(st, engine.reader.read(q, "ok"), opened=True, now=3.0)
    assert opening.question == "Can you spell out latency, availability and consistency targets?"


def test_a_probe_of_a_point_made_in_part_starts_from_the_candidates_words(
    engine: InterviewEngine,
) -> None:
    q = bundled_bank().questions[Q]
    st = InterviewState(phase="api_and_data", phase_started=0.0)
    plan = engine.turn(q, st, "senior", "in-part", "Redirects return HTTP 302.", 10.0)
    assert plan.kind == "probe" and plan.target["status"] == "partial"
    assert plan.text == (
        'You said "Redirects return HTTP 302". What do you give up if browsers cache it forever?'
    )
    # Not made at all: the probe whole, quoting nothing.
    fresh = InterviewState(phase="api_and_data", phase_started=0.0)
    said = "Codes are 7 base62 characters from a counter."
    plan = engine.turn(q, fresh, "senior", "in-part", said, 10.0)
    assert plan.target == {**plan.target, "status": "missing"} and plan.probe is not None
    assert plan.text == plan.probe.question


def test_a_time_budget_counts_as_a_latency_target(engine: InterviewEngine) -> None:
    """ "Must add under 5 ms" states a latency target: not asked for again as if unsaid."""
    q = bundled_bank().questions["rate-limiter"]
    said = engine.reader.read(
        q, "Per-key limits of 100 a minute, and the limiter must add under 5 ms."
    )
    assert said.coverage.get("b-non-functional") in ("partial", "covered")
    unsaid = engine.reader.read(q, "Per-key limits of 100 a minute, with premium tiers above.")
    assert "b-non-functional" not in unsaid.coverage


def test_i_dont_know_gets_a_smaller_question_not_the_same_one(engine: InterviewEngine) -> None:
    q = bundled_bank().questions[Q]
    planner = Planner(q, "senior", "stuck")
    st = InterviewState(phase="api_and_data", phase_started=0.0)
    plan = planner.plan(st, engine.reader.read(q, "I don't know."), now=5.0)
    missing = [i for i in items_for_phase(q, "api_and_data") if planner._expected(i)]
    narrow = max(missing, key=lambda i: i.weight)
    assert plan.kind == "dont_know" and narrow.topic in plan.question
    assert planner.P.phase_opening["api_and_data"] not in plan.question
    # Nothing of the phase left missing: the phase's own question, put again.
    for item in missing:
        st.merge(item.id, "partial")
    plan = planner.plan(st, engine.reader.read(q, "I don't know."), now=6.0)
    assert plan.question.endswith(planner.P.phase_opening["api_and_data"])


def test_a_guess_put_as_a_question_is_answered_with_the_number(engine: InterviewEngine) -> None:
    """'I don't know, maybe a million jobs?' asks for the scale: it gets the interviewer's
    figures. 'No idea, what do you think?' asks for nothing we can give: a smaller question."""
    q = bundled_bank().questions["distributed-cron"]
    guess = engine.reader.read(q, "I don't know exactly, maybe a million jobs?")
    assert guess.kind == "clarify"
    assert {f.name for f in guess.facts} & {"schedules", "firings"}
    assert engine.reader.read(q, "I have no idea. What do you think?").kind == "dont_know"
    assert engine.reader.read(q, "I don't know.").kind == "dont_know"


def test_a_hand_wave_is_asked_about_once_a_phase(engine: InterviewEngine) -> None:
    """'A highly scalable architecture' commits to nothing: the interviewer asks what it means,
    quoting it, once in the phase; a concrete sentence using the same words is not asked."""
    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "vague", now=0.0)
    said = "Scale is big. We will use a highly scalable architecture."
    plan = engine.turn(q, state, "senior", "vague", said, now=30.0)
    assert plan.kind == "vague" and '"We will use a highly scalable architecture"' in plan.question
    again = "It should be robust and seamless for users."
    assert engine.turn(q, state, "senior", "vague", again, now=60.0).kind != "vague"
    state, _ = engine.open(q, "senior", "concrete", now=0.0)
    concrete = "It is highly scalable: stateless API servers behind a load balancer, 40k reads/s."
    assert engine.turn(q, state, "senior", "concrete", concrete, now=30.0).kind != "vague"


def test_the_same_words_are_not_quoted_two_replies_running(engine: InterviewEngine) -> None:
    """Two probes of one sentence (Kafka, then Redis, both named in it): the second does not
    open on the same "You said ..." again."""
    q = bundled_bank().questions["notification-service"]
    state, _ = engine.open(q, "senior", "quote-once", now=0.0)
    engine.turn(q, state, "senior", "quote-once", "Who sends notifications?", now=10.0)
    state.phase, state.phase_started = "high_level_design", 10.0
    said = (
        "The API writes the request to Kafka after checking the idempotency key in Redis. "
        "Router workers consume, render the template and put one message per channel on queues."
    )
    first = engine.turn(q, state, "senior", "quote-once", said, now=40.0)
    assert first.kind == "probe" and first.text.startswith("You said")
    answer = (
        "One-time codes get their own high-priority topic and worker pool, so a campaign of "
        "50 million emails never delays a login code."
    )
    second = engine.turn(q, state, "senior", "quote-once", answer, now=70.0)
    assert second.kind == "probe" and second.quote == first.quote
    assert not second.text.startswith("You said")


def test_a_phase_touched_only_by_a_behaviour_opens_as_usual(engine: InterviewEngine) -> None:
    """Targets in seconds and days read as partly "sizing" (a behaviour every rubric carries):
    the estimation still opens on its own question, not on "you've already touched on the
    load and storage", which nobody gave."""
    q = bundled_bank().questions["webhook-delivery"]
    state, _ = engine.open(q, "senior", "behaviour-only", now=0.0)
    first = (
        "Do customers expect ordering, and how long do we retry? I'd assume at-least-once "
        "delivery with an event id so they can dedupe."
    )
    engine.turn(q, state, "senior", "behaviour-only", first, now=120.0)
    second = (
        "Functionally: customers register endpoints and choose event types, we sign and deliver "
        "each event, retry with backoff for up to 3 days, and they can resend by hand. Healthy "
        "endpoints get a first attempt within 10 seconds at p99, and no accepted event is lost."
    )
    plan = engine.turn(q, state, "senior", "behaviour-only", second, now=240.0)
    assert state.phase == "estimation"
    assert plan.text.endswith(engine_phrases().phase_opening["estimation"])
    assert "touched on" not in plan.text


def test_numbers_already_given_are_not_asked_for_again(engine: InterviewEngine) -> None:
    """Load and storage sized while scoping (the sizing behaviour covered): the estimation does
    not open on "Put some rough numbers on it"."""
    q = bundled_bank().questions["rate-limiter"]
    state, _ = engine.open(q, "senior", "sized", now=0.0)
    said = [
        "So we limit requests per API key. Is it per second or per minute limits, and how many "
        "gateways do we have?",
        "OK. Limits are per key per minute, say 1,000 a minute by default. We respond 429 with "
        "Retry-After when over.",
        "Traffic: 1 million requests a second across 200 gateways is 50k per gateway. Over a day "
        "that's 86 billion requests, so storing counters is about 8.6 TB a day at 100 bytes each.",
        "Sorry, I mean we only keep the current window's counters, not every request: 10 million "
        "active keys at 100 bytes is 1 GB in Redis.",
    ]
    replies = [
        engine.turn(q, state, "senior", "sized", m, now=120.0 * (n + 1)) for n, m in enumerate(said)
    ]
    assert state.phase != "requirements"
    opener = engine_phrases().phase_opening["estimation"]
    assert not any(r.text.endswith(opener) for r in replies)


def test_each_thing_a_question_names_is_answered(engine: InterviewEngine) -> None:
    """'Per second or per minute limits, and how many gateways?' asks two things: the limits
    and the gateway fleet are both answered, however close in meaning the rest of the facts."""
    q = bundled_bank().questions["rate-limiter"]
    asked = "Is it per second or per minute limits, and how many gateways do we have?"
    facts = engine.reader.read(q, asked).facts
    assert {"typical limits", "gateway fleet"} <= {f.name for f in facts}


def test_a_deadline_asked_about_is_answered_with_the_target(engine: InterviewEngine) -> None:
    """notification mock: 'And do OTPs have a delivery deadline?' was handed back ('that's your
    call') though the latency target for one-time codes is a scale fact."""
    q = bundled_bank().questions["notification-service"]
    said = (
        "Users opt out per type and per channel. What's the daily volume? And do OTPs have a "
        "delivery deadline?"
    )
    state, _ = engine.open(q, "senior", "otp", now=0.0)
    plan = engine.turn(q, state, "senior", "otp", said, 30.0)
    assert "5 s p99" in plan.text and "your call" not in plan.text, plan.text


def test_every_question_inside_an_answer_is_answered_also_one_put_as_a_statement(
    engine: InterviewEngine,
) -> None:
    """Two questions in one answer, the second put as a statement: each gets its fact (one
    embedding of both let the latency question drown the one about users)."""
    q = bundled_bank().questions["news-feed"]
    said = (
        "Users post updates and see a feed of people they follow. What latency do we need for "
        "loading the feed, by the way? I'd also like to know how many users we have."
    )
    names = [f.name for f in engine.reader.read(q, said).facts]
    assert names[0] == "latency target" and "daily active users" in names
    # A doubt about the design is not a question to the interviewer.
    unsure = engine.reader.read(q, "Posts go to Cassandra. I'm not sure how to handle celebrities.")
    assert unsure.facts == []


def test_a_question_that_asks_two_things_gets_both(engine: InterviewEngine) -> None:
    """'How long do we keep logs, and how quickly must a line be searchable?' asks for the
    retention and the latency target; "searchable" names the subject (search), so the search
    load does not stand in for the latency target. An assumption asked after them stands."""
    q = bundled_bank().questions["log-ingestion"]
    said = (
        "How long do we keep logs, and how quickly must a new line be searchable? I'm assuming "
        "we only handle logs, not traces, is that fine?"
    )
    reading = engine.reader.read(q, said)
    assert {"retention", "latency targets"} <= {f.name for f in reading.facts}
    reply = engine.turn(q, InterviewState(), "senior", "two", said, now=60.0)
    assert "a fair assumption; go with it" in reply.text


def test_a_who_question_of_scope_is_handed_back(engine: InterviewEngine) -> None:
    q = bundled_bank().questions["notification-service"]
    said = "Who triggers the messages, other teams through an API? And how many do we send?"
    reply = engine.turn(q, InterviewState(), "senior", "who", said, now=60.0)
    assert 'As for "Who triggers the messages, other teams through an API": that' in reply.text


def test_an_assumption_asked_inside_an_answer_is_answered(engine: InterviewEngine) -> None:
    """'Is it fair to assume payment goes through a PSP?' inside a requirements answer asks for
    no number: the reply still takes it up before its own question, as an assumption that
    stands; a scope question is handed back as the candidate's call."""
    q = bundled_bank().questions["ticket-booking"]
    state = InterviewState()
    said = (
        "Fans browse events, hold seats for a few minutes and pay; a seat is never sold twice. "
        "Is it fair to assume card payment goes through an external PSP?"
    )
    reply = engine.turn(q, state, "senior", "assume", said, now=120.0)
    assert reply.text.startswith('As for "Is it fair to assume card payment goes through an')
    assert "a fair assumption" in reply.text
    scope = (
        "Fans browse events, see a seat map, hold seats for a few minutes while they pay, and get "
        "a ticket; organisers create events and seat maps. Non-functional: a seat is never sold "
        "twice, holds are confirmed fast and the on-sale spike must not take the site down. Do we "
        "need to support resale?"
    )
    reply = engine.turn(q, InterviewState(), "senior", "scope", scope, now=120.0)
    assert reply.text.startswith('As for "Do we need to support resale": that\'s your call')
    # A question the answer asks itself and goes on to answer is not put to the interviewer.
    rhetorical = scope.replace(
        "Do we need to support resale?",
        "What happens when a node dies? We fail over to a replica that has every committed hold.",
    )
    reply = engine.turn(q, InterviewState(), "senior", "scope", rhetorical, now=120.0)
    assert not reply.text.startswith("As for")


def test_a_probe_states_only_the_design_the_candidate_described(engine: InterviewEngine) -> None:
    """A probe's premise ("Your session registry is in Redis.") is kept when the candidate's
    words support it and put as a supposition when they do not; a later probe of a concept
    quotes the words that named it, from whichever turn that was."""
    from agents.interviewer.phrasing import attributed, unanswered

    probe = (
        "Your session registry is in Redis. If that Redis node fails over and loses the last "
        "second of writes, what happens to messages for users who just reconnected?"
    )
    unsupported = attributed(probe, "If Redis fails we add more Redis.", ["redis"])
    assert unsupported.startswith("Suppose your session registry is in Redis. If that Redis")
    supported = attributed(
        probe, "A session registry in Redis maps each user to their gateway.", ["redis"]
    )
    assert supported == probe
    # Naming the choice attributes nothing beyond the name; quoting what was said is kept.
    assert attributed("You picked Cassandra. Why?", "We store it in Cassandra.", ["cassandra"]) == (
        "You picked Cassandra. Why?"
    )
    # "Everything" claims more than the name: a hot tier of seven days is not all of it.
    everything = "You want everything in Elasticsearch. How much disk does that take?"
    tiered = "Parsers write to an Elasticsearch hot tier for 7 days, the rest goes to S3."
    assert attributed(everything, tiered, ["elasticsearch"]).startswith("Suppose you want")
    assert attributed(everything, "All logs go to Elasticsearch.", ["elasticsearch"]) == everything
    said_it = "You said exactly-once. How?"
    assert attributed(said_it, "We retry.", []) == said_it
    # A premise before a question's semicolon is checked too, against one sentence that names
    # its concept: holds mentioned in one place and Redis in another are not "holds in Redis".
    holds = "You keep holds in Redis with a TTL; if the primary fails over, what is sold twice?"
    apart = "We hold seats for a few minutes. The seat map is served from Redis."
    assert attributed(holds, apart, ["redis"]).startswith("Suppose you keep holds in Redis")
    together = "Holds live in Redis as keys with a TTL of eight minutes."
    assert attributed(holds, together, ["redis"]) == holds

    # The half of a probe their quoted words answer is not asked again; the other half is.
    status = (
        "Which HTTP status does your redirect return, and what do you give up if browsers "
        "cache it forever?"
    )
    assert unanswered(status, "Redirects return HTTP 302.") == (
        "What do you give up if browsers cache it forever?"
    )
    assert unanswered(status, "Codes are 7 base62 characters from a counter.") == status
    key = "In Cassandra, what is your partition key for messages, and what happens to a big group?"
    said = "A chat service writes each message to Cassandra partitioned by conversation id"
    assert unanswered(key, said, ["cassandra"]) == "What happens to a big group?"
    assert unanswered(key, "We picked Cassandra.", ["cassandra"]) == key

    q = bundled_bank().questions["chat-messaging"]
    said = [
        "Users send one-to-one and group messages with sent, delivered and read receipts.",
        "A chat service writes each message to Cassandra partitioned by conversation id, then "
        "fans it out to the gateways of online recipients.",
    ]
    state, _ = _play(engine, q, "quotes", said, step=10.0)
    assert state.quotes["cassandra"] == (
        "A chat service writes each message to Cassandra partitioned by conversation id"
    )
    state.phase, state.phase_started = "api_and_data", 20.0
    plan = engine.turn(
        q, state, "senior", "quotes", "Each member keeps a read marker.", 30.0, tuple(said)
    )
    assert plan.kind == "probe" and plan.probe is not None
    assert plan.probe.trigger == "concept:cassandra"
    assert plan.text.startswith(f'You said "{state.quotes["cassandra"]}".')


def test_moving_on_past_a_covered_phase_names_the_phase_it_opens(engine: InterviewEngine) -> None:
    """Requirements exhausted, estimation already covered: the reply opens the API phase and
    says so, not "let's move to the estimation" before an API question."""
    q = bundled_bank().questions[Q]
    planner = Planner(q, "senior", "skip-on")
    st = InterviewState(phase="requirements", phase_started=0.0)
    for phase in ("requirements", "estimation"):
        for item in items_for_phase(q, phase):
            st.merge(item.id, "covered")
    plan = planner.next_question(st, engine.reader.read(q, "ok"), opened=False, now=40.0)
    assert st.phase == "api_and_data" and st.phase_started == 40.0
    assert plan.skipped == ["estimation"] and plan.transitioned_to == "api_and_data"


def test_a_skipped_phase_is_named_before_the_next_one(engine: InterviewEngine) -> None:
    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "skip-words", now=0.0)
    said = (
        "Functional: shorten a URL, redirect, custom aliases, expiry, click counts. "
        "Non-functional: p99 redirect under 50 ms at the edge and 99.99% availability. "
        "100 million new links a month is about 40 per second, 200 at peak; 10 billion "
        "redirects a month is about 4,000 per second, so reads outnumber writes 100 to 1. "
        "Five years at 500 bytes a link is 6 billion links, about 3 TB."
    )
    plan = engine.turn(q, state, "senior", "skip-words", said, 30.0)
    assert plan.skipped == ["estimation"] and state.phase == "api_and_data"
    assert plan.text.startswith("That covers the estimation too. ")
    assert "rough numbers" not in plan.text


def test_an_interview_stopped_early_says_so_and_cannot_be_a_hire(engine: InterviewEngine) -> None:
    from agents.evaluator import Segment

    q = bundled_bank().questions[Q]
    said = [
        Segment(
            "Users shorten links and follow them; 100 million links a month is about 40 "
            "writes a second and 4,000 redirects a second. Links live five years, 3 TB in all.",
            "requirements",
        ),
        Segment(
            "POST /links returns a code; GET /{code} answers 302 so clicks stay countable. "
            "One table keyed by code holds the long URL, owner and expiry.",
            "api_and_data",
        ),
    ]
    stopped = InterviewState(phase="api_and_data", phase_started=0.0)
    ev = engine.grade(q, said, "senior", stopped)
    assert "incomplete" in ev.flags and ev.verdict in ("lean_no_hire", "no_hire")
    assert ev.feedback.startswith(
        "Incomplete interview: it ended in the API and data model, before the high-level design,"
    )
    assert "deep dive" in ev.feedback and "the rest count as missed" in ev.feedback
    done = InterviewState(phase="wrap_up", phase_started=0.0, done=True)
    whole = engine.grade(q, said, "senior", done)
    assert "incomplete" not in whole.flags and whole.overall == ev.overall


def test_the_feedback_names_the_numbers_and_the_best_moments(engine: InterviewEngine) -> None:
    from agents.evaluator import Segment

    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "feedback", now=0.0)
    said = "10 billion redirects a month works out to roughly 400 per second on average."
    engine.turn(q, state, "senior", "feedback", said, 10.0)
    assert any(n.verdict != "ok" for n in state.numbers)
    ev = engine.grade(q, [Segment(said, "estimation")], "senior", state)
    assert 'Numbers: 1 of 1 estimates was off; "400 per second": our working gives' in ev.feedback
    assert "Most valuable misses:" in ev.feedback and "a strong answer" in ev.feedback


def test_a_slip_said_again_is_listed_and_counted_once(engine: InterviewEngine) -> None:
    """The same wrong figure in two messages is one estimate on the scorecard, one slip in the
    feedback's count and one charge on requirements, not two."""
    from agents.evaluator import Segment

    q = bundled_bank().questions[Q]
    said = "10 billion redirects a month works out to roughly 400 per second on average."
    again = "As I said, 10 billion redirects a month works out to roughly 400 per second."
    once, _ = engine.open(q, "senior", "again-1", now=0.0)
    engine.turn(q, once, "senior", "again-1", said, 10.0)
    twice, _ = engine.open(q, "senior", "again-2", now=0.0)
    engine.turn(q, twice, "senior", "again-2", said, 10.0)
    engine.turn(q, twice, "senior", "again-2", again, 20.0, (said,))
    assert sum(n.claim == "400 per second" for n in twice.numbers) == 2  # the record keeps both
    one = engine.grade(q, [Segment(said, "estimation")], "senior", once)
    two = engine.grade(
        q, [Segment(said, "estimation"), Segment(again, "estimation")], "senior", twice
    )
    assert [n.claim for n in two.numbers if n.verdict != "ok"] == ["400 per second"]
    assert "Numbers: 1 of 1 estimates was off" in two.feedback
    req = {d.name: d.score for d in one.dimensions}["requirements"]
    assert {d.name: d.score for d in two.dimensions}["requirements"] >= req - 0.25


def test_a_known_design_mistake_is_pushed_on_once_quoting_the_candidate(
    engine: InterviewEngine,
) -> None:
    """'We keep the links in memory with no replication' is a mistake a bar-raiser pushes on; the
    probe quotes it and gives nothing away; the same mistake is not asked about twice."""
    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "m", now=0.0)
    wrong = (
        "We keep every link only in memory on one cache node, no replicas, since redirects "
        "must be fast."
    )
    plan = engine.turn(q, state, "senior", "m", wrong, 30.0)
    assert plan.kind == "mistake", plan.text
    assert "one cache node, no replicas" in plan.text
    around = re.sub(r'"[^"]*"', "", plan.text)
    assert "replica" not in around and "failover" not in around  # the remedy is not given
    again = engine.turn(q, state, "senior", "m", wrong, 60.0, history=(wrong,))
    assert again.kind != "mistake"


def test_the_same_design_done_right_is_not_pushed_on(engine: InterviewEngine) -> None:
    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "m", now=0.0)
    right = (
        "The mapping from code to URL lives in a replicated store with three replicas across "
        "zones, with Redis in front as a cache."
    )
    assert engine.turn(q, state, "senior", "m", right, 30.0).kind != "mistake"


@pytest.mark.parametrize(
    ("sentence", "quote"),
    [
        # A short lead-in is dropped; the point is quoted whole, in the candidate's punctuation.
        (
            "To keep things simple, workers will call every endpoint synchronously from the "
            "payment request path, so the customer gets the webhook before we return.",
            "workers will call every endpoint synchronously from the payment request path",
        ),
        # A condition is the point's own: kept.
        ("If Redis fails, we add more Redis.", "If Redis fails, we add more Redis"),
        (
            "We cache sessions in Redis; the TTL is 60 s.",
            "We cache sessions in Redis; the TTL is 60 s",
        ),
        # One clause longer than the limit is cut with an ellipsis.
        (" ".join(f"w{i}" for i in range(20)), " ".join(f"w{i}" for i in range(16)) + "…"),
    ],
)
def test_a_quote_is_whole_clauses_of_the_candidates_words(sentence: str, quote: str) -> None:
    from agents.interviewer.reading import clip_quote

    assert clip_quote(sentence) == quote


@pytest.mark.parametrize(
    ("persona", "pushes"), [("supportive", 1), ("neutral", 2), ("adversarial", 3)]
)
def test_how_often_a_hand_wave_is_asked_about_follows_the_persona(
    engine: InterviewEngine, persona: str, pushes: int
) -> None:
    """Three hand-waves, two in the requirements and one in the estimation: the supportive
    interviewer asks once an interview, the neutral once a phase, the adversarial every time."""
    q = bundled_bank().questions[Q]
    state, _ = engine.open(q, "senior", "persona", now=0.0, persona=persona)
    said = [
        (0.0, "We will use a highly scalable architecture for the short links."),
        (20.0, "Redirects must be robust and seamless for users clicking a short link."),
        (40.0, "The link traffic will be handled carefully with the right tools."),
    ]
    kinds = []
    for n, (at, text) in enumerate(said):
        if n == 2:
            state.phase, state.phase_started = "estimation", at
        kinds.append(engine.turn(q, state, "senior", "persona", text, now=at + 10.0).kind)
    assert kinds.count("vague") == pushes, kinds


def test_a_contradiction_quotes_the_clauses_that_take_each_side(engine: InterviewEngine) -> None:
    """Quoted where each sentence takes its side, with the clause it follows from; not the
    sentences' lead-ins ("Then the hard requirement is...", "To keep the map fast")."""
    q = bundled_bank().questions["ticket-booking"]
    state, _ = engine.open(q, "senior", "quotes", now=0.0)
    engine.turn(
        q,
        state,
        "senior",
        "quotes",
        "Then the hard requirement is no double booking: a seat is sold at most once, so seat "
        "state needs strong consistency.",
        now=30.0,
    )
    plan = engine.turn(
        q,
        state,
        "senior",
        "quotes",
        "To keep the map fast, I'd let each region accept holds locally and reconcile conflicts "
        "afterwards with last-writer-wins.",
        now=60.0,
    )
    assert plan.kind == "contradiction"
    assert '"a seat is sold at most once, so seat state needs strong consistency"' in plan.question
    assert "\"I'd let each region accept holds locally and reconcile" in plan.question


def test_a_question_of_scope_is_left_to_the_candidate_not_answered_with_figures(
    engine: InterviewEngine,
) -> None:
    """'Should suggestions be personalised?' asks for a decision: the nearest figures (users,
    request rate) do not answer it. 'How fresh must they be?' asks for the freshness target, not
    the suggestion rate its subject word names. A message asking both gets both."""
    q = bundled_bank().questions["search-autocomplete"]
    planner = Planner(q, "senior", "scope")
    scope = engine.reader.read(q, "Should suggestions be personalised per user?")
    assert scope.kind == "clarify" and scope.facts == []
    plan = planner.plan(InterviewState(phase="requirements", phase_started=0.0), scope, now=5.0)
    assert plan.question == planner.P.clarify_scope
    fresh = engine.reader.read(q, "How fresh do suggestions need to be?")
    assert fresh.facts and fresh.facts[0].name == "freshness"
    p = bundled_bank().questions["payment-processing"]
    both = engine.reader.read(
        p, "What volume of payments are we talking about, and do we need to support refunds?"
    )
    assert "payments" in {f.name for f in both.facts}
    assert both.open_asks == ["do we need to support refunds"]
    plan = Planner(p, "senior", "scope").plan(
        InterviewState(phase="requirements", phase_started=0.0), both, now=5.0
    )
    assert (
        "20 million a day" in plan.question and '"do we need to support refunds"' in plan.question
    )
    assert plan.question.count("?") == 1
    # "which ..." and "what kind of ..." ask for a decision too.
    m = bundled_bank().questions["multi-region-active-active"]
    mixed = engine.reader.read(
        m,
        "Two things first: which data must be strongly consistent across regions, and what's "
        "the acceptable RPO if a region is lost?",
    )
    assert [f.name for f in mixed.facts] == ["recovery targets"]
    assert mixed.open_asks == ["which data must be strongly consistent across regions"]


def test_i_dont_know_about_a_named_point_narrows_to_that_point(engine: InterviewEngine) -> None:
    """'Not sure how to handle the acquirer timing out' is stuck on one point: the smaller
    question is about that point, not the phase's opening put again."""
    q = bundled_bank().questions["payment-processing"]
    reading = engine.reader.read(q, "I'm not sure how to handle the acquirer timing out.")
    assert reading.kind == "dont_know" and reading.stuck_on is not None
    item = next(i for i in q.rubric if i.id == reading.stuck_on)
    st = InterviewState(phase="api_and_data", phase_started=0.0)
    plan = Planner(q, "senior", "stuck").plan(st, reading, now=5.0)
    assert plan.kind == "dont_know" and item.topic in plan.question
    assert engine.reader.read(q, "I don't know.").stuck_on is None


@pytest.mark.parametrize(
    ("message", "flagged"),
    [
        ("We could just retry the authorisation until it succeeds.", True),
        ("We retry the authorisation with the same idempotency key until it succeeds.", False),
    ],
)
def test_a_blind_retry_of_a_charge_is_pushed_on(
    engine: InterviewEngine, message: str, flagged: bool
) -> None:
    q = bundled_bank().questions["payment-processing"]
    reading = engine.reader.read(q, message)
    assert bool(reading.mistakes) is flagged, reading.mistakes


def test_scope_drawn_as_a_first_version_counts_as_functional_scope(
    engine: InterviewEngine,
) -> None:
    q = bundled_bank().questions["search-autocomplete"]
    reading = engine.reader.read(
        q, "Prefix matching only, no personalisation in v1, and offensive completions filtered."
    )
    assert reading.coverage.get("b-functional") == "covered", reading.coverage


def test_a_figure_put_right_after_the_probe_is_acknowledged_once(
    engine: InterviewEngine,
) -> None:
    q = bundled_bank().questions["log-ingestion"]
    state, _ = engine.open(q, "senior", "fix", now=0.0)
    probe = engine.turn(
        q,
        state,
        "senior",
        "fix",
        "6 million events per second at 500 bytes each is 3 MB/s of ingest.",
        60.0,
    )
    assert probe.kind == "numbers" and "3 MB/s" in probe.text
    fixed = engine.turn(
        q,
        state,
        "senior",
        "fix",
        "Sorry, 6 million events per second at 500 bytes each is 3 GB/s.",
        120.0,
    )
    assert fixed.text.startswith(engine_phrases().number_fixed)
    assert any(n.corrected for n in state.numbers)
    later = engine.turn(q, state, "senior", "fix", "At 3 GB/s a day is about 260 TB.", 180.0)
    assert engine_phrases().number_fixed not in later.text


def test_a_sum_redone_in_few_words_is_on_topic(engine: InterviewEngine) -> None:
    """payments mock: a short redo, in few of the problem's words, was read as off topic."""
    q = bundled_bank().questions["payment-processing"]
    said = [
        "20 million payments a day over 86,400 seconds is about 230 a second, and the peak is "
        "3,000 a second.",
        "At peak, 0.1% of 3,000 a second is about 30 a second landing in the unknown state.",
    ]
    fix = "Right, 0.1% of 3,000 is 3 a second, about 10,000 an hour at peak."
    state, _ = engine.open(q, "senior", "redo", now=0.0)
    engine.turn(q, state, "senior", "redo", said[0], 30.0)
    probe = engine.turn(q, state, "senior", "redo", said[1], 60.0, history=(said[0],))
    assert probe.kind == "numbers" and "30 a second" in probe.text
    reply = engine.turn(q, state, "senior", "redo", fix, 90.0, history=tuple(said))
    assert reply.kind != "off_topic" and reply.text.startswith(engine_phrases().number_fixed)


@pytest.mark.parametrize(
    ("text", "works"),
    [
        ("Right, 0.1% of 3,000 is 3 a second, about 10,000 an hour at peak.", True),
        ("So 30 a second, about 100,000 an hour.", True),
        ("My weekend: 3 beers and 2 films.", False),  # small bare counts are in any chat
        ("I ran 10 km in 50 minutes.", False),  # figures nobody had put on the table
    ],
)
def test_a_message_works_a_figure_already_on_the_table(text: str, works: bool) -> None:
    said = ["At peak, 0.1% of 3,000 a second is about 30 a second, 3 of them retried."]
    assert _works_a_figure(text, said) is works


def test_a_figure_put_right_beside_another_flag_is_still_put_right(
    engine: InterviewEngine,
) -> None:
    """The answer to the probe fixes the questioned figure but restates a scale input that
    contradicts the facts: the fix counts (a slip fixed costs less than one left standing) and
    the new flag goes on the record on its own, probed next."""
    q = bundled_bank().questions["log-ingestion"]
    said = [
        "6 million events per second at 500 bytes each is 3 MB/s of ingest.",
        "Sorry, 6 million events per second at 500 bytes each is 3 GB/s; we have 500,000 hosts.",
    ]
    state, plan = _play(engine, q, "fixed-beside", said, 60.0)
    slip = next(n for n in state.numbers if n.claim == "3 MB/s")
    assert slip.corrected
    conflict = next(n for n in state.numbers if n.verdict == "scale_conflict")
    assert conflict.claim == "500,000" and not conflict.corrected
    assert plan.kind == "numbers" and "500,000" in plan.text


def test_a_wrong_figure_again_puts_nothing_right(engine: InterviewEngine) -> None:
    """Answering the probe with another wrong figure for the same thing fixes nothing."""
    q = bundled_bank().questions["log-ingestion"]
    said = [
        "6 million events per second at 500 bytes each is 3 MB/s of ingest.",
        "Let me redo it: 6 million events per second at 500 bytes each is 30 TB/s.",
    ]
    state, _ = _play(engine, q, "wrong-again", said, 60.0)
    assert not any(n.corrected for n in state.numbers)


def test_a_correct_figure_about_something_else_puts_nothing_right(
    engine: InterviewEngine,
) -> None:
    """Moving on to a right figure of another kind ("1,000 queries a second") after the probe
    leaves the slip standing: no "that figure holds up now"."""
    q = bundled_bank().questions["log-ingestion"]
    said = [
        "6 million events per second at 500 bytes each is 3 MB/s of ingest.",
        "Search is light: 3,000 engineers running a query every 3 seconds is 1,000 a second.",
    ]
    state, plan = _play(engine, q, "moved-on", said, 60.0)
    assert engine_phrases().number_fixed not in plan.text
    assert not any(n.corrected for n in state.numbers)


@pytest.mark.parametrize(
    "message",
    [
        "I'm not really sure how to keep one noisy tenant from hurting others.",
        "Not quite sure how to stop one chatty service from flooding everyone.",
    ],
)
def test_unsure_about_a_named_point_is_dont_know_about_that_point(
    engine: InterviewEngine, message: str
) -> None:
    q = bundled_bank().questions["log-ingestion"]
    reading = engine.reader.read(q, message)
    assert reading.kind == "dont_know"
    assert reading.stuck_on == "noisy-neighbour-quotas"


@pytest.mark.parametrize(
    ("earlier", "later", "stance"),
    [
        (  # the word "dedupe" under "without checking" is no commitment to dedupe
            "Every notification carries an idempotency key and the sender checks it before "
            "calling the provider, so nobody gets the same notification twice.",
            "If the provider doesn't ack within 2 seconds I'd retry straight away without "
            "checking the dedupe store.",
            "dedupe",
        ),
        (
            "A 1,024-GPU job is gang-scheduled: it starts only when all 128 nodes are free.",
            "To keep GPUs busy I'd launch the 1,024-GPU run as soon as 512 GPUs are free and "
            "let it grow onto more nodes later.",
            "all-or-nothing",
        ),
    ],
)
def test_a_reversal_is_caught_and_a_negated_mention_takes_no_side(
    engine: InterviewEngine, earlier: str, later: str, stance: str
) -> None:
    from agents.interviewer.engine import contradicted
    from agents.interviewer.reading import stance_hits

    stances = bundled_bank().stances
    committed = [h for h in stance_hits(earlier, stances) if h.stance == stance]
    hits = [h for h in stance_hits(later, stances) if h.stance == stance]
    assert committed and hits and {h.side for h in hits} != {h.side for h in committed}
    assert any(contradicted(engine.evaluator.embedder, h, committed) for h in hits)


def test_figures_worked_out_while_scoping_are_not_asked_for_again(engine: InterviewEngine) -> None:
    """A dense sizing sentence is one sentence (the sizing behaviour stays partial), but its
    estimates are on the record: the estimation phase opens on them, not on 'put some rough
    numbers on it' or 'can you spell out the load'."""
    q = bundled_bank().questions["distributed-cache"]
    said = [
        "Is this cache shared by many teams, and what hit rate are we aiming for?",
        "I'll assume a shared cache with per-team namespaces and quotas, a 95% hit rate, and "
        "p99 under 2 ms for gets.",
        "At 5 million operations per second and 1 KB values, that's 5 GB/s across the fleet, "
        "so with 50 nodes each node sees 100k ops per second and 100 MB/s.",
    ]
    state, plan = _play(engine, q, "sized", said, step=120.0)
    assert state.phase == "estimation"
    assert engine_phrases().phase_opening["estimation"] not in plan.text
    assert "spell out" not in plan.text


def test_a_figure_derived_again_in_working_that_checks_out_clears_the_question() -> None:
    """Our reading can be wrong: the same figure, re-derived in working we verify, clears it;
    a right figure of another kind does not, nor does the figure merely repeated."""
    from agents.estimates import extract_quantities
    from agents.interviewer.planner import _puts_right
    from agents.interviewer.state import NumberCheck

    questioned = NumberCheck(turn=1, claim="1,200 shard copies", verdict="off", ratio=0.06)
    again = extract_quantities("400 shards × 3 replicas = 1,200 shard copies")[-1:]
    other = extract_quantities("so 1 million lookups a second")
    assert _puts_right(questioned, again, checked=again, clean=True)
    assert not _puts_right(questioned, other, checked=other, clean=True)
    assert not _puts_right(questioned, again, checked=[], clean=True)


def test_a_hint_helps_with_the_open_question_and_climbs_per_point(
    engine: InterviewEngine,
) -> None:
    q = bundled_bank().questions["payment-processing"]
    state, _ = engine.open(q, "senior", "hints", now=0.0)
    first = (
        "We charge cards for orders, support refunds and never double-charge; 99.99% "
        "availability for the charge API and p99 under 500 ms excluding the card network."
    )
    plan = engine.turn(q, state, "senior", "hints", first, 30.0)
    asked = plan.target.get("id")
    assert plan.target.get("kind") == "item" and asked
    one, two = engine.hint(q, state, "senior"), engine.hint(q, state, "senior")
    assert (one.item_id, one.level) == (asked, 1)
    assert two.item_id == asked and two.level > 1
    # The next question asks about another point: help with it starts again at a nudge.
    second = "Each charge carries an idempotency key stored with its result in Postgres."
    plan = engine.turn(q, state, "senior", "hints", second, 60.0, history=(first,))
    assert plan.target.get("kind") == "item" and plan.target.get("id") != asked
    three = engine.hint(q, state, "senior")
    assert (three.item_id, three.level) == (plan.target["id"], 1)


def test_a_hint_names_a_note_section_as_a_reader_would() -> None:
    got = section_name("Constraints first > Functional requirements: the verbs")
    assert got == '"Functional requirements: the verbs" (in "Constraints first")'
    assert section_name("Caching") == 'the note "Caching"'
    assert section_name("") == "the related notes"


def test_a_point_probed_and_not_answered_is_not_asked_again_in_other_words(
    engine: InterviewEngine,
) -> None:
    """A probe of a missing point counts as asking for it: the next question is another point
    (or the next phase), not the same point as an item question."""
    q = bundled_bank().questions["rate-limiter"]
    planner = Planner(q, "senior", "probed")
    st = InterviewState(phase="api_and_data", phase_started=0.0)
    first = planner.next_question(st, engine.reader.read(q, "ok"), opened=False, now=1.0)
    assert first.kind == "probe" and first.probe is not None
    probed = first.probe.trigger_value
    assert st.status(probed) == "missing"
    later = [
        planner.next_question(st, engine.reader.read(q, "ok"), False, 2.0 + n) for n in range(4)
    ]
    assert all(p.item is None or p.item.id != probed for p in later)


def test_a_probe_of_a_point_made_earlier_in_part_quotes_where_it_was_made(
    engine: InterviewEngine,
) -> None:
    """A point made in part two messages ago, probed now, is probed as a push on what was said
    (quoted from the sentence that named it), not asked as if nothing had been said."""
    q = bundled_bank().questions["payment-processing"]
    planner = Planner(q, "senior", "earlier")
    st = InterviewState(phase="api_and_data", phase_started=0.0)
    said = "Money movements go into a double-entry ledger table."
    reading = engine.reader.read(q, said)
    assert reading.coverage.get("ledger-model") == "partial"
    planner.plan(st, reading, now=10.0)
    later = engine.reader.read(q, "Separately, refunds are their own endpoint.", (said,))
    st.asked_probes = [p.id for p in q.probes if p.trigger_value != "ledger-model"]
    st.asked_scenarios = [s.id for s in q.failure_scenarios]
    plan = planner.next_question(st, later, opened=False, now=20.0)
    assert plan.kind == "probe" and plan.probe is not None
    assert plan.probe.trigger_value == "ledger-model"
    assert plan.text.startswith('You said "Money movements go into a double-entry ledger table')


def test_a_failure_scenario_already_answered_is_not_put_to_the_candidate(
    engine: InterviewEngine,
) -> None:
    """'If a gateway dies, its clients reconnect to another one and sync from their last
    sequence number' answers the gateway-crash scenario: it is not asked; an unrelated sentence
    leaves it. (The thresholds are strict: a looser paraphrase is still asked, which costs a
    repeat, not a skipped test of the candidate.)"""
    q = bundled_bank().questions["chat-messaging"]
    said = (
        "If a gateway dies, its clients reconnect to another one and sync from their last "
        "sequence number, so nothing is lost; the registry entry expires with a short TTL."
    )
    assert "gateway-crash" in engine.reader.read(q, said).answered_scenarios
    other = "Group messages fan out on write to each member's inbox, up to 1,000 members."
    assert engine.reader.read(q, other).answered_scenarios == []
    planner = Planner(q, "senior", "scenario")
    st = InterviewState(phase="tradeoffs_and_failures", phase_started=0.0)
    planner.plan(st, engine.reader.read(q, said), now=5.0)
    assert "gateway-crash" in st.asked_scenarios


def test_a_twist_the_candidate_already_designed_for_gives_way_to_another(
    engine: InterviewEngine,
) -> None:
    q = bundled_bank().questions["chat-messaging"]
    said = (
        "For channels with 200,000 followers each channel gets one log and followers pull by "
        "sequence number when they open it; view counts are aggregated."
    )
    reading = engine.reader.read(q, said)
    assert "broadcast-channels" in reading.met_twists
    for seed in ("a", "b", "c", "d"):
        st = InterviewState(phase="deep_dive", phase_started=0.0, met_twists=["broadcast-channels"])
        plan = Planner(q, "senior", seed)._twist_plan(st)
        assert plan is not None and plan.target["id"] != "broadcast-channels"


def test_a_quoted_design_is_not_stated_again_after_the_quote() -> None:
    from agents.interviewer.phrasing import after_quote

    probe = "Your session registry is in Redis. If that Redis node fails over, what is lost?"
    quote = "a session registry in Redis maps each user to their gateway"
    assert after_quote(probe, quote, ["redis"]) == "If that Redis node fails over, what is lost?"
    assert after_quote(probe, "we shard users by id", ["redis"]) == probe


def test_one_question_is_not_cut_at_a_question_mark_the_candidate_wrote() -> None:
    """A probe quoting "GET /boards/{board}/top?n=100" was cut at the quoted "?": the reply
    ended mid-quote and asked nothing."""
    reply = 'You said "GET /boards/{board}/top?n=100". How is that served at 200k a second? And x?'
    assert one_question(reply) == reply[: reply.index("second?") + 7]
    assert asks('You said "is it exact?"') is False
    assert asks("Read /top?n=100 and then?") is True
    assert one_question("Which store? And why?") == "Which store?"


def test_a_question_an_answer_ends_on_is_put_to_the_interviewer(engine: InterviewEngine) -> None:
    """ "What consistency do services expect after a database write?" closing a scoping answer
    was passed over (no "we" or "you" in it): a question with nothing said after it is asked of
    us. One the answer goes on to answer itself is not."""
    q = bundled_bank().questions["distributed-cache"]
    said = (
        "Let me scope it. It's a look-aside cache in front of the databases with get, set and "
        "delete and TTLs, no persistence guarantees, shared by many teams. What consistency do "
        "services expect after a database write?"
    )
    reply = engine.turn(q, InterviewState(), "senior", "close", said, now=60.0)
    assert reply.text.startswith('As for "What consistency do services expect after a database')
    assert reply.kind != "mistake"  # a look-aside cache is no cache kept as the only copy
    itself = said + " I'd say read-your-writes is not needed; TTL plus invalidation is enough."
    reply = engine.turn(q, InterviewState(), "senior", "itself", itself, now=60.0)
    assert "As for" not in reply.text


def test_just_scaling_horizontally_is_asked_what_it_means(engine: InterviewEngine) -> None:
    q = bundled_bank().questions["distributed-cache"]
    said = (
        "When a node dies, 1/70 of keys miss, so about 64k reads per second fall through to the "
        "database. Hot keys we'd just scale horizontally."
    )
    reading = engine.reader.read(q, said)
    assert [v[0] for v in reading.vague] == ["Hot keys we'd just scale horizontally."]


def test_an_estimation_hint_points_at_the_questions_own_numbers(engine: InterviewEngine) -> None:
    """A hint on "put some rough numbers on it" was about "the load and storage you are
    designing for" (a behaviour every rubric carries) and asked what it would cost; it now
    points at the question's own estimate and asks for numbers."""
    q = bundled_bank().questions["bike-scooter-sharing"]
    state, _ = engine.open(q, "senior", "est", now=0.0)
    said = (
        "Riders find vehicles nearby, unlock, ride, end the ride and pay; ops crews see battery "
        "and location and get tasks; cities define zones. Unlock within 3 seconds, and the ride "
        "must end cleanly even if the vehicle is offline."
    )
    engine.turn(q, state, "senior", "est", said, 30.0)
    assert state.phase == "estimation"
    hint = engine.hint(q, state, "senior")
    own = {i.id for i in q.rubric}
    assert hint.item_id in own, hint
    assert "cost" not in hint.text or "numbers" in hint.text


def test_a_concept_probe_names_the_technology_the_candidate_named(engine: InterviewEngine) -> None:
    """ "We query MySQL for drivers within 5 km" was probed with "Each location ping updates the
    driver's row in Postgres": the concept groups relational stores, the probe names one."""
    from agents.interviewer.reading import in_their_words

    q = bundled_bank().questions["ride-sharing-dispatch"]
    state, _ = engine.open(q, "senior", "mysql", now=0.0)
    state.phase = "api_and_data"
    said = (
        "To match, we query MySQL for drivers within 5 km using latitude and longitude ranges, "
        "nearest first."
    )
    plan = engine.turn(q, state, "senior", "mysql", said, now=900.0)
    assert plan.probe is not None and plan.probe.id == "postgres-location-rows", plan
    assert "Postgres" not in plan.text and "row in MySQL" in plan.text
    aliases = ("postgres", "postgresql", "mysql", "relational database")
    probe = "Each ping updates the driver's row in Postgres."
    assert in_their_words(probe, "we keep it in PostgreSQL", aliases).endswith("in PostgreSQL.")
    assert in_their_words(probe, "a relational database holds it", aliases) == probe
    assert in_their_words(probe, "we never use MySQL here", aliases) == probe
    # The candidate's name keeps the number of the word it replaces ("Your WebSockets land").
    sockets = ("websocket", "websockets", "server-sent events", "sse")
    plural = "Your WebSockets land on whichever server the load balancer picks."
    assert in_their_words(plural, "Clients hold a WebSocket to a gateway.", sockets) == plural
    assert in_their_words(plural, "Clients hold an SSE stream.", sockets).startswith("Your SSE ")


def test_a_bigger_machine_and_a_ride_offered_to_everyone_are_pushed_on(
    engine: InterviewEngine,
) -> None:
    """From a weak ride-hailing mock: "MySQL can handle that with a big enough machine" was
    taken as an answer, and "send the offer to all of them at once; the first to accept gets the
    ride" raised nothing."""
    q = bundled_bank().questions["ride-sharing-dispatch"]
    reading = engine.reader.read(
        q, "Hmm, 250k per second then. MySQL can handle that with a big enough machine."
    )
    assert [v[0] for v in reading.vague] == ["MySQL can handle that with a big enough machine."]
    race = engine.reader.read(
        q,
        "To match, we find drivers within 5 km and send the offer to all of them at once; the "
        "first to accept gets the ride.",
    )
    assert "offer-to-many-at-once" in {m.id for m in race.mistakes}
    one = engine.reader.read(
        q, "We offer the trip to one driver at a time; the first to accept within 15 s gets it."
    )
    assert "offer-to-many-at-once" not in {m.id for m in one.mistakes}


def test_a_question_put_to_the_interviewer_is_not_a_hand_wave(engine: InterviewEngine) -> None:
    """'Do we promise at-least-once delivery or something stronger?' asks; it commits to
    nothing, so it is answered, never pushed on as vague."""
    q = bundled_bank().questions["webhook-delivery"]
    said = (
        "Before I start: who are the consumers of these webhooks, thousands of third-party "
        "endpoints we don't control? And do we promise at-least-once delivery or something "
        "stronger?"
    )
    reading = engine.reader.read(q, said)
    assert reading.vague == []
    assert reading.open_asks  # still put to the interviewer, and answered


@pytest.mark.parametrize(
    ("said", "justified"),
    [
        (
            "Dispatchers POST with an HMAC-SHA256 signature header and a timestamp so merchants "
            "can reject replays.",
            True,
        ),
        ("Dispatchers POST with an HMAC-SHA256 signature header and a timestamp.", False),
        ("Every request carries an HMAC signature to prevent forged deliveries.", True),
    ],
)
def test_a_consequence_or_purpose_justifies_a_choice(
    engine: InterviewEngine, said: str, justified: bool
) -> None:
    """A concept named with what it buys is justified: no 'why X?' probe on it."""
    q = bundled_bank().questions["webhook-delivery"]
    assert engine.reader.read(q, said).named == {"hmac-signing": justified}


def test_a_probe_written_for_a_missing_point_waits_while_the_point_is_made_in_part(
    engine: InterviewEngine,
) -> None:
    """'Each document gets one owner process ... The owner assigns each operation a sequence
    number' was followed by 'Two ops made against revision 40 reach two different servers at
    the same moment. Which one becomes revision 41?', a probe written for a design with no
    owner (`when: missing`). It waits while the point is partial, and is asked while missing."""
    q = bundled_bank().questions["collaborative-editor"]
    probe = next(p for p in q.probes if p.id == "no-owner")
    assert probe.when == "missing"
    said = (
        "Each document gets one owner process, found by consistent hashing on the document id. "
        "The owner assigns each operation a sequence number and broadcasts it."
    )
    reading = engine.reader.read(q, said)
    for status, asked in (("partial", False), ("missing", True)):
        st = InterviewState(phase="high_level_design", phase_started=0.0)
        for item in items_for_phase(q, "high_level_design"):
            st.merge(item.id, "covered")
        st.coverage["session-owner"] = status
        plan = Planner(q, "senior", f"owner-{status}").next_question(
            st, reading, opened=False, now=30.0
        )
        assert ("revision 41" in plan.question) is asked, (status, plan.question)


def test_the_numbers_section_gives_our_figure_per_the_period_the_candidate_used(
    engine: InterviewEngine,
) -> None:
    """payments mock: '20 GB a day' was listed as recomputed '~231 KB/s'."""
    q = bundled_bank().questions["payment-processing"]
    state, _ = engine.open(q, "senior", "per", now=0.0)
    said = (
        "100 million ledger entries a day at about 200 bytes is 20 GB a day, so 7 TB a year; "
        "20 million payments a day is about 230 a second."
    )
    engine.turn(q, state, "senior", "per", said, 30.0)
    got = {n.claim: n.recomputed for n in state.numbers}
    assert got["20 GB a day"] == "~20 GB/day"
    assert got["7 TB a year"] == "~7.3 TB/year"
    assert got["230 a second"] == "~231/s"
    # notification mock: 2 billion a day at 500 bytes came back as "~1e+03 GB/day"
    engine.turn(q, state, "senior", "per", "2 billion a day at 500 bytes is 1 TB a day.", 60.0)
    assert {n.claim: n.recomputed for n in state.numbers}["1 TB a day"] == "~1 TB/day"


@pytest.mark.parametrize(("between", "credited"), [(1, True), (4, False)])
def test_a_questioned_figure_put_right_a_turn_later_is_still_put_right(
    engine: InterviewEngine, between: int, credited: bool
) -> None:
    """payments mock: the redo came one message after the reply to the probe and the slip
    stayed on the scorecard as never corrected. Many turns later, a figure no longer counts."""
    q = bundled_bank().questions["payment-processing"]
    state, _ = engine.open(q, "senior", "late", now=0.0)
    slip = "At peak, 0.1% of 3,000 a second is about 30 a second landing in the unknown state."
    probe = engine.turn(q, state, "senior", "late", slip, 30.0)
    assert probe.kind == "numbers"
    said = [slip]
    for k in range(between):
        other = "The payment row is written as pending before the acquirer call goes out."
        engine.turn(q, state, "senior", "late", other, 60.0 + k, tuple(said))
        said.append(other)
    fix = "Coming back to that figure: 0.1% of 3,000 is 3 a second, about 10,000 an hour."
    engine.turn(q, state, "senior", "late", fix, 120.0, tuple(said))
    [slipped] = [n for n in state.numbers if n.claim == "30 a second"]
    assert slipped.corrected is credited


def test_the_feedback_names_the_scores_after_the_interview_checks() -> None:
    """payments mock: 'Strongest on requirements (4/4)' over a requirements score an uncorrected
    slip had taken to 3.0."""
    ev = offline_evaluator()
    cases = yaml.safe_load((DATA_DIR / "grading" / "payment-processing.yaml").read_text())
    strong = next(c for c in cases if c["band"] == "strong")
    graded = ev.grade(bundled_bank().questions["payment-processing"], strong["answer"])
    best = max((d for d in graded.dimensions if d.assessed), key=lambda d: d.score)
    assert f"Strongest on {best.name.replace('_', ' ')} ({best.score:g}/4)." in graded.feedback
    cut = ev.adjust(graded, {best.name: -3.0}, "senior")
    assert f"{best.name.replace('_', ' ')} ({best.score:g}/4)" not in cut.feedback
    now = {d.name: d.score for d in cut.dimensions}
    assert f"Work on {best.name.replace('_', ' ')} ({now[best.name]:g}/4)." in cut.feedback


def test_a_probe_whose_premise_the_candidate_moved_past_is_not_asked(
    engine: InterviewEngine,
) -> None:
    """scheduler mock: 'You elect one scheduler leader with etcd; at midnight ... can a single
    leader do that?' put to a candidate whose schedulers each own a hash range through leases."""
    q = bundled_bank().questions["distributed-cron"]
    probe = next(p for p in q.probes if p.id == "single-leader-midnight")
    assert probe.unless == ["partitioned-ownership"]
    planner = Planner(q, "senior", "unless")
    said = "Scheduler nodes coordinate through ZooKeeper."
    st = InterviewState(phase="high_level_design", phase_started=0.0)
    st.named[probe.trigger_value] = False
    assert planner._concept_probe(st, engine.reader.read(q, said)) is probe
    # Spoken to in part is enough: the premise is already behind them (editor mock, 2026-12-08:
    # "Your WebSockets land on whichever server..." after "each document is owned by exactly
    # one collaboration server chosen by consistent hashing").
    st.merge("partitioned-ownership", "partial")
    assert planner._concept_probe(st, engine.reader.read(q, said)) is not probe


def test_a_probe_may_only_name_items_of_its_question() -> None:
    raw = bundled_bank().questions["distributed-cron"].model_dump()
    raw["probes"][0]["unless"] = ["no-such-item"]
    with pytest.raises(ValueError, match="names no rubric item"):
        Question.model_validate(raw)


def test_a_probe_asking_for_the_point_itself_waits_while_the_point_is_made_in_part() -> None:
    """payments mock: 'The acquirer's settlement file lists 14 captures your system never marked
    as captured; how would you have found them?' right after 'daily we reconcile the acquirers'
    settlement files against our captured totals, with mismatches going to a breaks queue'."""
    q = bundled_bank().questions["payment-processing"]
    probe = next(p for p in q.probes if p.id == "probe-reconciliation")
    assert probe.when == "missing"
    planner = Planner(q, "senior", "recon")
    for status, asked in (("partial", False), ("missing", True)):
        st = InterviewState(phase="deep_dive", phase_started=0.0)
        st.asked_probes = [p.id for p in q.probes if p.id != probe.id]
        st.merge("reconciliation", status)
        assert (planner._item_probe(st) is probe) is asked, status


def test_asks_inside_an_answer_about_what_we_build_are_put_to_the_interviewer(
    engine: InterviewEngine,
) -> None:
    """'Are we building the storage ourselves?' and 'do product teams need per-request
    tracing?' ask the interviewer, whatever their verb or subject; the reply answers the first.
    Neither names a design the candidate proposes: no probe quotes them as one. Found in a
    metrics mock (2026-12-08)."""
    q = bundled_bank().questions["metrics-monitoring"]
    said = (
        "Before I draw anything: are we building the storage ourselves or can we lean on "
        "something like Prometheus plus a long-term store? And do product teams need "
        "per-request tracing here, or just metrics? I'll assume metrics only, and the 60 s page "
        "budget is end to end."
    )
    reading = engine.reader.read(q, said)
    # The assumption they answer their own asks with is what the reply acknowledges.
    assert (
        reading.open_asks[0] == "I'll assume metrics only, and the 60 s page budget is end to end"
    )
    assert "are we building the storage ourselves" in reading.open_asks
    assert any("per-request tracing" in a for a in reading.open_asks)
    assert "time-series-db" not in reading.named and "time-series-db" not in reading.quotes
    rubric = for_question(q)
    design = {
        i: e for i, e in reading.evidence.items() if rubric.item(i).dimension != "communication"
    }
    assert not any("tracing" in e for e in design.values())  # asking is communication only
    state, _ = engine.open(q, "senior", "ask", now=0.0)
    plan = engine.turn(q, state, "senior", "ask", said, 30.0)
    assert 'budget is end to end": a fair assumption' in plan.text, plan.text
    # Asked with no assumption after it, the ask itself is answered: the candidate's call.
    plan = engine.turn(q, state, "senior", "ask", said.split(" I'll assume")[0], 60.0)
    assert '"are we building the storage ourselves": that\'s your call' in plan.text, plan.text
    # "what languages do we need: English only, or CJK too?" asks before its options.
    search = bundled_bank().questions["full-text-search"]
    langs = engine.reader.read(
        search, "We index news. And what languages do we need: English only, or CJK too? OK."
    )
    assert langs.open_asks == ["And what languages do we need: English only, or CJK too"]
    # Named in a statement, it is the candidate's design and may be probed.
    assert "time-series-db" in engine.reader.read(q, "We run Prometheus per cluster.").named


def test_a_twist_answered_on_another_subject_is_ignored(engine: InterviewEngine) -> None:
    """After 'The trading team needs 1-second resolution for 2 million of its series ... pages
    within 5 seconds', 'For the 50,000 rules every 30 s ...' reads close to an adaptation (rule
    evaluation) but says nothing of what changed. Found in a metrics mock (2026-12-08)."""
    q = bundled_bank().questions["metrics-monitoring"]
    twist = next(t for t in q.twists if t.id == "one-second-series")

    def after_twist(reply: str) -> str | None:
        state, _ = engine.open(q, "senior", "tw2", now=0.0)
        state.phase = "deep_dive"
        state.twist = TwistRecord(id=twist.id, turn=state.turn)
        engine.turn(q, state, "senior", "tw2", reply, 30.0)
        return state.twist.status

    assert (
        after_twist(
            "For the 50,000 rules every 30 s that's about 1,700 rule evaluations per second, "
            "spread over 20 evaluator nodes so about 85 per second each."
        )
        == "missing"
    )
    assert (
        after_twist(
            "For the trading series, 30-second evaluation behind Kafka can't page in 5 seconds, "
            "so their rules run on the stream at ingest, on their own shards."
        )
        == "covered"
    )
    # Full-text search, after "Product wants semantic search": an answer on freshness.
    search = bundled_bank().questions["full-text-search"]
    state, _ = engine.open(search, "staff", "tw3", now=0.0)
    state.phase = "deep_dive"
    state.twist = TwistRecord(id="semantic-search", turn=state.turn)
    engine.turn(
        search,
        state,
        "staff",
        "tw3",
        "Freshness: indexers consume Kafka, buffer docs in memory and open a new searchable "
        "segment every second, so an edit is searchable in about 1-2 s.",
        30.0,
    )
    assert state.twist.status == "missing"


def test_an_isolated_path_later_said_to_share_is_a_contradiction(engine: InterviewEngine) -> None:
    q = bundled_bank().questions["metrics-monitoring"]
    first = (
        "Alerting I want decoupled from the dashboard path: rule evaluators read the ingesters' "
        "head blocks on their own dedicated replicas, so a dashboard stampede can't starve them."
    )
    later = (
        "Alert rules are just queries too, so they go through this same query frontend and its "
        "shared cache, every 30 seconds."
    )
    state, _ = engine.open(q, "senior", "iso", now=0.0)
    engine.turn(q, state, "senior", "iso", first, 30.0)
    plan = engine.turn(q, state, "senior", "iso", later, 60.0, history=(first,))
    assert plan.kind == "contradiction" and "decoupled from the dashboard path" in plan.text


def test_an_opener_is_said_once_per_reply() -> None:
    """'Good, that figure holds up now. Good, let's move to ...' read as a tic (search mock)."""
    from agents.interviewer.phrasing import joined

    assert (
        joined(["Good, that figure holds up now.", "Good, let's move to the deep dive.", "Why?"])
        == "Good, that figure holds up now. Let's move to the deep dive. Why?"
    )
    assert joined(["Good, let's move on.", "", "What breaks first?"]) == (
        "Good, let's move on. What breaks first?"
    )


def test_a_bare_figure_is_quoted_with_what_it_counts(engine: InterviewEngine) -> None:
    """'you said "80"' asked about a number with nothing to say what it was (search mock)."""
    q = bundled_bank().questions["full-text-search"]
    state, _ = engine.open(q, "staff", "noun", now=0.0)
    state.phase = "estimation"
    plan = engine.turn(
        q, state, "staff", "noun", "Each shard holds 50 GB, so 40 TB / 50 GB = 80 shards.", 30.0
    )
    assert plan.kind == "numbers" and '"80 shards"' in plan.text, plan.text


def test_a_scenario_the_answer_goes_past_is_put_once_more(engine: InterviewEngine) -> None:
    """'Someone ships a new tokenizer for German ...' answered with tail latency: a bar-raiser
    comes back to it once, then lets it go. An answer that speaks to it is not asked again.
    Found in a search mock (2026-12-08)."""
    q = bundled_bank().questions["full-text-search"]
    scenario = next(s for s in q.failure_scenarios if "tokenizer" in s.question)
    past = (
        "Tail latency: with 800 shards per query, p99 is dominated by the slowest shard, so I'd "
        "hedge requests to a second replica after the per-shard p95."
    )

    def after(reply: str, state: InterviewState | None = None) -> tuple[InterviewState, Plan]:
        if state is None:
            state, _ = engine.open(q, "staff", "fu", now=0.0)
            state.phase, state.phase_started = "deep_dive", 0.0
            state.last_question, state.last_kind = scenario.question, "scenario"
        return state, engine.turn(q, state, "staff", "fu", reply, 30.0)

    state, plan = after(past)
    assert plan.kind == "follow_up" and scenario.question in plan.text
    _, again = after(past, state)  # still not answered: let go, not asked a third time
    assert again.kind != "follow_up"
    _, answered = after(
        "The query-side German tokenizer no longer matches the index, so I'd roll it back and "
        "require analyzer changes to ship with a reindex behind a version flag."
    )
    assert answered.kind != "follow_up"
