"""Every model call is bounded, against what real models send: replies that never end, prose
around JSON, truncated JSON, servers without `json_schema`. Over real HTTP to the scripted
OpenAI-compatible server, through the factory's `openai-compatible:` engine."""

from __future__ import annotations

import json
import re
import time

from fastapi.testclient import TestClient

from agents.engines import build_evaluator
from api.main import create_app
from content.loader import bundled_bank
from core.settings import Settings
from tests.support.engines import offline_evaluator
from tests.support.openai_server import Reply
from tests.support.scripted_llm import grader_json

ANSWER = (
    "We use a token bucket per API key in Redis, because it allows short bursts while capping "
    "the average. The check runs as a Lua script so read and decrement are atomic. "
    "If Redis is down we fail open for a few seconds."
)


def _llm(settings: Settings, server, **overrides) -> Settings:  # type: ignore[no-untyped-def]
    return settings.model_copy(
        update={
            "llm": "openai-compatible:test-model",
            "llm_base_url": server.base_url,
            "rate_limit": "100000/minute",
            **overrides,
        }
    )


def _turn(client: TestClient, clock, content: str) -> tuple[float, str, dict]:  # type: ignore[no-untyped-def]
    s = client.post("/api/sessions", json={"question_id": "url-shortener", "mode": "mock"}).json()
    clock.advance(400)
    started = time.monotonic()
    r = client.post(
        f"/api/sessions/{s['id']}/messages",
        json={"content": content},
        headers={"Accept": "text/event-stream"},
    )
    elapsed = time.monotonic() - started
    assert r.status_code == 200, r.text
    done = next(
        json.loads(line[6:])
        for block in r.text.split("\n\n")
        if "event: done" in block
        for line in block.splitlines()
        if line.startswith("data: ")
    )
    return elapsed, r.text, done


# -- the interviewer ------------------------------------------------------------------------------


def test_a_model_that_streams_forever_is_cut_at_the_turn_deadline(
    app_settings, clock, openai_server
) -> None:
    # Sentences without a question, a token every 10 ms, for ten minutes: tokens never stop
    # arriving, so only a deadline on the whole turn can end it.
    openai_server.default = Reply(chunks=("We keep going. ",) * 60_000, chunk_delay=0.01)
    openai_server.enqueue(Reply("Why Cassandra?"))  # a warm-up turn: the app's first loads
    app = create_app(_llm(app_settings, openai_server, llm_timeout=1.0))
    app.state.clock = clock
    with TestClient(app) as client:
        _turn(client, clock, "Links go in Cassandra keyed by code.")
        elapsed, text, done = _turn(client, clock, "Links go in Cassandra keyed by code.")
    assert elapsed < 1.0 + 2.0, elapsed
    assert "We keep going." in text  # tokens were streaming when the deadline fired
    reply = done["reply"]
    assert reply["notice"] and reply["content"].count("?") == 1  # the offline words, visibly


def test_reading_stops_once_the_first_question_is_complete(
    app_settings, clock, openai_server
) -> None:
    rest = ("And one more thing. ",) * 5_000  # 25 s more at 5 ms a token, never read
    openai_server.default = Reply(chunks=("Why ", "Cassandra ", "here? ", *rest), chunk_delay=0.005)
    app = create_app(_llm(app_settings, openai_server, llm_timeout=20.0))
    app.state.clock = clock
    with TestClient(app) as client:
        elapsed, _, done = _turn(client, clock, "Links go in Cassandra keyed by code.")
    assert elapsed < 5.0, elapsed
    assert done["reply"]["content"] == "Why Cassandra here?" and not done["reply"]["notice"]
    body = openai_server.chat_requests[-1]["json"]
    assert body["stream"] is True and body["max_tokens"] == Settings().llm_max_tokens_question


def test_a_reply_that_asks_nothing_is_replaced_with_a_visible_notice(
    app_settings, clock, openai_server
) -> None:
    openai_server.default = Reply("Cassandra is a fine choice for this workload.")
    app = create_app(_llm(app_settings, openai_server))
    app.state.clock = clock
    with TestClient(app) as client:
        _, _, done = _turn(client, clock, "Links go in Cassandra keyed by code.")
    assert done["reply"]["notice"] and done["reply"]["content"].count("?") == 1


def test_a_provider_timeout_ends_the_turn_within_its_deadline(
    app_settings, clock, openai_server
) -> None:
    openai_server.default = Reply.delayed("Too late to matter?", 5.0)
    openai_server.enqueue(Reply("Why Cassandra?"))  # a warm-up turn: the app's first loads
    app = create_app(_llm(app_settings, openai_server, llm_timeout=0.5, llm_max_retries=3))
    app.state.clock = clock
    with TestClient(app) as client:
        _turn(client, clock, "Redirects must be fast.")
        elapsed, _, done = _turn(client, clock, "Redirects must be fast.")
    assert elapsed < 0.5 + 2.0, elapsed
    assert done["reply"]["notice"] and done["reply"]["content"] != "Too late to matter?"


# -- the judge ------------------------------------------------------------------------------------


def _grade(settings: Settings, answer: str = ANSWER):  # type: ignore[no-untyped-def]
    q = bundled_bank().questions["rate-limiter"]
    return build_evaluator(settings, offline_evaluator()).grade(q, answer, "senior")


def test_prose_and_fences_around_the_json_are_read(settings, openai_server) -> None:
    openai_server.responder = lambda body: (
        "Sure! Here is my grading:\n```json\n" + grader_json(body) + "\n```\nLet me know."
    )
    ev = _grade(_llm(settings, openai_server))
    assert ev.engine == "llm:test-model" and "llm_fallback" not in ev.flags
    body = openai_server.chat_requests[-1]["json"]
    assert body["max_tokens"] == Settings().llm_max_tokens_judgement
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]["schema"]
    asked = re.findall(r"^([a-z0-9-]+) \| ", body["messages"][-1]["content"], re.M)
    entries = schema["properties"]["items"]["prefixItems"]
    assert [e["properties"]["id"]["const"] for e in entries] == asked  # every item, in order


def test_truncated_json_falls_back_visibly(settings, openai_server) -> None:
    openai_server.responder = lambda body: grader_json(body)[:120]  # cut by the token limit
    ev = _grade(_llm(settings, openai_server))
    assert "llm_fallback" in ev.flags and ev.engine == "offline"
    assert len(openai_server.chat_requests) == 2  # the try and one retry


def test_a_server_without_json_schema_gets_a_json_object_schema(settings, openai_server) -> None:
    openai_server.enqueue(Reply.unprocessable())
    openai_server.responder = grader_json
    llm = _llm(settings, openai_server)
    ev = _grade(llm)
    assert ev.engine == "llm:test-model"
    first, second = (r["json"]["response_format"] for r in openai_server.chat_requests)
    assert first["type"] == "json_schema"
    assert second["type"] == "json_object" and second["schema"]["required"] == ["items"]
    _grade(llm)  # the next grade asks in the format the server took, straight away
    assert openai_server.chat_requests[-1]["json"]["response_format"]["type"] == "json_object"


def test_a_server_without_any_response_format_is_asked_by_prompt(settings, openai_server) -> None:
    openai_server.enqueue(Reply.unprocessable(), Reply.unprocessable())
    openai_server.responder = grader_json
    ev = _grade(_llm(settings, openai_server))
    assert ev.engine == "llm:test-model"
    assert "response_format" not in openai_server.chat_requests[-1]["json"]


def test_a_judge_that_never_answers_is_cut_at_the_deadline(settings, openai_server) -> None:
    openai_server.default = Reply.delayed('{"items": []}', 10.0)
    started = time.monotonic()
    ev = _grade(_llm(settings, openai_server, llm_timeout=0.5, llm_max_retries=3))
    assert time.monotonic() - started < 0.5 + 2.0
    assert "llm_fallback" in ev.flags


def test_a_500_that_names_the_response_format_is_a_refusal_not_an_outage(
    settings, openai_server
) -> None:
    # llama.cpp's server answers an unknown response_format type with a 500 naming the field.
    openai_server.enqueue(
        Reply.server_error("1 validation error: body.response_format.type: Input should be ...")
    )
    openai_server.responder = grader_json
    ev = _grade(_llm(settings, openai_server))
    assert ev.engine == "llm:test-model"
    kinds = [r["json"]["response_format"]["type"] for r in openai_server.chat_requests]
    assert kinds == ["json_schema", "json_object"]  # no retry of the refused format
