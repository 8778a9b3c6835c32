"""An OpenAI-compatible endpoint: GET /v1/models and POST /v1/chat/completions (JSON, or SSE
chunks ending in `data: [DONE]` with `stream: true`), so any chat client can take an interview.
Errors come in OpenAI's shape, which its SDKs turn into typed exceptions."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from agents.errors import Invalid, ServiceError
from agents.interviewer.service import InterviewService, TurnContext
from api import turns
from api.chat_interview import Chat, ChatInterviews, Reply, parse, turn_suffix, turn_text
from api.deps import DbDep, SettingsDep, resolve_user
from api.interview_deps import ServiceDep
from api.openai_schema import (
    MODEL_PREFIX,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    Delta,
    ErrorBody,
    ModelCard,
    ModelList,
    error_body,
    usage,
)
from api.routes.sessions import status_of
from core.models import User
from core.settings import Settings

MODELS_CREATED = 1_767_225_600  # 2026-01-01: the models do not change with the bank's files
# ("token", str): streamed as it comes; ("reply", (stored text, what follows it in the chat));
# ("end", metadata); ("error", (status, message)).
Piece = tuple[str, Any]


def openai_error(status: int, message: str, **extra: Any) -> JSONResponse:
    headers = extra.pop("headers", None)
    return JSONResponse(error_body(status, message, **extra), status_code=status, headers=headers)


def _validation_error(exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())[1:])
    if first.get("type") == "extra_forbidden":
        return openai_error(400, f"Unrecognized request argument supplied: {where}", param=where)
    return openai_error(400, f"{where or 'body'}: {first.get('msg')}", param=where or None)


class OpenAIRoute(APIRoute):
    """Answers every error of these routes (validation, auth, the service's) in OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return _validation_error(exc)
            except HTTPException as exc:
                return openai_error(exc.status_code, str(exc.detail), headers=exc.headers)
            except ServiceError as exc:
                status = 400 if isinstance(exc, Invalid) else status_of(exc)
                return openai_error(status, exc.message)

        return handle


router = APIRouter(prefix="/v1", tags=["openai-compatible"], route_class=OpenAIRoute)
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "Invalid request, or a field OpenAI does not document."),
        (401, "No API key, or an unknown one."),
        (404, "No such model, session or chat."),
        (409, "The chat no longer matches its interview, or the interview is over."),
    )
}


def chat_user(request: Request, settings: SettingsDep, db: DbDep) -> User:
    """The key's user; in local mode any key stands for the local user (clients insist on one)."""
    user = resolve_user(request, settings, db, any_key_locally=True)
    request.state.user_id = user.id  # for the request log
    return user


ChatUserDep = Annotated[User, Depends(chat_user)]


def _models(service: InterviewService) -> list[ModelCard]:
    ids = [MODEL_PREFIX, *(f"{MODEL_PREFIX}/{q}" for q in sorted(service.bank.questions))]
    return [ModelCard(id=i, created=MODELS_CREATED) for i in ids]


@router.get("/models", response_model=ModelList, responses=ERRORS)
def list_models(_user: ChatUserDep, service: ServiceDep) -> ModelList:
    """`tradeoff-interviewer` asks a random question; `tradeoff-interviewer/<id>` that one."""
    return ModelList(data=_models(service))


@router.get("/models/{model:path}", response_model=ModelCard, responses=ERRORS)
def get_model(model: str, _user: ChatUserDep, service: ServiceDep) -> ModelCard:
    card = next((m for m in _models(service) if m.id == model), None)
    if card is None:
        raise HTTPException(404, f"no model {model!r}: GET /v1/models lists them")
    return card


STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A chat.completion, or with `stream: true` an SSE stream of "
        "chat.completion.chunk objects ending with `data: [DONE]`.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    **ERRORS,
}


@router.post("/chat/completions", response_model=ChatCompletion, responses=STREAM_RESPONSES)
async def chat_completions(
    body: ChatCompletionRequest,
    db: DbDep,
    user: ChatUserDep,
    service: ServiceDep,
    settings: SettingsDep,
) -> Response:
    """Takes an interview. Send the whole conversation each time: the first user message opens
    an interview, each later one answers, `/hint` asks for a hint and `/finish` ends it with the
    scorecard as Markdown. Replies carry `metadata.tradeoff_session_id`."""
    chat = parse(body, set(service.bank.questions))
    reply = await run_in_threadpool(ChatInterviews(service).reply, db, user, chat)
    if reply.text is not None:
        return await _respond(body, chat, f"chatcmpl-{uuid.uuid4().hex}", _ready(reply, reply.text))
    if reply.resume is not None:
        start = turns.TurnStart(reply.resume)
    else:
        assert reply.answer is not None
        start = await turns.begin(
            db, user, service, settings, reply.view["id"], reply.answer, _turn_scope(reply)
        )
    if start.replay is not None:
        status, payload = start.replay
        if status != 200:
            return openai_error(status, payload.get("detail", "the turn failed"))
        return await _respond(body, chat, f"chatcmpl-{uuid.uuid4().hex}", _ready(reply, payload))
    assert start.ctx is not None
    pieces = _turn(service, settings, start.ctx, start.on_done, reply.view)
    return await _respond(body, chat, f"chatcmpl-{start.ctx.candidate.id}", pieces)


def _turn_scope(reply: Reply) -> turns.IdempotencyScope:
    """Two identical requests at once store the answer once: the second finds the first's key."""
    assert reply.answer is not None
    digest = hashlib.sha256(reply.answer.encode()).hexdigest()
    route = f"POST /v1/chat/completions {reply.view['id']}"
    return turns.IdempotencyScope(f"turn-{reply.answer_index}-{digest[:16]}", route, digest)


def _metadata(view: dict[str, Any], result: dict[str, Any] | None = None) -> dict[str, str]:
    return {
        "tradeoff_session_id": view["id"],
        "tradeoff_question_id": view["question"]["id"],
        "tradeoff_phase": (result or view)["phase"],
        "tradeoff_status": (result or view)["status"],
    }


def _ready(reply: Reply, content: str | dict[str, Any]) -> list[Piece]:
    if isinstance(content, dict):  # a stored turn result
        return [("reply", (turn_text(content), "")), ("end", _metadata(reply.view, content))]
    return [("reply", (content, "")), ("end", _metadata(reply.view))]


def _turn(
    service: InterviewService,
    settings: Settings,
    ctx: TurnContext,
    on_done: turns.OnDone,
    view: dict[str, Any],
) -> Iterator[Piece]:
    try:
        for kind, payload in turns.events(service, settings, ctx, on_done):
            if kind == "token":
                yield ("token", payload)
            elif kind == "done":  # the stored text: the whole of it if no token came first
                yield ("reply", (payload["reply"]["content"], turn_suffix(payload)))
                yield ("end", _metadata(view, payload))
            else:
                yield ("error", (payload["status"], payload["detail"]))
    except Exception as exc:  # noqa: BLE001 - reported to the client, whose stream stays parseable
        yield ("error", (500, f"the turn failed: {type(exc).__name__}"))


def _prompt_text(chat: Chat) -> str:
    return chat.setup_text + "".join(chat.users)


async def _respond(
    body: ChatCompletionRequest, chat: Chat, completion_id: str, pieces: Iterable[Piece]
) -> Response:
    if body.stream:  # Starlette iterates a sync body in its thread pool
        return StreamingResponse(
            _sse(body, chat, completion_id, pieces),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    text, meta, failed = await run_in_threadpool(_collect, pieces)
    if failed is not None or meta is None:
        status, message = failed or (500, "the turn produced no reply")
        return openai_error(status, message)
    completion = ChatCompletion(
        id=completion_id,
        model=body.model,
        choices=[Choice(message=AssistantMessage(content=text))],
        usage=usage(_prompt_text(chat), text),
        metadata=meta,
    )
    return JSONResponse(completion.model_dump())


def _collect(pieces: Iterable[Piece]) -> tuple[str, dict[str, str] | None, tuple[int, str] | None]:
    """The whole reply: (text, metadata, None), or ("", None, (status, message))."""
    text, meta = "", None
    for kind, value in pieces:
        if kind == "reply":
            text = value[0] + value[1]
        elif kind == "end":
            meta = value
        elif kind == "error":
            return "", None, value
    return text, meta, None


def _data(chunk: ChatCompletionChunk) -> bytes:
    """One SSE event; absent rather than null: an unset delta field, usage and metadata."""
    doc = chunk.model_dump()
    for choice in doc["choices"]:
        choice["delta"] = {k: v for k, v in choice["delta"].items() if v is not None}
    for key in ("usage", "metadata"):
        if doc[key] is None:
            del doc[key]
    return f"data: {json.dumps(doc)}\n\n".encode()


def _sse(
    body: ChatCompletionRequest, chat: Chat, completion_id: str, pieces: Iterable[Piece]
) -> Iterator[bytes]:
    created = int(time.time())

    def chunk(choices: list[ChunkChoice], **fields: Any) -> bytes:
        return _data(
            ChatCompletionChunk(
                id=completion_id, created=created, model=body.model, choices=choices, **fields
            )
        )

    yield chunk([ChunkChoice(delta=Delta(role="assistant", content=""))])
    text = ""
    for kind, value in pieces:
        if kind in ("token", "reply"):
            if kind == "token":
                piece = value
            else:  # what the tokens did not say yet (a stored reply is all of it)
                stored, after = value
                piece = (stored[len(text) :] if stored.startswith(text) else "") + after
            if piece:
                text += piece
                yield chunk([ChunkChoice(delta=Delta(content=piece))])
        elif kind == "end":
            yield chunk([ChunkChoice(delta=Delta(), finish_reason="stop")], metadata=value)
        else:
            status, message = value
            yield f"data: {json.dumps(error_body(status, message))}\n\n".encode()
            return
    if body.stream_options and body.stream_options.include_usage:
        yield chunk([], usage=usage(_prompt_text(chat), text))
    yield b"data: [DONE]\n\n"
