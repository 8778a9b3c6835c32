"""Back-pressure: a worker holds at most TRADEOFF_QUEUE_LIMIT API requests waiting for their
response to start; past that it answers 503 with Retry-After at once, instead of letting every
request wait longer and longer behind a burst.

A streamed reply counts only until its first byte: an open SSE stream waits on the model, not on
this worker's CPU.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.limits import is_limited_path
from core.settings import Settings

_RATE_WINDOW = 200  # recent response starts the Retry-After estimate is based on
MAX_RETRY_AFTER_S = 30


class Backpressure:
    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit
        self.waiting = 0  # the event loop is single-threaded: no lock needed
        self._starts: deque[float] = deque(maxlen=_RATE_WINDOW)

    def retry_after(self) -> int:
        """Seconds until the backlog has likely drained, from the recent response rate."""
        now = time.monotonic()
        if len(self._starts) < 2 or now - self._starts[0] <= 0:
            return 1
        rate = len(self._starts) / (now - self._starts[0])
        return max(1, min(MAX_RETRY_AFTER_S, math.ceil(self.waiting / rate)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_limited_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.waiting >= self.limit:
            await self._refuse(send)
            return
        self.waiting += 1
        started = False

        async def send_started(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start" and not started:
                started = True
                self.waiting -= 1
                self._starts.append(time.monotonic())
            await send(message)

        try:
            await self.app(scope, receive, send_started)
        finally:
            if not started:
                self.waiting -= 1

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"detail": "the server is busy: too many requests are waiting; retry shortly"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(self.retry_after()).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(Backpressure, limit=settings.queue_limit)
