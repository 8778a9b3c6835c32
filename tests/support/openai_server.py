"""A scripted, OpenAI-compatible HTTP server for tests.

`FakeOpenAIServer` listens on 127.0.0.1 (ephemeral port) in a background thread and speaks real
HTTP/1.1 over TCP (asyncio streams + h11), so the official `openai` SDK and LangChain's
`ChatOpenAI` talk to it exactly as they would to a provider. It serves:

* `POST /v1/chat/completions` - a `chat.completion` JSON object (with `usage`), or, when the
  request has `"stream": true`, SSE `chat.completion.chunk` events ending in `data: [DONE]`
  (plus a usage chunk when `stream_options.include_usage` is sent). `response_format` (e.g.
  `json_schema`) is accepted and ignored: the reply content is whatever the test scripted.
* `GET /v1/models` - a model list built from `model_ids`.

Replies are scripted per test. Each chat request takes, in this order of precedence:

1. the oldest `Reply` pushed with `server.enqueue(...)` (a thread-safe FIFO);
2. else `server.responder(request_json)` if a responder is set (may return a `Reply` or a str);
3. else `server.default` if set;
4. else HTTP 500 whose error message starts with "no scripted reply".

A `Reply` can also inject a fault (`Fault`): a delay before answering (`delay`, and `chunk_delay`
between streamed chunks), HTTP 500, HTTP 429 with `Retry-After`, HTTP 422 (a request the server
refuses, as llama.cpp's server refuses a `json_schema` response format), a 200 whose body is not
JSON, or a stream cut off mid-way (the connection is closed without the final chunk / `[DONE]`).

Every request is recorded (`server.requests`, `server.last_request`) as a dict with `method`,
`path`, `query`, `headers` (lower-case keys), `json` (parsed body or None) and `body` (raw text).

Usage::

    with FakeOpenAIServer() as server:
        server.enqueue(Reply("hello"), Reply.rate_limited(retry_after=2))
        client = OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NoReturn

import h11

Json = dict[str, Any]

HOST = "127.0.0.1"
DEFAULT_MODEL = "test-model"
START_TIMEOUT = 5.0
_READ_SIZE = 65_536
_SHUTDOWN_ROUNDS = 20
_MALFORMED_BODY = b'{"id": "chatcmpl-malformed", "object": "chat.completion", "choices": [{'


class Fault(StrEnum):
    """How a scripted reply misbehaves (plain strings such as "http_429" are accepted too)."""

    NONE = "none"
    DELAY = "delay"  # wait `delay` seconds before answering (needs delay > 0)
    HTTP_500 = "http_500"  # OpenAI-style server_error body
    HTTP_429 = "http_429"  # OpenAI-style rate-limit body, Retry-After from `retry_after`
    HTTP_422 = "http_422"  # a request the server refuses (e.g. a response_format it lacks)
    MALFORMED_JSON = "malformed_json"  # 200 whose body (or first SSE event) is not valid JSON
    STREAM_CUT = "stream_cut"  # some chunks, then the connection closes without [DONE]


@dataclass(frozen=True)
class Reply:
    """One scripted answer to one chat-completions request.

    `delay` applies before the response starts, whatever the fault; `chunk_delay` is waited
    before each streamed content chunk. `chunks` fixes how the content is split when streaming
    (default: one chunk per word, trailing whitespace kept). For `STREAM_CUT`, `cut_after` is the
    number of content chunks sent before the connection is closed (default: half, at least one);
    a non-streaming request gets half of its JSON body and then the close.
    """

    content: str = ""
    fault: Fault = Fault.NONE
    delay: float = 0.0
    chunk_delay: float = 0.0
    retry_after: float | None = None
    cut_after: int | None = None
    chunks: tuple[str, ...] | None = None
    finish_reason: str = "stop"
    error_message: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fault", Fault(self.fault))
        if self.chunks is not None:
            object.__setattr__(self, "chunks", tuple(self.chunks))
            joined = "".join(self.chunks)
            if not self.content:
                object.__setattr__(self, "content", joined)
            elif joined != self.content:
                raise ValueError("Reply.chunks must join to Reply.content")
        if self.delay < 0 or self.chunk_delay < 0:
            raise ValueError("Reply delays must be >= 0")
        if self.fault is Fault.DELAY and self.delay <= 0:
            raise ValueError("Fault.DELAY needs delay > 0")
        if self.cut_after is not None and self.cut_after < 0:
            raise ValueError("Reply.cut_after must be >= 0")

    @classmethod
    def delayed(cls, content: str, seconds: float, *, chunk_delay: float = 0.0) -> Reply:
        return cls(content, fault=Fault.DELAY, delay=seconds, chunk_delay=chunk_delay)

    @classmethod
    def server_error(cls, message: str | None = None) -> Reply:
        return cls(fault=Fault.HTTP_500, error_message=message)

    @classmethod
    def rate_limited(cls, retry_after: float | None = 1, message: str | None = None) -> Reply:
        return cls(fault=Fault.HTTP_429, retry_after=retry_after, error_message=message)

    @classmethod
    def unprocessable(cls, message: str | None = None) -> Reply:
        return cls(fault=Fault.HTTP_422, error_message=message)

    @classmethod
    def malformed(cls) -> Reply:
        return cls(fault=Fault.MALFORMED_JSON)

    @classmethod
    def cut(cls, content: str, after: int | None = None) -> Reply:
        return cls(content, fault=Fault.STREAM_CUT, cut_after=after)

    def pieces(self) -> list[str]:
        """The content chunks a streaming response sends, in order."""
        if self.chunks is not None:
            return list(self.chunks)
        return re.findall(r"\S+\s*|\s+", self.content)

    def cut_index(self, n_pieces: int) -> int:
        """How many content chunks go out before a STREAM_CUT closes the connection."""
        if self.cut_after is not None:
            return min(self.cut_after, n_pieces)
        return min(n_pieces, max(1, n_pieces // 2))


Responder = Callable[[Json], Reply | str]


class _NoReply(Exception):
    """Nothing scripted for a request; the message becomes the 500 error text."""


class _ConnectionCut(Exception):
    """A STREAM_CUT fault closed the connection on purpose."""


@dataclass(frozen=True)
class _Incoming:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @classmethod
    def from_h11(cls, request: h11.Request, body: bytes) -> _Incoming:
        target = request.target.decode("latin-1")
        path, _, query = target.partition("?")
        headers: dict[str, str] = {}
        for name, value in request.headers:
            key, text = name.decode("latin-1").lower(), value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        return cls(request.method.decode("ascii"), path, query, headers, body)

    def parsed_json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except (ValueError, UnicodeDecodeError):
            return None

    def record(self) -> Json:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": dict(self.headers),
            "json": self.parsed_json(),
            "body": self.body.decode("utf-8", errors="replace"),
        }


class _HttpConnection:
    """One keep-alive HTTP/1.1 server connection, framed by h11."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._h11 = h11.Connection(h11.SERVER)

    async def read_request(self) -> _Incoming | None:
        """The next full request, or None once the client has closed the connection."""
        request: h11.Request | None = None
        body = bytearray()
        while True:
            event = self._h11.next_event()
            if event is h11.NEED_DATA:
                self._h11.receive_data(await self._reader.read(_READ_SIZE))
            elif isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage) and request is not None:
                return _Incoming.from_h11(request, bytes(body))
            elif isinstance(event, h11.ConnectionClosed):
                return None

    def next_cycle(self) -> bool:
        """Readies the connection for another request; False if it must be closed instead."""
        if self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE:
            self._h11.start_next_cycle()
            return True
        return False

    async def send_bytes(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        length = ("content-length", str(len(body)))
        self._start(status, [("content-type", content_type), length, *headers])
        self._send(h11.Data(data=body))
        self._send(h11.EndOfMessage())
        await self._writer.drain()

    async def send_json(
        self, status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        await self.send_bytes(status, json.dumps(payload).encode(), headers=headers)

    async def send_truncated(self, body: bytes, content_type: str = "application/json") -> None:
        """Announces the full body length, sends half of it, then closes the connection."""
        self._start(200, [("content-type", content_type), ("content-length", str(len(body)))])
        self._send(h11.Data(data=body[: len(body) // 2]))
        self.cut()

    async def start_stream(self) -> None:
        sse = [("content-type", "text/event-stream; charset=utf-8"), ("cache-control", "no-cache")]
        self._start(200, sse)  # no content-length: h11 frames the body with chunked encoding
        await self._writer.drain()

    async def send_event(self, data: Json | str) -> None:
        text = data if isinstance(data, str) else json.dumps(data)
        self._send(h11.Data(data=f"data: {text}\n\n".encode()))
        await self._writer.drain()

    async def end_stream(self) -> None:
        self._send(h11.EndOfMessage())
        await self._writer.drain()

    def cut(self) -> NoReturn:
        """Closes the socket mid-response (after flushing what was sent) and stops this handler."""
        self.close()
        raise _ConnectionCut

    def close(self) -> None:
        """Flushes what was written, then closes (the close completes in the background)."""
        self._writer.close()

    def abort(self) -> None:
        """Closes the socket at once, dropping unsent data (a no-op if already closed)."""
        self._writer.transport.abort()

    def _start(self, status: int, headers: list[tuple[str, str]]) -> None:
        reason = http.HTTPStatus(status).phrase.encode()
        request_id = ("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
        self._send(h11.Response(status_code=status, reason=reason, headers=[*headers, request_id]))

    def _send(self, event: h11.Event) -> None:
        data = self._h11.send(event)
        if data:
            self._writer.write(data)


@dataclass(frozen=True)
class _Completion:
    """Identity and token counts shared by all objects of one completion."""

    id: str
    created: int
    model: str
    usage: Json

    @classmethod
    def for_request(cls, body: Json, content: str) -> _Completion:
        prompt = _count_tokens(_prompt_text(body.get("messages")))
        completion = _count_tokens(content)
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        model = str(body.get("model") or DEFAULT_MODEL)
        return cls(f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time()), model, usage)

    def message(self, reply: Reply) -> Json:
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": reply.content, "refusal": None},
            "logprobs": None,
            "finish_reason": reply.finish_reason,
        }
        return {**self._envelope("chat.completion"), "choices": [choice], "usage": self.usage}

    def chunk(self, delta: Json, finish_reason: str | None = None) -> Json:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**self._envelope("chat.completion.chunk"), "choices": [choice]}

    def usage_chunk(self) -> Json:
        return {**self._envelope("chat.completion.chunk"), "choices": [], "usage": self.usage}

    def _envelope(self, kind: str) -> Json:
        return {
            "id": self.id,
            "object": kind,
            "created": self.created,
            "model": self.model,
            "system_fingerprint": None,
        }


class FakeOpenAIServer:
    """A real HTTP server answering OpenAI chat-completions requests with scripted replies."""

    def __init__(
        self, default: Reply | None = None, model_ids: Sequence[str] = (DEFAULT_MODEL,)
    ) -> None:
        self.default: Reply | None = default
        self.responder: Responder | None = None
        self.model_ids: list[str] = list(model_ids)
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._requests: list[Json] = []
        self._errors: list[BaseException] = []
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._startup_error: BaseException | None = None
        self._connections: list[_HttpConnection] = []  # every one accepted while running
        self._closing = False
        self._port: int | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        """Binds an ephemeral port and serves from a daemon thread; returns self."""
        if self._thread is not None:
            raise RuntimeError("FakeOpenAIServer is already running")
        self._ready.clear()
        self._startup_error = None
        self._thread = threading.Thread(target=self._run, name="fake-openai-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT) or self._startup_error is not None:
            self.stop()
            raise RuntimeError("FakeOpenAIServer failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        """Stops serving, drops open connections (even mid-delay) and joins the thread."""
        thread, loop, stop_event = self._thread, self._loop, self._stop_event
        if thread is None:
            return
        if loop is not None and stop_event is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(stop_event.set)
        thread.join(START_TIMEOUT)
        self._thread = self._loop = self._stop_event = None
        self._port = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._port is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeOpenAIServer is not running")
        return self._port

    @property
    def url(self) -> str:
        """Root URL, e.g. http://127.0.0.1:54321."""
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as `base_url` to OpenAI clients: http://127.0.0.1:<port>/v1."""
        return f"{self.url}/v1"

    # -- scripting -------------------------------------------------------------------------------

    def enqueue(self, *replies: Reply | str) -> None:
        """Appends replies to the FIFO (a str is shorthand for `Reply(content=str)`)."""
        with self._lock:
            self._queue.extend(_as_reply(reply) for reply in replies)

    @property
    def pending(self) -> int:
        """How many enqueued replies have not been used yet."""
        with self._lock:
            return len(self._queue)

    def reset(self) -> None:
        """Forgets queued replies, recorded requests, errors, the default and the responder."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()
            self._errors.clear()
        self.default = None
        self.responder = None

    # -- inspection ------------------------------------------------------------------------------

    @property
    def requests(self) -> list[Json]:
        """A snapshot of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[Json]:
        """The recorded requests to /v1/chat/completions."""
        return [r for r in self.requests if r["path"].rstrip("/") == "/v1/chat/completions"]

    @property
    def last_request(self) -> Json:
        with self._lock:
            if not self._requests:
                raise AssertionError("FakeOpenAIServer has received no requests")
            return self._requests[-1]

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised by the responder (each also produced an HTTP 500)."""
        with self._lock:
            return list(self._errors)

    # -- server thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # surfaced by start(); the thread must not die silently
            self._startup_error = exc
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._closing = False
        self._stop_event = asyncio.Event()
        server = await asyncio.start_server(self._accept, HOST, 0)
        self._port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop_event.wait()
        finally:
            server.close()
            await self._close_connections()

    def _accept(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> Coroutine[Any, Any, None] | None:
        # Runs synchronously on accept, so every transport is tracked (and aborted at shutdown)
        # even if its handler task is cancelled before it ever starts.
        if self._closing:
            writer.transport.abort()
            return None
        conn = _HttpConnection(reader, writer)
        self._connections.append(conn)
        return self._serve_connection(conn)

    async def _close_connections(self) -> None:
        """Cancels every handler (even mid-delay) and aborts every socket still open.

        Connections accepted just before the listener closed are still being set up by asyncio
        tasks of this (private) loop, so it waits, a few rounds at most, until no task is left.
        """
        self._closing = True
        current = asyncio.current_task()
        for _ in range(_SHUTDOWN_ROUNDS):
            await asyncio.sleep(0)
            others = [task for task in asyncio.all_tasks() if task is not current]
            if not others:
                break
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
        for conn in self._connections:
            conn.abort()
        self._connections.clear()
        await asyncio.sleep(0)  # run the transports' connection_lost callbacks

    async def _serve_connection(self, conn: _HttpConnection) -> None:
        try:
            while (incoming := await conn.read_request()) is not None:
                await self._dispatch(conn, incoming)
                if not conn.next_cycle():
                    break
        except (_ConnectionCut, ConnectionError, h11.ProtocolError):
            pass
        except asyncio.CancelledError:
            # Only stop() cancels handlers. Ending normally keeps asyncio's stream callback
            # (which calls task.exception() on 3.11) from logging a spurious CancelledError.
            pass
        finally:
            conn.close()  # synchronous on purpose: nothing here may be interrupted

    async def _dispatch(self, conn: _HttpConnection, incoming: _Incoming) -> None:
        record = incoming.record()
        with self._lock:
            self._requests.append(record)
        route = (incoming.method, incoming.path.rstrip("/"))
        if route == ("POST", "/v1/chat/completions"):
            await self._chat(conn, record["json"])
        elif route == ("GET", "/v1/models"):
            await conn.send_json(200, self._models())
        else:
            message = f"Unknown route {incoming.method} {incoming.path}"
            await conn.send_json(404, _error(message, "invalid_request_error", "unknown_url"))

    async def _chat(self, conn: _HttpConnection, body: Any) -> None:
        if not isinstance(body, dict):
            error = _error("Request body must be a JSON object", "invalid_request_error")
            await conn.send_json(400, error)
            return
        try:
            reply = self._next_reply(body)
        except _NoReply as exc:
            await conn.send_json(500, _error(str(exc), "server_error"))
            return
        await asyncio.sleep(reply.delay)
        await self._answer(conn, body, reply)

    async def _answer(self, conn: _HttpConnection, body: Json, reply: Reply) -> None:
        streaming = bool(body.get("stream"))
        if reply.fault is Fault.HTTP_500:
            message = reply.error_message or "The server had an error processing your request."
            await conn.send_json(500, _error(message, "server_error"))
        elif reply.fault is Fault.HTTP_429:
            await self._rate_limited(conn, reply)
        elif reply.fault is Fault.HTTP_422:
            message = reply.error_message or "Input should be 'text' or 'json_object'"
            await conn.send_json(422, _error(message, "invalid_request_error"))
        elif reply.fault is Fault.MALFORMED_JSON:
            await self._malformed(conn, streaming)
        elif streaming:
            await self._stream(conn, body, reply)
        else:
            payload = json.dumps(_Completion.for_request(body, reply.content).message(reply))
            if reply.fault is Fault.STREAM_CUT:
                await conn.send_truncated(payload.encode())
            else:
                await conn.send_bytes(200, payload.encode())

    async def _rate_limited(self, conn: _HttpConnection, reply: Reply) -> None:
        message = reply.error_message or "Rate limit reached for test-model. Please try again."
        headers = []
        if reply.retry_after is not None:
            headers.append(("retry-after", _format_seconds(reply.retry_after)))
        error = _error(message, "requests", "rate_limit_exceeded")
        await conn.send_json(429, error, headers=headers)

    async def _malformed(self, conn: _HttpConnection, streaming: bool) -> None:
        if not streaming:
            await conn.send_bytes(200, _MALFORMED_BODY)
            return
        await conn.start_stream()
        await conn.send_event(_MALFORMED_BODY.decode())
        await conn.send_event("[DONE]")
        await conn.end_stream()

    async def _stream(self, conn: _HttpConnection, body: Json, reply: Reply) -> None:
        completion = _Completion.for_request(body, reply.content)
        options = body.get("stream_options")
        include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
        pieces = reply.pieces()
        cut_at = reply.cut_index(len(pieces)) if reply.fault is Fault.STREAM_CUT else None

        async def send(chunk: Json) -> None:
            await conn.send_event({**chunk, "usage": None} if include_usage else chunk)

        await conn.start_stream()
        await send(completion.chunk({"role": "assistant", "content": "", "refusal": None}))
        for index, piece in enumerate(pieces):
            if index == cut_at:
                conn.cut()
            await asyncio.sleep(reply.chunk_delay)
            await send(completion.chunk({"content": piece}))
        if cut_at is not None:
            conn.cut()
        await send(completion.chunk({}, finish_reason=reply.finish_reason))
        if include_usage:
            await conn.send_event(completion.usage_chunk())
        await conn.send_event("[DONE]")
        await conn.end_stream()

    def _next_reply(self, body: Json) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        responder, default = self.responder, self.default
        if responder is not None:
            try:
                return _as_reply(responder(body))
            except Exception as exc:
                with self._lock:
                    self._errors.append(exc)
                raise _NoReply(f"responder raised {exc!r}") from exc
        if default is not None:
            return default
        raise _NoReply(
            "no scripted reply: the FakeOpenAIServer queue is empty and neither a default "
            "reply nor a responder is set"
        )

    def _models(self) -> Json:
        data = [
            {"id": model, "object": "model", "created": 0, "owned_by": "tradeoff-tests"}
            for model in self.model_ids
        ]
        return {"object": "list", "data": data}


def _as_reply(reply: Reply | str) -> Reply:
    if isinstance(reply, Reply):
        return reply
    if isinstance(reply, str):
        return Reply(reply)
    raise TypeError(f"expected a Reply or str, got {type(reply).__name__}")


def _error(message: str, kind: str, code: str | None = None) -> Json:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


def _prompt_text(messages: Any) -> str:
    if not isinstance(messages, list):
        return ""
    return " ".join(_message_text(m.get("content")) for m in messages if isinstance(m, dict))


def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}, ...]
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def _count_tokens(text: str) -> int:
    """A crude but deterministic token count: whitespace-separated words."""
    return len(text.split())
