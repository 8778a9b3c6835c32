"""The interview session API over HTTP with the offline engine: every route and its errors."""

from __future__ import annotations

import json
import uuid

from sqlmodel import Session, select

from core.db import engine_for
from core.models import IdempotencyRecord, Message


def _sse_events(text: str) -> list[tuple[str, str]]:
    events, event, data = [], "", []
    for line in text.split("\n"):
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data.append(line[6:])
        elif line == "" and event:
            events.append((event, "\n".join(data)))
            event, data = "", []
    return events


def _create(client, **body):
    r = client.post("/api/sessions", json={"question_id": "url-shortener", **body})
    assert r.status_code == 201, r.text
    return r.json()


def test_create_returns_the_opening_message(client) -> None:
    s = _create(client, mode="mock", level="staff")
    assert s["question"]["id"] == "url-shortener" and s["mode"] == "mock"
    assert s["level"] == "staff" and s["phase"] == "requirements" and s["status"] == "active"
    [opening] = s["messages"]
    assert opening["role"] == "interviewer" and opening["content"].count("?") == 1
    assert "reference_outline" not in json.dumps(s)


def test_random_question_when_none_is_given(client) -> None:
    r = client.post("/api/sessions", json={"mode": "coach"})
    assert r.status_code == 201 and r.json()["question"]["id"]


def test_bad_create_requests_are_refused_clearly(client) -> None:
    assert client.post("/api/sessions", json={"question_id": "nope"}).status_code == 404
    assert client.post("/api/sessions", json={"mode": "exam"}).status_code == 422
    assert client.post("/api/sessions", json={"level": "intern"}).status_code == 422


def test_a_turn_stores_both_messages_and_asks_one_question(client, app_settings) -> None:
    s = _create(client)
    r = client.post(
        f"/api/sessions/{s['id']}/messages",
        json={"content": "Links never expire unless the owner sets an expiry."},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["message"]["role"] == "candidate" and body["reply"]["role"] == "interviewer"
    assert body["reply"]["content"].count("?") == 1
    full = client.get(f"/api/sessions/{s['id']}").json()
    assert [m["role"] for m in full["messages"]] == ["interviewer", "candidate", "interviewer"]


def test_clarifying_question_is_answered_with_scale_numbers(client, clock) -> None:
    s = _create(client)
    reply = client.post(
        f"/api/sessions/{s['id']}/messages",
        json={"content": "How many redirects per month should I plan for?"},
    ).json()["reply"]["content"]
    assert "10 billion" in reply


def test_sse_streams_tokens_then_done_with_the_same_json(client) -> None:
    s = _create(client)
    r = client.post(
        f"/api/sessions/{s['id']}/messages",
        json={"content": "We need custom aliases and click analytics."},
        headers={"Accept": "text/event-stream"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _sse_events(r.text)
    tokens = [d for e, d in events if e == "token"]
    done = [json.loads(d) for e, d in events if e == "done"]
    assert len(tokens) > 3 and len(done) == 1 and events[-1][0] == "done"
    assert "".join(tokens).strip() == done[0]["reply"]["content"]


def test_hints_only_in_coach_mode_and_they_climb(client) -> None:
    mock = _create(client, mode="mock")
    assert client.post(f"/api/sessions/{mock['id']}/hint").status_code == 409
    coach = _create(client, mode="coach")
    levels, cited = [], []
    for _ in range(3):
        h = client.post(f"/api/sessions/{coach['id']}/hint").json()
        levels.append(h["level"])
        cited.append(h["message"]["citations"])
    assert levels == [1, 2, 3]
    assert cited[1] and cited[1][0]["heading"]


def test_finish_grades_the_transcript_and_stores_the_scorecard(client) -> None:
    s = _create(client)
    for text in (
        "Redirects must be fast; creation can be slower. 100:1 reads to writes.",
        "POST /links returns a code; GET /{code} answers 302 because 301 is cached.",
    ):
        client.post(f"/api/sessions/{s['id']}/messages", json={"content": text})
    ev = client.post(f"/api/sessions/{s['id']}/finish")
    assert ev.status_code == 200
    card = ev.json()
    assert len(card["dimensions"]) == 7 and 1.0 <= card["overall"] <= 4.0
    assert client.get(f"/api/sessions/{s['id']}/scorecard").json() == card
    assert client.post(f"/api/sessions/{s['id']}/finish").json() == card  # idempotent
    again = client.post(f"/api/sessions/{s['id']}/messages", json={"content": "one more"})
    assert again.status_code == 409


def test_scorecard_before_finish_is_404(client) -> None:
    s = _create(client)
    assert client.get(f"/api/sessions/{s['id']}/scorecard").status_code == 404


def test_list_is_newest_first_and_paginated(client) -> None:
    ids = [_create(client)["id"] for _ in range(3)]
    page = client.get("/api/sessions", params={"limit": 2}).json()
    assert page["total"] >= 3 and len(page["items"]) == 2
    assert page["items"][0]["id"] == ids[-1]
    rest = client.get("/api/sessions", params={"limit": 2, "offset": 2}).json()
    assert ids[0] in {i["id"] for i in rest["items"]}


def test_oversized_message_is_refused_and_nothing_is_stored(
    backend_client, backend_settings
) -> None:
    s = _create(backend_client)
    r = backend_client.post(f"/api/sessions/{s['id']}/messages", json={"content": "x" * 200_000})
    assert r.status_code == 422 and "20000" in r.text.replace(",", "")
    # The 422 quotes a short excerpt of the paste, not the whole of it.
    assert len(r.content) < 1_000 and "200,000 characters" in r.text
    with Session(engine_for(backend_settings)) as db:
        n = len(db.exec(select(Message).where(Message.session_id == s["id"])).all())
    assert n == 1


def test_what_postgres_cannot_store_is_refused_alike_on_each_backend(
    backend_client, backend_settings
) -> None:
    """A NUL character or an over-long session id reached Postgres and failed there with a 500
    (SQLite took them): both backends now refuse them with 422 before storing anything."""
    s = _create(backend_client)
    r = backend_client.post(f"/api/sessions/{s['id']}/messages", json={"content": "a\x00b"})
    assert r.status_code == 422 and "NUL" in r.text
    key = f"bad-id-{uuid.uuid4().hex}"
    retry = {"Idempotency-Key": key}
    for bad in ("a%00b", "a" * 33):
        assert backend_client.get(f"/api/sessions/{bad}").status_code == 422
        said = backend_client.post(
            f"/api/sessions/{bad}/messages", json={"content": "hi"}, headers=retry
        )
        assert said.status_code == 422, said.text
    with Session(engine_for(backend_settings)) as db:
        n = len(db.exec(select(Message).where(Message.session_id == s["id"])).all())
        kept = db.exec(select(IdempotencyRecord).where(IdempotencyRecord.key == key)).all()
    assert n == 1 and not kept


def test_unknown_session_is_404(client) -> None:
    assert client.get("/api/sessions/doesnotexist").status_code == 404
    r = client.post("/api/sessions/doesnotexist/messages", json={"content": "hi"})
    assert r.status_code == 404


def test_idempotent_message_retry_returns_the_original_and_creates_nothing(backend_client) -> None:
    client = backend_client
    s = _create(client)
    url = f"/api/sessions/{s['id']}/messages"
    headers = {"Idempotency-Key": "turn-1"}
    first = client.post(url, json={"content": "Custom aliases are in scope."}, headers=headers)
    second = client.post(url, json={"content": "Custom aliases are in scope."}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(client.get(f"/api/sessions/{s['id']}").json()["messages"]) == 3
    clash = client.post(url, json={"content": "Something else"}, headers=headers)
    assert clash.status_code == 409
    sse = client.post(
        url,
        json={"content": "Custom aliases are in scope."},
        headers={**headers, "Accept": "text/event-stream"},
    )
    done = [json.loads(d) for e, d in _sse_events(sse.text) if e == "done"]
    assert done == [first.json()]


def test_idempotent_session_creation(backend_client) -> None:
    client = backend_client
    # The local user's keys and sessions outlive a test on Postgres: a fresh key, counted sessions.
    headers = {"Idempotency-Key": f"create-{uuid.uuid4().hex}"}
    body = {"question_id": "rate-limiter", "mode": "coach"}
    before = client.get("/api/sessions").json()["total"]
    a = client.post("/api/sessions", json=body, headers=headers)
    b = client.post("/api/sessions", json=body, headers=headers)
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert (
        client.post("/api/sessions", json={**body, "mode": "mock"}, headers=headers).status_code
        == 409
    )
    assert client.get("/api/sessions").json()["total"] == before + 1


def test_retry_answers_a_message_left_without_reply(client, app_settings) -> None:
    s = _create(client)
    from core import crud

    with Session(engine_for(app_settings)) as db:  # a turn that died after storing the message
        crud.add_message(
            db,
            session_id=s["id"],
            role="candidate",
            content="Custom aliases.",
            phase="requirements",
        )
        db.commit()
    r = client.post(f"/api/sessions/{s['id']}/retry")
    assert r.status_code == 200 and r.json()["reply"]["content"]
    assert client.post(f"/api/sessions/{s['id']}/retry").status_code == 409


def test_interview_flow_with_idempotency_on_each_backend(backend_client) -> None:
    c = backend_client
    key = {"Idempotency-Key": f"create-{id(c)}"}
    s = c.post("/api/sessions", json={"question_id": "rate-limiter", "mode": "coach"}, headers=key)
    assert s.status_code == 201
    again = c.post(
        "/api/sessions", json={"question_id": "rate-limiter", "mode": "coach"}, headers=key
    )
    assert again.json()["id"] == s.json()["id"]
    sid = s.json()["id"]
    url = f"/api/sessions/{sid}/messages"
    turn = {"Idempotency-Key": "t1"}
    first = c.post(url, json={"content": "Per-user limits at the gateway."}, headers=turn)
    replay = c.post(url, json={"content": "Per-user limits at the gateway."}, headers=turn)
    assert first.json() == replay.json()
    assert c.post(url, json={"content": "changed"}, headers=turn).status_code == 409
    streamed = c.post(
        url,
        json={"content": "A token bucket in Redis, because bursts are ok."},
        headers={"Accept": "text/event-stream"},
    )
    assert "event: done" in streamed.text
    assert c.post(f"/api/sessions/{sid}/hint").status_code == 200
    card = c.post(f"/api/sessions/{sid}/finish").json()
    assert len(card["dimensions"]) == 7
    roles = [m["role"] for m in c.get(f"/api/sessions/{sid}").json()["messages"]]
    assert roles.count("candidate") == 2
