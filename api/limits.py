"""Per-key rate limits on /api/* (not /api/health), /v1/* and /mcp, shared by every worker
through Redis when TRADEOFF_REDIS_URL is set; answers 429 with Retry-After."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import math
import threading
import time

from fastapi import FastAPI
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from core.db import engine_for
from core.settings import Settings
from core.users import hash_key, user_for_key

log = logging.getLogger("tradeoff.limits")
EXEMPT_PATHS = frozenset({"/api/health"})
LIMITED_PREFIXES = ("/api/", "/v1/", "/mcp")
_KEY_CACHE_SECONDS = 60.0
_KEY_CACHE_SIZE = 4096
_WARN_EVERY_SECONDS = 60.0


def key_prefix(settings: Settings) -> str:
    """Redis key prefix: user ids are only unique within one database, so workers that share a
    database share limits, and two deployments (or test runs) sharing a Redis never collide."""
    db_hash = hashlib.sha256(settings.effective_database_url.encode()).hexdigest()[:16]
    return f"tradeoff-rl-{db_hash}"


def parse_limit(text: str) -> RateLimitItem:
    try:
        return parse(text)
    except ValueError as exc:
        raise RuntimeError(
            f"TRADEOFF_RATE_LIMIT={text!r} is not a rate limit like '120/minute'"
        ) from exc


def build_storage(settings: Settings) -> Storage:
    if settings.redis_url:
        return RedisStorage(settings.redis_url, key_prefix=key_prefix(settings))
    return MemoryStorage()


def is_limited_path(path: str) -> bool:
    return path.startswith(LIMITED_PREFIXES) and path.rstrip("/") not in EXEMPT_PATHS


def bearer_key(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer":
                return None
            return key.strip() or None
    return None


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    host = client[0] if client else "unknown"
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


class KeyResolver:
    """API key → user id, cached briefly by key hash so a request costs no database query;
    the cache only chooses a rate-limit bucket, authentication still happens in the routes."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._cache: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def user_id(self, key: str) -> str | None:
        digest = hash_key(key)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(digest)
        if hit is not None and hit[0] > now:
            return hit[1]
        with Session(engine_for(self.settings)) as db:
            user = user_for_key(db, key=key)
            user_id = user.id if user else None
        with self._lock:
            if len(self._cache) >= _KEY_CACHE_SIZE:
                self._cache.clear()
            self._cache[digest] = (now + _KEY_CACHE_SECONDS, user_id)
        return user_id


class RateLimitMiddleware:
    """Pure ASGI: one moving window per user (per client IP without a known key)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        storage: Storage | None = None,
        resolver: KeyResolver | None = None,
    ) -> None:
        self.app = app
        self.item = parse_limit(settings.rate_limit)
        self.storage = storage or build_storage(settings)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.resolver = resolver or KeyResolver(settings)
        self._last_warning = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_limited_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        identity = await self._identity(scope)
        retry_after = await run_in_threadpool(self._hit, identity)
        if retry_after is None:
            await self.app(scope, receive, send)
            return
        await _too_many_requests(send, retry_after, self.item)

    async def _identity(self, scope: Scope) -> str:
        key = bearer_key(scope)
        user_id = None
        if key:
            try:
                user_id = await run_in_threadpool(self.resolver.user_id, key)
            except Exception as exc:  # noqa: BLE001 - the route reports the database error
                self._warn(exc)
        if user_id is not None:
            scope.setdefault("state", {})["user_id"] = user_id  # for the request log
            return f"user:{user_id}"
        return f"ip:{client_ip(scope)}"

    def _hit(self, identity: str) -> int | None:
        """None when the request may pass; else the seconds until it would."""
        try:
            if self.limiter.hit(self.item, identity):
                return None
            reset_at = self.limiter.get_window_stats(self.item, identity).reset_time
        except Exception as exc:  # noqa: BLE001 - a storage outage must not take the API down
            self._warn(exc)
            return None
        return max(1, math.ceil(reset_at - time.time()))

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning >= _WARN_EVERY_SECONDS:
            self._last_warning = now
            log.warning("rate limiting degraded: %s", type(exc).__name__)


async def _too_many_requests(send: Send, retry_after: int, item: RateLimitItem) -> None:
    body = json.dumps(
        {"detail": f"rate limit exceeded ({item}); retry in {retry_after} s"}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI, settings: Settings) -> None:
    """Adds the limiter; call before `api.security.install` so headers and the log wrap it."""
    parse_limit(settings.rate_limit)  # Starlette builds middleware at the first request: fail now
    app.add_middleware(RateLimitMiddleware, settings=settings)
