"""The MCP server over streamable HTTP at /mcp of the app: the same API keys (and local mode)
as the REST API, checked on every request before the SDK sees it; tools act as that user.

Stateless (no MCP session between requests), so any worker of `tradeoff serve --workers N`
answers any request, and answers are JSON rather than an SSE stream.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import container_of, resolve_user
from api.mcp_server import build_server
from core.db import engine_for
from core.models import User
from core.settings import Settings

PATH = "/mcp"


def http_identity(ctx: Context, db: Session) -> User:
    """The user `McpEndpoint` authenticated for the HTTP request that carries this call."""
    request = ctx.request_context.request
    state = request.scope.get("state") or {} if isinstance(request, Request) else {}
    user = db.get(User, state["user_id"]) if state.get("user_id") else None
    if user is None:
        raise ToolError("this request carries no authenticated user")
    return user


class McpEndpoint:
    """ASGI app for /mcp: authenticates, then hands the request to the SDK's transport (built
    anew for each run of the app's lifespan, as the SDK's session manager runs only once)."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.settings = settings
        self.server: MCPServer = build_server(settings, lambda: container_of(app), http_identity)
        self._transport: ASGIApp | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        transport = self.server.streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            json_response=True,
            host=self.settings.host,  # DNS-rebinding protection when bound to loopback
        )
        async with self.server.session_manager.run():
            self._transport = transport
            try:
                yield
            finally:
                self._transport = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._transport is None:
            await _refuse(send, 503, "the MCP endpoint is not running")
            return
        try:
            user_id = await run_in_threadpool(self._authenticate, Request(scope))
        except HTTPException as exc:
            await _refuse(send, exc.status_code, str(exc.detail), exc.headers)
            return
        scope.setdefault("state", {})["user_id"] = user_id  # tools and the request log read it
        # The SDK binds a stateful MCP session to the principal that opened it.
        scope["user"] = AuthenticatedUser(AccessToken(token="", client_id=user_id, scopes=[]))
        await self._transport(scope, receive, send)

    def _authenticate(self, request: Request) -> str:
        with Session(engine_for(self.settings)) as db:
            return resolve_user(request, self.settings, db, any_key_locally=True).id


async def _refuse(
    send: Send, status: int, detail: str, extra: Mapping[str, str] | None = None
) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI, settings: Settings) -> McpEndpoint:
    """Routes /mcp to the endpoint; the app's lifespan must run `endpoint.running()`."""
    endpoint = McpEndpoint(app, settings)
    methods = ["GET", "POST", "DELETE"]
    app.router.routes.append(Route(PATH, endpoint, methods=methods, include_in_schema=False))
    return endpoint
