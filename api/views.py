"""What the HTTP API returns: one Pydantic model per response body, so the OpenAPI document
describes every body integrators depend on, and a discriminated union for stream events."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field, TypeAdapter

from retrieval.search import Citation

# An interview's settings, as every surface (REST, chat, MCP) takes them.
Mode = Literal["mock", "coach"]
Level = Literal["mid", "senior", "staff"]
Persona = Literal["supportive", "neutral", "adversarial"]


class MessageView(BaseModel):
    id: str
    role: Literal["candidate", "interviewer"]
    content: str
    phase: str | None
    created_at: str = Field(description="ISO 8601, UTC.")
    citations: list[Citation] = Field(description="Note sections a hint or reply cites.")
    kind: str | None = Field(description="What the reply does: probe, numbers, hint, twist...")
    notice: str | None = Field(description="Set when the offline interviewer stood in.")


class QuestionRef(BaseModel):
    id: str
    title: str
    prompt: str


class SessionClock(BaseModel):
    started: float = Field(description="Seconds on the server clock when the interview began.")
    phase_started: float
    phase_minutes: int
    total_minutes: int


class SessionView(BaseModel):
    id: str
    question: QuestionRef
    mode: Mode
    level: str
    phase: str
    status: Literal["active", "completed", "finished"]
    engine: str
    started_at: str
    updated_at: str
    clock: SessionClock
    phases: dict[str, int] = Field(description="Minutes per phase, in order.")
    hints_used: int
    persona: str
    messages: list[MessageView] | None = Field(
        default=None, description="The transcript (absent in lists)."
    )


class SessionSummary(SessionView):
    overall: float | None = Field(description="The scorecard's overall, once finished.")
    verdict: str | None
    dimensions: dict[str, float] | None


class SessionPage(BaseModel):
    items: list[SessionSummary]
    total: int
    limit: int
    offset: int


class TurnResult(BaseModel):
    """A turn: the candidate's stored message and the interviewer's reply."""

    message: MessageView
    reply: MessageView
    phase: str
    status: Literal["active", "completed", "finished"]


class HintResult(BaseModel):
    level: int = Field(ge=1, le=3, description="1 nudge, 2 cited pointer, 3 outline point.")
    message: MessageView


class QuestionSummary(BaseModel):
    id: str
    title: str
    levels: list[str]
    topics: list[str]
    total_minutes: int
    related_notes: list[str]


class QuestionView(QuestionSummary):
    prompt: str
    phases: dict[str, int]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    engine: str
    database: str
    chroma: str


# -- stream events (SSE on /messages and /retry with Accept: text/event-stream) -------------
class TokenEvent(BaseModel):
    event: Literal["token"] = "token"
    data: str = Field(description="The next piece of the reply's text.")


class DoneEvent(BaseModel):
    event: Literal["done"] = "done"
    data: TurnResult


class ErrorDetail(BaseModel):
    status: int
    detail: str


class ErrorEvent(BaseModel):
    event: Literal["error"] = "error"
    data: ErrorDetail


StreamEvent = Annotated[TokenEvent | DoneEvent | ErrorEvent, Field(discriminator="event")]


_COMPONENTS = "#/components/schemas/{model}"


def stream_event_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """The stream events' JSON schema, referring to OpenAPI components, and the components it
    needs (merged into the document by `complete_openapi`)."""
    schema = TypeAdapter(StreamEvent).json_schema(ref_template=_COMPONENTS)
    defs = schema.pop("$defs", {})
    return schema, defs


def complete_openapi(app: FastAPI) -> None:
    """Adds the stream event models to the app's OpenAPI components, and documents 422 bodies
    as they are: FastAPI's list of field errors, or our one-line message ("empty query")."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = build()
            components = doc.setdefault("components", {}).setdefault("schemas", {})
            for name, spec in stream_event_schema()[1].items():
                components.setdefault(name, spec)
            invalid = components.get("HTTPValidationError", {}).get("properties", {})
            if "detail" in invalid:
                invalid["detail"] = {
                    "anyOf": [{"type": "string"}, invalid["detail"]],
                    "title": "Detail",
                }
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
