"""One candidate turn for every surface that takes one (the REST routes, the OpenAI-compatible
chat endpoint): store the message once per idempotency key, then run the reply in a database
session of its own, so a stream outlives the request's session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from agents.errors import ServiceError
from agents.interviewer.service import Event, InterviewService, TurnContext
from api import idempotency as idem
from core.db import engine_for
from core.models import User
from core.settings import Settings

OnDone = Callable[[int, Any], None]


def no_op(_status: int, _payload: Any) -> None:
    return None


@dataclass
class TurnStart:
    """Either a turn to run (`ctx`, then `on_done` with its result) or a stored `replay`."""

    ctx: TurnContext | None = None
    on_done: OnDone = no_op
    replay: tuple[int, Any] | None = None


@dataclass
class IdempotencyScope:
    """Where a turn's idempotency record lives: the caller's key, for one route and body."""

    key: str
    route: str
    digest: str


async def begin(
    db: Session,
    user: User,
    service: InterviewService,
    settings: Settings,
    session_id: str,
    content: str,
    scope: IdempotencyScope | None = None,
) -> TurnStart:
    """Stores the candidate's message, at most once per key: a retry gets the first attempt's
    reply, or the turn of the message that attempt stored but left unanswered."""
    if scope is None:
        ctx = await run_in_threadpool(service.begin_turn, db, user, session_id, content)
        return TurnStart(ctx)
    ids = {"user_id": user.id, "route": scope.route, "key": scope.key}
    try:
        rec = await run_in_threadpool(lambda: idem.reserve(db, digest=scope.digest, **ids))
        if rec is not None and rec.status_code:
            return TurnStart(replay=(rec.status_code, rec.response))
        if rec is not None:  # the first attempt stored the message, then stopped
            cid = rec.response.get("candidate_id")
            if not cid:
                raise HTTPException(409, "a request with this Idempotency-Key is in progress")
            resumed = await run_in_threadpool(service.resume, db, user, session_id, cid)
            if isinstance(resumed, dict):
                return TurnStart(replay=(200, resumed))
            ctx = resumed
        else:
            ctx = await run_in_threadpool(service.begin_turn, db, user, session_id, content)
            await run_in_threadpool(lambda: idem.annotate(db, candidate_id=ctx.candidate.id, **ids))
    except ServiceError:
        await run_in_threadpool(lambda: idem.release(db, **ids))
        raise

    def on_done(status: int, payload: Any) -> None:
        with Session(engine_for(settings)) as own:
            idem.complete(own, status=status, response=payload, **ids)

    return TurnStart(ctx, on_done)


def events(
    service: InterviewService, settings: Settings, ctx: TurnContext, on_done: OnDone
) -> Iterator[Event]:
    """The turn's events (`token`…, then `done` or `error`), in a database session of its own;
    `on_done` sees the result before `done` is passed on."""
    with Session(engine_for(settings), expire_on_commit=False) as db:
        for kind, payload in service.run_turn(db, ctx):
            if kind == "done":
                on_done(200, payload)
            yield kind, payload


def drain(
    service: InterviewService, settings: Settings, ctx: TurnContext, on_done: OnDone
) -> tuple[int, Any]:
    """The whole turn at once: (200, TurnResult) or (status, {"detail": ...})."""
    for kind, payload in events(service, settings, ctx, on_done):
        if kind == "done":
            return 200, payload
        if kind == "error":
            return payload["status"], {"detail": payload["detail"]}
    return 500, {"detail": "the turn produced no reply"}
