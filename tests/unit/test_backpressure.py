"""Back-pressure: past the queue bound a worker answers 503 with Retry-After at once; a streamed
reply holds its place only until its first byte."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from api.backpressure import Backpressure


def _app(gate: asyncio.Event, limit: int) -> tuple[FastAPI, Backpressure]:
    """A slow route, a streamed one and health, behind the middleware."""
    app = FastAPI()

    @app.get("/api/slow")
    async def slow() -> dict[str, bool]:
        await gate.wait()
        return {"ok": True}

    @app.get("/api/stream")
    async def stream() -> StreamingResponse:
        async def body():  # type: ignore[no-untyped-def]
            yield b"first\n"
            await gate.wait()
            yield b"last\n"

        return StreamingResponse(body())

    @app.get("/api/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app, Backpressure(app, limit=limit)


async def test_past_the_bound_requests_get_503_with_retry_after() -> None:
    gate = asyncio.Event()
    _, bp = _app(gate, limit=2)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=bp), base_url="http://test"
    ) as client:
        held = [asyncio.create_task(client.get("/api/slow")) for _ in range(2)]
        while bp.waiting < 2:
            await asyncio.sleep(0.01)
        refused = await client.get("/api/slow")
        assert refused.status_code == 503
        assert int(refused.headers["retry-after"]) >= 1
        assert (await client.get("/api/health")).status_code == 200  # never refused
        gate.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        assert bp.waiting == 0
        assert (await client.get("/api/slow")).status_code == 200


async def test_a_stream_counts_only_until_its_first_byte() -> None:
    gate = asyncio.Event()
    _, bp = _app(gate, limit=1)
    started = asyncio.Event()
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)
        if message["type"] == "http.response.start":
            started.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/stream",
        "raw_path": b"/api/stream",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    streaming = asyncio.create_task(bp(scope, receive, send))
    await asyncio.wait_for(started.wait(), 5)
    assert bp.waiting == 0  # the open stream no longer holds a place
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=bp), base_url="http://test"
    ) as client:
        gate.set()
        assert (await client.get("/api/slow")).status_code == 200
    await asyncio.wait_for(streaming, 5)
    assert sent[0]["status"] == 200
