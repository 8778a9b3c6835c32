"""The interview session API: create, talk (JSON or SSE), hint, finish, scorecard, list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from starlette.concurrency import run_in_threadpool

from agents.errors import Conflict, Invalid, NotFound, ServiceError
from agents.evaluation import MAX_ANSWER_CHARS, DiagramInput, Evaluation
from agents.interviewer.service import InterviewService, TurnContext
from api import idempotency as idem
from api import turns
from api.deps import DbDep, SettingsDep, UserDep
from api.drill_deps import DrillServiceDep
from api.interview_deps import ServiceDep
from api.views import (
    HintResult,
    Level,
    Mode,
    Persona,
    SessionPage,
    SessionView,
    StreamEvent,
    TurnResult,
    stream_event_schema,
)
from core.settings import Settings

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


def _without_nul(text: str) -> str:
    # Postgres text cannot hold NUL (the driver refuses it: a 500), so no backend accepts it.
    if "\x00" in text:
        raise ValueError("must not contain NUL (\\x00) characters")
    return text


# Ids are 32 hex characters (core.models.new_id). A longer one cannot exist, and on Postgres it
# would overflow the idempotency record's route column instead of answering 404.
SessionId = Annotated[
    str, Path(max_length=32, description="The session's id."), AfterValidator(_without_nul)
]


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: str | None = Field(default=None, max_length=64)
    mode: Mode = "mock"
    level: Level = "senior"
    persona: Persona = Field(
        default="neutral",
        description="How often and how hard the interviewer pushes back; scores are the same.",
    )
    seed: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Seeds the interviewer's choice of words (and of a random question): the same "
        "seed and messages give the same interview. Defaults to the session id.",
    )


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Annotated[str, AfterValidator(_without_nul)] = Field(
        default="",
        max_length=MAX_ANSWER_CHARS,
        description="The candidate's message (at most 20,000 characters; may be empty only "
        "when a diagram is sent).",
    )
    diagram: DiagramInput | None = Field(
        default=None,
        description="A diagram sent with the message: appended to it as a fenced Mermaid block.",
    )

    @model_validator(mode="after")
    def _content_or_diagram(self) -> MessageCreate:
        if self.diagram is not None:
            self.content = self.diagram.attach_to(self.content)
            self.diagram = None
        if not self.content:
            raise ValueError("send some text or a diagram")
        return self


def _raise(exc: ServiceError) -> None:
    raise HTTPException(status_of(exc), exc.message) from exc


def status_of(exc: ServiceError) -> int:
    """The one place a domain error becomes an HTTP status."""
    for kind, status in ((NotFound, 404), (Conflict, 409), (Invalid, 422)):
        if isinstance(exc, kind):
            return status
    return 400


async def service_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """Routes let the service's errors through; this answers them with their status."""
    assert isinstance(exc, ServiceError)
    return JSONResponse({"detail": exc.message}, status_code=status_of(exc))


_STREAM_EVENT: TypeAdapter[StreamEvent] = TypeAdapter(StreamEvent)


def _sse(event: str, data: Any) -> bytes:
    """One SSE event, checked against the documented union (a drift is a bug, caught here)."""
    _STREAM_EVENT.validate_python({"event": event, "data": data})
    body = data if isinstance(data, str) else json.dumps(data)
    lines = "".join(f"data: {line}\n" for line in body.split("\n"))
    return f"event: {event}\n{lines}\n".encode()


def _stream(
    service: InterviewService,
    settings: Settings,
    ctx: TurnContext,
    on_done: turns.OnDone,
) -> Iterator[bytes]:
    try:
        for kind, payload in turns.events(service, settings, ctx, on_done):
            yield _sse(kind, payload)
    except Exception as exc:  # noqa: BLE001 - the stream reports it and stays parseable
        yield _sse("error", {"status": 500, "detail": f"the turn failed: {type(exc).__name__}"})


def _wants_sse(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


def _sse_response(body: Iterator[bytes]) -> StreamingResponse:
    return StreamingResponse(
        body,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _answer(
    request: Request,
    service: InterviewService,
    settings: Settings,
    ctx: TurnContext,
    on_done: turns.OnDone,
) -> Response:
    """The turn's reply: streamed as SSE when asked for, else JSON."""
    if _wants_sse(request):
        return _sse_response(_stream(service, settings, ctx, on_done))
    status, payload = await run_in_threadpool(turns.drain, service, settings, ctx, on_done)
    return JSONResponse(payload, status_code=status)


def _replay(request: Request, status: int, payload: Any) -> Any:
    if _wants_sse(request) and status == 200:
        return _sse_response(iter([_sse("done", payload)]))
    return JSONResponse(payload, status_code=status)


# The SSE body is a sequence of events; its schema is the discriminated union of them.
TURN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON (TurnResult), or with `Accept: text/event-stream` a stream of "
        "`token` events then one `done` (TurnResult) or `error` event.",
        "content": {"text/event-stream": {"schema": stream_event_schema()[0]}},
    },
    409: {"description": "The interview is over, or the session changed meanwhile."},
}

IdempotencyKey = Header(
    default=None,
    alias="Idempotency-Key",
    max_length=idem.MAX_KEY,
    description="Retries with the same key return the first response.",
)


@router.post("", status_code=201, response_model=SessionView)
def create_session(
    body: SessionCreate,
    db: DbDep,
    user: UserDep,
    service: ServiceDep,
    idempotency_key: str | None = IdempotencyKey,
) -> Any:
    """Starts an interview (a random question when none is given) with its opening message."""
    key = idem.check_key(idempotency_key)
    route = "POST /api/sessions"
    if key:
        rec = idem.reserve(
            db, user_id=user.id, route=route, key=key, digest=idem.body_hash(body.model_dump())
        )
        if rec is not None:
            if rec.status_code == 0:
                raise HTTPException(409, "a request with this Idempotency-Key is in progress")
            return JSONResponse(rec.response, status_code=rec.status_code)
    try:
        result = service.create(
            db,
            user,
            question_id=body.question_id,
            mode=body.mode,
            level=body.level,
            seed=body.seed,
            persona=body.persona,
        )
    except ServiceError as exc:
        if key:
            idem.release(db, user_id=user.id, route=route, key=key)
        _raise(exc)
        raise
    if key:
        idem.complete(db, user_id=user.id, route=route, key=key, status=201, response=result)
    return JSONResponse(result, status_code=201)


@router.get("", response_model=SessionPage)
def list_sessions(
    db: DbDep,
    user: UserDep,
    service: ServiceDep,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    """Your sessions, newest first."""
    return service.list(db, user, limit=limit, offset=offset)


@router.get("/{session_id}", response_model=SessionView)
def get_session(
    session_id: SessionId, db: DbDep, user: UserDep, service: ServiceDep
) -> dict[str, Any]:
    return service.get(db, user, session_id)


@router.post("/{session_id}/messages", response_model=TurnResult, responses=TURN_RESPONSES)
async def post_message(
    session_id: SessionId,
    body: MessageCreate,
    request: Request,
    db: DbDep,
    user: UserDep,
    service: ServiceDep,
    settings: SettingsDep,
    idempotency_key: str | None = IdempotencyKey,
) -> Any:
    """Sends the candidate's message; the reply comes as JSON, or as SSE with
    `Accept: text/event-stream` (`token` events, then `done` with the same JSON, or `error`).
    The message is stored before any model is called."""
    key = idem.check_key(idempotency_key)
    scope = None
    if key:
        route = f"POST /api/sessions/{session_id}/messages"
        scope = turns.IdempotencyScope(key, route, idem.body_hash(body.model_dump()))
    try:
        start = await turns.begin(db, user, service, settings, session_id, body.content, scope)
    except ServiceError as exc:
        _raise(exc)
        raise
    if start.replay is not None:
        return _replay(request, *start.replay)
    assert start.ctx is not None
    return await _answer(request, service, settings, start.ctx, start.on_done)


@router.post("/{session_id}/retry", response_model=TurnResult, responses=TURN_RESPONSES)
async def retry_turn(
    session_id: SessionId,
    request: Request,
    db: DbDep,
    user: UserDep,
    service: ServiceDep,
    settings: SettingsDep,
) -> Any:
    """Answers the last candidate message again after a failed or cut turn."""
    ctx = await run_in_threadpool(service.begin_retry, db, user, session_id)
    return await _answer(request, service, settings, ctx, turns.no_op)


@router.post("/{session_id}/hint", response_model=HintResult)
def hint(session_id: SessionId, db: DbDep, user: UserDep, service: ServiceDep) -> dict[str, Any]:
    """Coach mode: the next hint (nudge, cited pointer, partial outline); 409 in mock mode."""
    return service.hint(db, user, session_id)


@router.post("/{session_id}/finish", response_model=Evaluation)
def finish(
    session_id: SessionId, db: DbDep, user: UserDep, service: ServiceDep, drills: DrillServiceDep
) -> dict[str, Any]:
    """Grades the whole transcript, stores the scorecard and makes drill cards of what it missed."""
    result = service.finish(db, user, session_id)
    drills.record_interview(db, user, session_id)
    return result


@router.get("/{session_id}/scorecard", response_model=Evaluation)
def scorecard(
    session_id: SessionId, db: DbDep, user: UserDep, service: ServiceDep
) -> dict[str, Any]:
    return service.scorecard(db, user, session_id)
