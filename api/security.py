"""Security headers on every response, CORS only for configured origins, and the refusal to
expose the API beyond loopback without keys."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.request_log import RequestLogMiddleware
from core.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

# mermaid draws its SVG with <style> elements and style attributes. The one page that runs it,
# inside a sandboxed frame (no same-origin rights) of our own pages, may apply inline styles
# (never inline scripts) and be framed by our own origin; every other page keeps the policy.
DIAGRAM_FRAME_PATH = "/diagram-frame.html"
DIAGRAM_FRAME_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    ).replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
    "X-Frame-Options": "SAMEORIGIN",
}

API_PREFIXES = ("/api/", "/v1/", "/mcp")


def exposure_refusal(settings: Settings) -> str | None:
    """Why the service must not start with these settings, or None when it may."""
    if settings.binds_loopback or settings.auth == "required":
        return None
    return (
        f"refusing to bind {settings.host}: a non-loopback address exposes the API; "
        "set TRADEOFF_AUTH=required and create keys with 'tradeoff users create NAME'"
    )


def cors_origins(settings: Settings) -> list[str]:
    return [o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip()]


class SecurityHeadersMiddleware:
    """Pure ASGI, so streamed (SSE) responses keep streaming."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].startswith(API_PREFIXES) or scope["path"] == "/api"
        frame = scope["path"] == DIAGRAM_FRAME_PATH

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                chosen = DIAGRAM_FRAME_HEADERS if frame else SECURITY_HEADERS
                for name, value in chosen.items():
                    headers.setdefault(name, value)
                if is_api:  # answers are per user; no cache or proxy may keep them
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    """Outermost layers, in order: request log, security headers, CORS (when configured).
    Call after `api.limits.install`, so 429 answers get headers and a log line too."""
    origins = cors_origins(settings)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept", "Idempotency-Key"],
            allow_credentials=False,
            max_age=600,
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
