"""Whole simulated interviews through the HTTP API (SSE included), on both engines."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from agents.engines import offline_evaluator
from api.main import create_app
from evals.interviewer_suite import run_interview, run_interviewer_suite
from evals.simulated import KINDS, make_candidate
from tests.support.scripted_llm import responder


def _assert_behaviour(metrics: dict) -> None:
    assert metrics["interviewer_one_question_rate"] == 1.0, metrics
    assert metrics["interviewer_repeat_rate"] == 0.0, metrics
    assert metrics["interviewer_phase_completion"] == 1.0, metrics
    assert metrics["interviewer_leak_rate"] == 0.0, metrics
    assert metrics["interviewer_clarify_answered_rate"] == 1.0, metrics
    assert metrics["interviewer_probe_targeting_rate"] >= 0.8, metrics
    assert metrics["interviewer_strong_beats_weak_rate"] == 1.0, metrics


@pytest.mark.slow
def test_every_candidate_kind_offline_engine(app_settings, clock) -> None:
    app = create_app(app_settings.model_copy(update={"rate_limit": "100000/minute"}))
    app.state.clock = clock
    with TestClient(app) as client:
        out = run_interviewer_suite(
            client, clock.advance, app_settings, offline_evaluator(), sse=True
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
        out = run_interviewer_suite(client, clock.advance, settings, offline_evaluator(), sse=True)
    print("llm interviewer metrics:", out["metrics"])
    _assert_behaviour(out["metrics"])
    chats = openai_server.chat_requests
    assert any(r["json"].get("stream") for r in chats)  # the interviewer streamed
    assert any(r["json"].get("response_format") for r in chats)  # the grader judged
    graded = [r for run in out["runs"] for r in [run]]
    assert all(not {"llm_fallback"} & set(run["flags"]) for run in graded)


def test_llm_reply_with_two_questions_is_cut_after_the_first(
    app_settings, clock, openai_server
) -> None:
    openai_server.default = None
    openai_server.responder = lambda body: (
        "Fair. Why that store? And what about the cache? Also, how do you shard?"
    )
    settings = app_settings.model_copy(
        update={"llm": "openai-compatible:test-model", "llm_base_url": openai_server.base_url}
    )
    app = create_app(settings)
    app.state.clock = clock
    with TestClient(app) as client:
        s = client.post("/api/sessions", json={"question_id": "url-shortener"}).json()
        clock.advance(400)
        r = client.post(
            f"/api/sessions/{s['id']}/messages",
            json={"content": "I'd store links in Cassandra keyed by code."},
        )
    reply = r.json()["reply"]["content"]
    assert reply.count("?") == 1 and "shard" not in reply


def test_stream_cut_midway_is_never_stored_as_the_reply(app_settings, clock, openai_server) -> None:
    from tests.support.openai_server import Reply

    settings = app_settings.model_copy(
        update={
            "llm": "openai-compatible:test-model",
            "llm_base_url": openai_server.base_url,
            "llm_max_retries": 0,
        }
    )
    app = create_app(settings)
    app.state.clock = clock
    with TestClient(app) as client:
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


def test_rate_limited_provider_is_retried_with_retry_after(
    app_settings, clock, openai_server
) -> None:
    from tests.support.openai_server import Reply

    openai_server.enqueue(Reply.rate_limited(retry_after=0.2))
    openai_server.responder = responder
    settings = app_settings.model_copy(
        update={"llm": "openai-compatible:test-model", "llm_base_url": openai_server.base_url}
    )
    app = create_app(settings)
    app.state.clock = clock
    with TestClient(app) as client:
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
