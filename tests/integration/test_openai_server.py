"""The scripted OpenAI-compatible test server, exercised over real HTTP by real clients.

The `openai_server` fixture comes from tests/support/fixtures.py via tests/conftest.py.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from tests.support.openai_server import FakeOpenAIServer, Fault, Reply

MODEL = "test-model"
HELLO = [{"role": "user", "content": "Say hello"}]


_clients: list[openai.OpenAI] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _clients:
        _clients.pop().close()


def client(server: FakeOpenAIServer, **kwargs: Any) -> openai.OpenAI:
    """An SDK client for `server` (no retries), closed after the test."""
    kwargs.setdefault("max_retries", 0)
    sdk = openai.OpenAI(base_url=server.base_url, api_key="test", **kwargs)
    _clients.append(sdk)
    return sdk


def chat(server: FakeOpenAIServer, **kwargs: Any) -> ChatOpenAI:
    return ChatOpenAI(base_url=server.base_url, api_key="test", model=MODEL, **kwargs)


# -- plain, streaming, structured --------------------------------------------------------------


def test_plain_completion(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply("Hello there, candidate."))

    response = client(openai_server).chat.completions.create(model=MODEL, messages=HELLO)

    assert response.object == "chat.completion"
    assert response.model == MODEL
    assert response.choices[0].message.role == "assistant"
    assert response.choices[0].message.content == "Hello there, candidate."
    assert response.choices[0].finish_reason == "stop"
    assert response.usage is not None
    assert response.usage.prompt_tokens == 2
    assert response.usage.completion_tokens == 3
    assert response.usage.total_tokens == 5
    assert openai_server.pending == 0


def test_models_endpoint(openai_server: FakeOpenAIServer) -> None:
    models = client(openai_server).models.list()

    assert [m.id for m in models.data] == [MODEL]
    assert openai_server.last_request["method"] == "GET"
    assert openai_server.last_request["path"] == "/v1/models"


@pytest.mark.parametrize("include_usage", [True, False])
def test_streaming(openai_server: FakeOpenAIServer, include_usage: bool) -> None:
    text = "Start with the requirements, then sketch the data model."
    openai_server.enqueue(Reply(text))
    stream_options = {"include_usage": True} if include_usage else openai.omit

    chunks = list(
        client(openai_server).chat.completions.create(
            model=MODEL, messages=HELLO, stream=True, stream_options=stream_options
        )
    )

    assert all(c.object == "chat.completion.chunk" for c in chunks)
    pieces = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    assert "".join(pieces) == text
    assert len([p for p in pieces if p]) == len(text.split())
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "stop"
    usages = [c.usage for c in chunks if c.usage is not None]
    if include_usage:
        assert chunks[-1].choices == []
        assert len(usages) == 1
        assert usages[0].completion_tokens == len(text.split())
    else:
        assert usages == []
    assert openai_server.last_request["json"]["stream"] is True


def test_streaming_with_explicit_chunks(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply(chunks=["Hel", "lo", "!"]))

    stream = client(openai_server).chat.completions.create(model=MODEL, messages=HELLO, stream=True)
    pieces = [c.choices[0].delta.content for c in stream if c.choices]

    assert pieces[0] == ""  # the role chunk
    assert [p for p in pieces if p] == ["Hel", "lo", "!"]


class Verdict(BaseModel):
    score: int
    reason: str


def test_json_schema_response_format(openai_server: FakeOpenAIServer) -> None:
    payload = {"score": 3, "reason": "covers caching"}
    openai_server.enqueue(json.dumps(payload), json.dumps(payload))
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "verdict", "schema": Verdict.model_json_schema(), "strict": True},
    }
    sdk = client(openai_server)

    raw = sdk.chat.completions.create(model=MODEL, messages=HELLO, response_format=response_format)
    parsed = sdk.chat.completions.parse(model=MODEL, messages=HELLO, response_format=Verdict)

    assert json.loads(raw.choices[0].message.content or "") == payload
    assert parsed.choices[0].message.parsed == Verdict(**payload)
    sent = [r["json"]["response_format"] for r in openai_server.chat_requests]
    assert [f["type"] for f in sent] == ["json_schema", "json_schema"]
    assert sent[0]["json_schema"]["name"] == "verdict"


async def test_async_client(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue("async one", "async two")
    sdk = openai.AsyncOpenAI(base_url=openai_server.base_url, api_key="test", max_retries=0)

    first = await sdk.chat.completions.create(model=MODEL, messages=HELLO)
    stream = await sdk.chat.completions.create(model=MODEL, messages=HELLO, stream=True)
    pieces = [c.choices[0].delta.content or "" async for c in stream if c.choices]
    await sdk.close()

    assert first.choices[0].message.content == "async one"
    assert "".join(pieces) == "async two"


# -- faults ------------------------------------------------------------------------------------


def test_http_500(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply.server_error("boom"))

    with pytest.raises(openai.InternalServerError) as caught:
        client(openai_server).chat.completions.create(model=MODEL, messages=HELLO)

    assert caught.value.status_code == 500
    assert "boom" in str(caught.value)


def test_http_429_with_retry_after(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply(fault="http_429", retry_after=2))

    with pytest.raises(openai.RateLimitError) as caught:
        client(openai_server).chat.completions.create(model=MODEL, messages=HELLO)

    assert caught.value.status_code == 429
    assert caught.value.response.headers["retry-after"] == "2"
    assert caught.value.code == "rate_limit_exceeded"


def test_429_then_success_is_retried_by_sdk(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply.rate_limited(retry_after=0.05), Reply("after retry"))
    sdk = client(openai_server, max_retries=1)

    response = sdk.chat.completions.create(model=MODEL, messages=HELLO)

    assert response.choices[0].message.content == "after retry"
    retry_counts = [r["headers"]["x-stainless-retry-count"] for r in openai_server.requests]
    assert retry_counts == ["0", "1"]


def test_malformed_json_raises(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply.malformed())

    with pytest.raises(json.JSONDecodeError):
        client(openai_server).chat.completions.create(model=MODEL, messages=HELLO)


def test_malformed_json_while_streaming_raises(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply(fault=Fault.MALFORMED_JSON))
    stream = client(openai_server).chat.completions.create(model=MODEL, messages=HELLO, stream=True)

    with pytest.raises(json.JSONDecodeError):
        list(stream)


def test_stream_cut_raises_after_some_text(openai_server: FakeOpenAIServer) -> None:
    text = "one two three four five six"
    openai_server.enqueue(Reply.cut(text, after=2))
    received: list[str] = []

    stream = client(openai_server).chat.completions.create(model=MODEL, messages=HELLO, stream=True)
    with pytest.raises(openai.APIConnectionError) as caught:
        for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")

    assert "".join(received) == "one two "
    assert "incomplete chunked read" in str(caught.value.__cause__)


def test_stream_cut_on_plain_request_raises(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply.cut("never complete"))

    with pytest.raises(openai.APIConnectionError):
        client(openai_server).chat.completions.create(model=MODEL, messages=HELLO)


def test_delay_longer_than_client_timeout(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply.delayed("too late", 2.0))
    started = time.monotonic()

    with pytest.raises(openai.APITimeoutError):
        client(openai_server, timeout=0.2).chat.completions.create(model=MODEL, messages=HELLO)

    assert time.monotonic() - started < 1.5


def test_delay_within_client_timeout(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply.delayed("worth the wait", 0.2))
    started = time.monotonic()

    response = client(openai_server, timeout=5).chat.completions.create(model=MODEL, messages=HELLO)

    assert response.choices[0].message.content == "worth the wait"
    assert time.monotonic() - started >= 0.2


def test_chunk_delay_times_out_mid_stream(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply("slow stream of words", chunk_delay=2.0))
    sdk = client(openai_server, timeout=httpx.Timeout(5, read=0.3))
    received: list[str] = []

    stream = sdk.chat.completions.create(model=MODEL, messages=HELLO, stream=True)
    with pytest.raises((httpx.ReadTimeout, openai.APITimeoutError)):
        for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")

    assert received == [""]  # the role chunk arrived, the first word did not


def test_chunk_delay_paces_stream(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply("a b c", chunk_delay=0.1))
    started = time.monotonic()

    stream = client(openai_server).chat.completions.create(model=MODEL, messages=HELLO, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)

    assert text == "a b c"
    assert time.monotonic() - started >= 0.3


def test_invalid_reply_settings_rejected() -> None:
    with pytest.raises(ValueError):
        Reply("x", fault=Fault.DELAY)
    with pytest.raises(ValueError):
        Reply("abc", chunks=["a", "b"])
    with pytest.raises(ValueError):
        Reply(fault="no_such_fault")


# -- queue, default, responder -----------------------------------------------------------------


def test_empty_queue_is_http_500_no_scripted_reply(openai_server: FakeOpenAIServer) -> None:
    with pytest.raises(openai.InternalServerError) as caught:
        client(openai_server).chat.completions.create(model=MODEL, messages=HELLO)

    assert "no scripted reply" in str(caught.value)


def test_queue_is_fifo_then_default(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue("first", Reply("second"))
    openai_server.default = Reply("fallback")
    sdk = client(openai_server)

    answers = [
        sdk.chat.completions.create(model=MODEL, messages=HELLO).choices[0].message.content
        for _ in range(4)
    ]

    assert answers == ["first", "second", "fallback", "fallback"]


def test_responder_builds_reply_from_request(openai_server: FakeOpenAIServer) -> None:
    def echo(body: dict[str, Any]) -> Reply:
        return Reply(f"echo: {body['messages'][-1]['content']}")

    openai_server.responder = echo
    openai_server.enqueue("queued wins")
    sdk = client(openai_server)

    first = sdk.chat.completions.create(model=MODEL, messages=HELLO)
    second = sdk.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "ping"}]
    )

    assert first.choices[0].message.content == "queued wins"
    assert second.choices[0].message.content == "echo: ping"


def test_responder_error_is_http_500(openai_server: FakeOpenAIServer) -> None:
    def broken(body: dict[str, Any]) -> Reply:
        raise KeyError("missing")

    openai_server.responder = broken

    with pytest.raises(openai.InternalServerError, match="responder raised"):
        client(openai_server).chat.completions.create(model=MODEL, messages=HELLO)
    assert isinstance(openai_server.errors[0], KeyError)


def test_concurrent_requests_each_take_one_reply(openai_server: FakeOpenAIServer) -> None:
    replies = [f"reply {i}" for i in range(12)]
    openai_server.enqueue(*replies)
    sdk = client(openai_server)
    answers: list[str] = []

    def call() -> None:
        response = sdk.chat.completions.create(model=MODEL, messages=HELLO)
        answers.append(response.choices[0].message.content or "")

    threads = [threading.Thread(target=call) for _ in replies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert sorted(answers) == sorted(replies)
    assert len(openai_server.requests) == len(replies)


# -- recording ---------------------------------------------------------------------------------


def test_requests_are_recorded(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue("one", "two")
    sdk = client(openai_server)

    sdk.chat.completions.create(model=MODEL, messages=HELLO, temperature=0.1)
    sdk.chat.completions.create(
        model="other-model",
        messages=[{"role": "system", "content": "Be terse."}, *HELLO],
        extra_headers={"X-Trace-Id": "abc"},
    )

    first, second = openai_server.requests
    assert first["method"] == "POST"
    assert first["path"] == "/v1/chat/completions"
    assert first["headers"]["authorization"] == "Bearer test"
    assert first["headers"]["content-type"] == "application/json"
    assert first["json"] == {"model": MODEL, "messages": HELLO, "temperature": 0.1}
    assert second["headers"]["x-trace-id"] == "abc"
    assert second["json"]["messages"][0] == {"role": "system", "content": "Be terse."}
    assert openai_server.last_request == second
    assert openai_server.chat_requests == [first, second]


def test_reset_forgets_everything(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue("left over")
    openai_server.default = Reply("default")
    openai_server.responder = lambda body: Reply("responder")
    client(openai_server).models.list()

    openai_server.reset()

    assert openai_server.pending == 0
    assert openai_server.requests == []
    assert openai_server.default is None and openai_server.responder is None


def test_unknown_route_is_404(openai_server: FakeOpenAIServer) -> None:
    response = httpx.post(f"{openai_server.base_url}/embeddings", json={"input": "x"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_url"


# -- lifecycle ---------------------------------------------------------------------------------


def test_start_is_fast_and_stop_closes_the_port() -> None:
    started = time.monotonic()
    server = FakeOpenAIServer().start()
    assert time.monotonic() - started < 0.5
    port = server.port
    assert server.base_url == f"http://127.0.0.1:{port}/v1"
    assert httpx.get(f"{server.base_url}/models").status_code == 200

    server.stop()
    server.stop()  # idempotent

    assert not server.running
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_stop_does_not_wait_for_delayed_replies() -> None:
    with FakeOpenAIServer() as server:
        server.enqueue(Reply.delayed("never sent", 30))
        with pytest.raises(openai.APITimeoutError):
            client(server, timeout=0.1).chat.completions.create(model=MODEL, messages=HELLO)
        started = time.monotonic()
    assert time.monotonic() - started < 1.0


def test_context_manager_and_default_constructor_arg() -> None:
    with FakeOpenAIServer(default=Reply("always")) as server:
        response = client(server).chat.completions.create(model=MODEL, messages=HELLO)
        assert response.choices[0].message.content == "always"
    assert not server.running


# -- LangChain ---------------------------------------------------------------------------------


def test_langchain_invoke(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue("Let's talk about sharding.")

    message = chat(openai_server).invoke("What should we discuss?")

    assert message.content == "Let's talk about sharding."
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_tokens"] == 4
    sent = openai_server.last_request["json"]
    assert sent["model"] == MODEL
    assert sent["messages"][-1] == {"role": "user", "content": "What should we discuss?"}


def test_langchain_stream(openai_server: FakeOpenAIServer) -> None:
    text = "Consistent hashing spreads keys evenly."
    openai_server.enqueue(text)

    chunks = list(chat(openai_server).stream("Explain consistent hashing"))

    assert "".join(str(c.content) for c in chunks) == text
    assert sum(1 for c in chunks if c.content) == len(text.split())
    assert openai_server.last_request["json"]["stream"] is True


def test_langchain_structured_output(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(json.dumps({"score": 2, "reason": "no capacity estimate"}))

    verdict = chat(openai_server).with_structured_output(Verdict, method="json_schema").invoke("?")

    assert verdict == Verdict(score=2, reason="no capacity estimate")
    assert openai_server.last_request["json"]["response_format"]["type"] == "json_schema"


def test_langchain_surfaces_rate_limit(openai_server: FakeOpenAIServer) -> None:
    openai_server.enqueue(Reply.rate_limited(retry_after=3))

    with pytest.raises(openai.RateLimitError) as caught:
        chat(openai_server, max_retries=0).invoke("hi")

    assert caught.value.response.headers["retry-after"] == "3"
