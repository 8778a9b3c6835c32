"""The OpenAI-compatible endpoint driven by the openai SDK over real HTTP (uvicorn on a loopback
port): whole interviews by resending the history each turn, plain and streamed, retries that
store nothing twice, errors in OpenAI's shape, and one user never reaching another's session."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI
from sqlmodel import Session

from api.main import create_app
from core.db import engine_for
from core.models import Message
from core.settings import Settings
from tests.support.answers import ANSWERS
from tests.support.live import live_server
from tests.support.users import KeyedUser, keyed_user

MODEL = "tradeoff-interviewer/url-shortener"


def _client(url: str, user: KeyedUser | None = None, key: str | None = None) -> OpenAI:
    return OpenAI(base_url=f"{url}/v1", api_key=key or (user.key if user else "x"), max_retries=0)


def _stored(settings: Settings, session_id: str) -> list[tuple[str, str]]:
    from sqlmodel import col, select

    with Session(engine_for(settings)) as db:
        rows = db.exec(
            select(Message).where(Message.session_id == session_id).order_by(col(Message.seq))
        ).all()
        return [(m.role, m.content) for m in rows]


def _meta(reply: Any) -> dict[str, str]:
    """The reply's metadata (a field of a completion; an extra field of a chunk)."""
    return dict(getattr(reply, "metadata", None) or {})


def _ask(client: OpenAI, history: list[dict[str, str]], stream: bool) -> tuple[str, dict[str, Any]]:
    """One request with the whole history; the reply's text and its metadata."""
    if not stream:
        done = client.chat.completions.create(model=MODEL, messages=history)  # type: ignore[arg-type]
        assert done.choices[0].finish_reason == "stop" and done.object == "chat.completion"
        return done.choices[0].message.content or "", _meta(done)
    text, meta, ids = "", {}, set()
    chunks = client.chat.completions.create(
        model=MODEL,
        messages=history,  # type: ignore[arg-type]
        stream=True,
        stream_options={"include_usage": True},
    )
    usage = None
    for chunk in chunks:
        ids.add(chunk.id)
        assert chunk.object == "chat.completion.chunk"
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            if choice.finish_reason == "stop":
                meta = _meta(chunk)
    assert len(ids) == 1 and usage is not None and usage.completion_tokens > 0
    return text, meta


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_a_whole_interview_by_resending_the_history(
    served: tuple[str, Settings], stream: bool
) -> None:
    url, settings = served
    client = _client(url, keyed_user(settings, "chat"))
    history: list[dict[str, str]] = [
        {"role": "system", "content": "You are a helpful assistant.\nmode: coach"},
        {"role": "user", "content": "Let's practise."},
    ]
    opening, meta = _ask(client, history, stream)
    sid = meta["tradeoff_session_id"]
    assert sid in opening and "/hint" in opening and "/finish" in opening
    assert meta["tradeoff_question_id"] == "url-shortener"
    reply = opening
    for answer in ANSWERS:
        history += [{"role": "assistant", "content": reply}, {"role": "user", "content": answer}]
        reply, meta = _ask(client, history, stream)
        assert meta["tradeoff_session_id"] == sid and reply.strip()
    history += [{"role": "assistant", "content": reply}, {"role": "user", "content": "/hint"}]
    hint, meta = _ask(client, history, stream)
    assert meta["tradeoff_session_id"] == sid and hint.strip()
    history += [{"role": "assistant", "content": hint}, {"role": "user", "content": "/finish"}]
    card, meta = _ask(client, history, stream)
    assert card.startswith("## Scorecard: ") and "| Dimension | Score |" in card
    assert "### Feedback" in card and meta["tradeoff_status"] == "finished"
    stored = _stored(settings, sid)
    assert [c for r, c in stored if r == "candidate"] == ANSWERS  # each answer stored once
    assert len(stored) == 1 + 2 * len(ANSWERS) + 1  # opening, turns, one hint


def test_retried_requests_store_nothing_twice(served: tuple[str, Settings]) -> None:
    url, settings = served
    client = _client(url, keyed_user(settings, "retry"))
    start = [{"role": "user", "content": "hello"}]
    opening, meta = _ask(client, start, stream=False)
    again, meta_again = _ask(client, start, stream=True)  # the same first request, retried
    assert again == opening and meta_again == meta
    sid = meta["tradeoff_session_id"]
    history = [*start, {"role": "assistant", "content": opening}]
    history.append({"role": "user", "content": ANSWERS[0]})
    first, _ = _ask(client, history, stream=True)
    for stream in (False, True):  # the client retries: the same history, the same reply
        assert _ask(client, history, stream)[0] == first
    history += [{"role": "assistant", "content": first}, {"role": "user", "content": "/hint"}]
    hint, _ = _ask(client, history, stream=False)
    assert _ask(client, history, stream=True)[0] == hint
    stored = _stored(settings, sid)
    assert [r for r, _ in stored] == ["interviewer", "candidate", "interviewer", "interviewer"]
    history += [{"role": "assistant", "content": hint}, {"role": "user", "content": "/finish"}]
    card, _ = _ask(client, history, stream=False)
    assert _ask(client, history, stream=True)[0] == card  # finishing twice grades once


def test_a_new_chat_with_the_same_first_message_is_a_new_interview_once_answered(
    served: tuple[str, Settings],
) -> None:
    url, settings = served
    client = _client(url, keyed_user(settings, "twice"))
    start = [{"role": "user", "content": "hi"}]
    opening, meta = _ask(client, start, stream=False)
    history = [*start, {"role": "assistant", "content": opening}, {"role": "user", "content": "x"}]
    _ask(client, history, stream=False)
    _, meta_new = _ask(client, start, stream=False)
    assert meta_new["tradeoff_session_id"] != meta["tradeoff_session_id"]


def test_the_session_id_in_metadata_continues_a_chat(served: tuple[str, Settings]) -> None:
    url, settings = served
    client = _client(url, keyed_user(settings, "meta"))
    start = [{"role": "user", "content": "start"}]
    opening, meta = _ask(client, start, stream=False)
    # A client that rewrites the first reply (so no hash matches) names the session instead.
    history = [*start, {"role": "assistant", "content": "(trimmed)"}]
    history.append({"role": "user", "content": ANSWERS[0]})
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model=MODEL, messages=history)  # type: ignore[arg-type]
    done = client.chat.completions.create(
        model=MODEL,
        messages=history,  # type: ignore[arg-type]
        metadata={"tradeoff_session_id": meta["tradeoff_session_id"]},
    )
    assert _meta(done)["tradeoff_session_id"] == meta["tradeoff_session_id"]


def test_another_users_key_cannot_reach_the_session(served: tuple[str, Settings]) -> None:
    url, settings = served
    ada, grace = keyed_user(settings, "ada"), keyed_user(settings, "grace")
    start = [{"role": "user", "content": "Let's begin."}]
    opening, meta = _ask(_client(url, ada), start, stream=False)
    sid = meta["tradeoff_session_id"]
    history = [*start, {"role": "assistant", "content": opening}]
    thief = _client(url, grace)
    for said in (ANSWERS[0], "/hint", "/finish"):
        attempt = [*history, {"role": "user", "content": said}]
        for extra in ({}, {"metadata": {"tradeoff_session_id": sid}}):
            with pytest.raises(openai.NotFoundError) as caught:
                thief.chat.completions.create(model=MODEL, messages=attempt, **extra)  # type: ignore[arg-type]
            assert opening not in str(caught.value.body) and ANSWERS[0] not in str(
                caught.value.body
            )
        with pytest.raises(openai.NotFoundError):  # streamed: refused before any chunk
            thief.chat.completions.create(
                model=MODEL,
                messages=attempt,  # type: ignore[arg-type]
                stream=True,
                metadata={"tradeoff_session_id": sid},
            )
    assert [r for r, _ in _stored(settings, sid)] == ["interviewer"]


def test_models_are_the_interviewer_and_one_per_question(served: tuple[str, Settings]) -> None:
    url, settings = served
    client = _client(url, keyed_user(settings, "models"))
    ids = [m.id for m in client.models.list()]
    assert ids[0] == "tradeoff-interviewer" and MODEL in ids and len(ids) > 10
    assert client.models.retrieve(MODEL).id == MODEL
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert "GET /v1/models" in caught.value.message


def test_errors_come_in_openais_shape(served: tuple[str, Settings]) -> None:
    url, settings = served
    user = keyed_user(settings, "errors")
    client = _client(url, user)
    hello = [{"role": "user", "content": "hello"}]
    # Documented fields the SDK sends are accepted (and change nothing)...
    done = client.chat.completions.create(
        model=MODEL, messages=hello, temperature=0.2, max_tokens=50, user="me", seed=1
    )  # type: ignore[arg-type]
    assert done.choices[0].message.content
    # ...a field OpenAI does not document is refused, as OpenAI refuses it.
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MODEL, messages=hello, extra_body={"foo": 1})  # type: ignore[arg-type]
    assert caught.value.body["message"] == "Unrecognized request argument supplied: foo"  # type: ignore[index]
    assert caught.value.body["type"] == "invalid_request_error"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError, match="mode must be one of"):
        client.chat.completions.create(
            model=MODEL,
            messages=hello,  # type: ignore[arg-type]
            metadata={"tradeoff_mode": "exam"},
        )
    with pytest.raises(openai.BadRequestError, match="last message must be the user"):
        client.chat.completions.create(
            model=MODEL,
            messages=[*hello, {"role": "assistant", "content": "hi"}],  # type: ignore[list-item]
        )
    res = httpx.post(f"{url}/v1/chat/completions", json={"model": MODEL}, headers=user.bearer)
    assert res.status_code == 400 and res.json()["error"]["param"] == "messages"
    # An edited earlier answer: the chat no longer matches its interview.
    opening = done.choices[0].message.content
    history = [*hello, {"role": "assistant", "content": opening}]
    history.append({"role": "user", "content": ANSWERS[0]})
    _ask(client, history, stream=False)
    history[-1]["content"] = "something else entirely"
    history += [{"role": "assistant", "content": "..."}, {"role": "user", "content": "more"}]
    with pytest.raises(openai.ConflictError, match="no longer matches"):
        client.chat.completions.create(model=MODEL, messages=history)  # type: ignore[arg-type]


def test_keys_are_required_when_auth_is(backend_settings: Settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings = backend_settings.model_copy(update={"auth": "required"})
    app = create_app(settings)
    app.state.clock = clock
    with live_server(app) as url:
        hello = [{"role": "user", "content": "hello"}]
        with pytest.raises(openai.AuthenticationError) as caught:
            _client(url, key="sk-not-a-key").chat.completions.create(model=MODEL, messages=hello)  # type: ignore[arg-type]
        assert caught.value.body["code"] == "invalid_api_key"  # type: ignore[index]
        res = httpx.get(f"{url}/v1/models")
        assert res.status_code == 401 and res.json()["error"]["type"] == "authentication_error"


def test_in_local_mode_any_key_is_the_local_user(served: tuple[str, Settings]) -> None:
    url, _ = served
    client = _client(url, key="anything")  # clients insist on a key; local mode needs none
    done = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert _meta(done)["tradeoff_session_id"]


def test_two_identical_requests_at_once_store_the_answer_once(
    served: tuple[str, Settings],
) -> None:
    url, settings = served
    client = _client(url, keyed_user(settings, "race"))
    start = [{"role": "user", "content": "go"}]
    opening, meta = _ask(client, start, stream=False)
    history = [*start, {"role": "assistant", "content": opening}]
    history.append({"role": "user", "content": ANSWERS[0]})
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda _: _try(client, history), range(4)))
    replies = {o for o in outcomes if not o.startswith("conflict:")}
    assert len(replies) == 1, outcomes  # the others were told the same answer is in progress
    assert _ask(client, history, stream=False)[0] in replies
    stored = _stored(settings, meta["tradeoff_session_id"])
    assert [r for r, _ in stored] == ["interviewer", "candidate", "interviewer"]


def _try(client: OpenAI, history: list[dict[str, str]]) -> str:
    try:
        return _ask(client, history, stream=False)[0]
    except openai.ConflictError as exc:
        return f"conflict: {exc.message}"


def test_the_rate_limit_covers_v1(app_settings: Settings, clock) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    app = create_app(app_settings.model_copy(update={"rate_limit": "2/minute"}))
    app.state.clock = clock
    with TestClient(app) as api:
        codes = [api.get("/v1/models").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
