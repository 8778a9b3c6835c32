"""Whole simulated interviews through the HTTP API (SSE included), on both engines; provider
faults (cut streams, timeouts, rate limits) on SQLite and on Postgres."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.main import create_app
from core.db import engine_for
from core.models import Message
from evals.interviewer_suite import run_interview, run_interviewer_suite
from evals.simulated import KINDS, make_candidate
from tests.support.engines import offline_evaluator
from tests.support.openai_server import Reply
from tests.support.scripted_llm import responder

# The planted estimate cases run here as a fixed sample (the first few of each kind): enough to
# drive the numbers check through HTTP and SSE on each engine; the eval gate runs all of them.
PLANTED_PER_KIND = 4


def _assert_behaviour(metrics: dict) -> None:
    assert metrics["interviewer_one_question_rate"] == 1.0, metrics
    assert metrics["interviewer_repeat_rate"] == 0.0, metrics
    assert metrics["interviewer_phase_completion"] == 1.0, metrics
    assert metrics["interviewer_leak_rate"] == 0.0, metrics
    assert metrics["interviewer_clarify_answered_rate"] == 1.0, metrics
    assert metrics["interviewer_probe_targeting_rate"] >= 0.8, metrics
    assert metrics["interviewer_strong_beats_weak_rate"] == 1.0, metrics
    # The sampled slips reach the numbers check through this engine, and clean figures pass.
    assert metrics["interviewer_planted_cases"] >= 4 * PLANTED_PER_KIND, metrics
    assert metrics["interviewer_estimate_probe_rate"] > 0.0, metrics
    assert metrics["interviewer_number_false_alarm_rate"] <= 0.25, metrics


@pytest.mark.slow
def test_every_candidate_kind_offline_engine(app_settings, clock) -> None:
    app = create_app(app_settings.model_copy(update={"rate_limit": "100000/minute"}))
    app.state.clock = clock
    with TestClient(app) as client:
        out = run_interviewer_suite(
            client,
            clock.advance,
            app_settings,
            offline_evaluator(),
            sse=True,
            planted_per_kind=PLANTED_PER_KIND,
        )
    print("offline interviewer metrics:", out["metrics"])
    _assert_behaviour(out["metrics"])
    assert {r["kind"] for r in out["runs"]} == set(KINDS)


@pytest.mark.slow
def test_every_candidate_kind_llm_engine(app_settings, clock, openai_server) -> None:
    openai_server.responder = responder
    settings = app_settings.model_copy(
        update={
            "rate_limit": "100000/minute",
            "llm": "openai-compatible:test-model",
            "llm_base_url": openai_server.base_url,
            "llm_timeout": 5.0,
        }
    )
    app = create_app(settings)
    app.state.clock = clock
    with TestClient(app) as client:
        out = run_interviewer_suite(
            client,
            clock.advance,
            settings,
            offline_evaluator(),
            sse=True,
            planted_per_kind=PLANTED_PER_KIND,
        )
    print("llm interviewer metrics:", out["metrics"])
    _assert_behaviour(out["metrics"])
    chats = openai_server.chat_requests
    assert any(r["json"].get("stream") for r in chats)  # the interviewer streamed
    assert any(r["json"].get("response_format") for r in chats)  # the grader judged
    graded = [r for run in out["runs"] for r in [run]]
    assert all(not {"llm_fallback"} & set(run["flags"]) for run in graded)


def _llm_client(settings, clock, openai_server, **overrides) -> TestClient:  # type: ignore[no-untyped-def]
    """The app with its interviewer behind the scripted OpenAI-compatible server."""
    llm = {"llm": "openai-compatible:test-model", "llm_base_url": openai_server.base_url}
    app = create_app(settings.model_copy(update={**llm, **overrides}))
    app.state.clock = clock
    return TestClient(app)


def _stored(settings, session_id: str) -> list[Message]:  # type: ignore[no-untyped-def]
    with Session(engine_for(settings)) as db:
        query = select(Message).where(Message.session_id == session_id)
        return list(db.exec(query.order_by(col(Message.seq))).all())


# -- provider faults, on SQLite and on Postgres --------------------------------------------------


def test_llm_reply_with_two_questions_is_cut_after_the_first(
    backend_settings, clock, openai_server
) -> None:
    openai_server.default = None
    openai_server.responder = lambda body: (
        "Fair. Why that store? And what about the cache? Also, how do you shard?"
    )
    with _llm_client(backend_settings, clock, openai_server) as client:
        s = client.post("/api/sessions", json={"question_id": "url-shortener"}).json()
        clock.advance(400)
        r = client.post(
            f"/api/sessions/{s['id']}/messages",
            json={"content": "I'd store links in Cassandra keyed by code."},
        )
    reply = r.json()["reply"]["content"]
    assert reply.count("?") == 1 and "shard" not in reply
    assert _stored(backend_settings, s["id"])[-1].content == reply


def test_stream_cut_midway_is_never_stored_as_the_reply(
    backend_settings, clock, openai_server
) -> None:
    with _llm_client(backend_settings, clock, openai_server, llm_max_retries=0) as client:
        s = client.post("/api/sessions", json={"question_id": "url-shortener"}).json()
        openai_server.enqueue(
            Reply.cut("You chose Cassandra. Why not Postgres at this scale?", after=3)
        )
        clock.advance(400)
        r = client.post(
            f"/api/sessions/{s['id']}/messages",
            json={"content": "We keep links in Cassandra keyed by the short code."},
            headers={"Accept": "text/event-stream"},
        )
        assert "event: done" in r.text
        full = client.get(f"/api/sessions/{s['id']}").json()
    reply = full["messages"][-1]
    assert reply["role"] == "interviewer" and reply["notice"]
    assert reply["content"].count("?") == 1 and reply["content"] != "You chose Cassandra."
    rows = _stored(backend_settings, s["id"])  # the database holds the fallback, whole
    assert [(m.role, m.complete) for m in rows] == [
        ("interviewer", True),
        ("candidate", True),
        ("interviewer", True),
    ]
    assert rows[-1].content == reply["content"] and rows[-1].meta["notice"] == reply["notice"]


def test_a_provider_timeout_is_answered_offline_with_a_notice(
    backend_settings, clock, openai_server
) -> None:
    openai_server.default = Reply.delayed("Too late to matter?", 2.0)
    with _llm_client(
        backend_settings, clock, openai_server, llm_timeout=0.3, llm_max_retries=1
    ) as client:
        s = client.post("/api/sessions", json={"question_id": "url-shortener"}).json()
        clock.advance(400)
        r = client.post(
            f"/api/sessions/{s['id']}/messages",
            json={"content": "Redirects must be fast; creation can be slower."},
        )
    assert r.status_code == 200, r.text
    reply = r.json()["reply"]
    assert reply["notice"] and reply["content"] != "Too late to matter?"
    # The timeout bounds the whole turn: once it is spent there is no time left for a retry.
    assert len(openai_server.chat_requests) == 1
    assert _stored(backend_settings, s["id"])[-1].content == reply["content"]


def test_rate_limited_provider_is_retried_with_retry_after(
    backend_settings, clock, openai_server
) -> None:
    openai_server.enqueue(Reply.rate_limited(retry_after=0.2))
    openai_server.responder = responder
    with _llm_client(backend_settings, clock, openai_server) as client:
        s = client.post("/api/sessions", json={"question_id": "url-shortener"}).json()
        clock.advance(400)
        r = client.post(
            f"/api/sessions/{s['id']}/messages",
            json={"content": "Redirects must be fast; creation can be slower."},
        )
    assert r.status_code == 200 and not r.json()["reply"]["notice"]
    assert len(openai_server.chat_requests) == 2


def test_one_simulated_candidate_directly(app_settings, clock) -> None:
    """The candidate script itself: clarifying questions first, then scripted answers."""
    app = create_app(app_settings.model_copy(update={"rate_limit": "100000/minute"}))
    app.state.clock = clock
    with TestClient(app) as client:
        cand = make_candidate("clarifying", "url-shortener", offline_evaluator().embedder)
        run = run_interview(client, cand, clock.advance, offline_evaluator().embedder)
    kinds = [r["reply"]["kind"] for r in run["replies"][:3]]
    assert kinds == ["clarify", "clarify", "clarify"]
    assert run["status"] == "completed"
