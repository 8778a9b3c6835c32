"""Tradeoff as an MCP server (the official `mcp` SDK): interview tools, grading, note search,
and the study notes as resources. The same service as the REST API takes every call; who the
caller is comes from the transport (the local user on stdio, the API key over HTTP)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import HTTPException
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session

from agents.errors import ServiceError
from agents.evaluation import MAX_ANSWER_CHARS, Evaluation, GradeInput
from agents.grading import UnknownQuestion, grade_one
from api import scorecard_markdown, turns
from api.drill_views import DuePage
from api.routes import questions
from api.routes import search as search_routes
from api.views import HintResult, Level, Mode, Persona, QuestionSummary, SessionView, TurnResult
from core import __version__
from core.db import engine_for
from core.models import User
from core.settings import Settings
from retrieval.store import NOTES_CORPUS
from wiring import Container

NOTE_URI = "tradeoff://notes/{note_id}"
Identify = Callable[[Context, Session], User]
INSTRUCTIONS = (
    "Tradeoff is a coach for system-design interviews. list_questions shows the bank; "
    "start_interview opens a session and returns the interviewer's first message; pass the "
    "candidate's words to answer, one turn at a time, and show the interviewer's reply; hint "
    "helps in coach mode; finish grades the interview and returns the scorecard. grade_answer "
    "grades one written answer; search_notes and the tradeoff://notes resources are the study "
    "notes; due_drills lists the drill cards (what finished interviews missed) due today."
)

SessionId = Annotated[str, Field(max_length=32, description="The id start_interview returned.")]


class FinishResult(BaseModel):
    markdown: str = Field(description="The scorecard, readable as it is.")
    scorecard: Evaluation


class NoteHit(BaseModel):
    note_id: str
    uri: str = Field(description="The note as a resource (tradeoff://notes/<id>).")
    heading: str = Field(description="The section, e.g. 'Cache > When to update the cache'.")
    text: str
    score: float


def _note_id(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".md")


def _quietly_built() -> MCPServer:
    """The SDK's server, without the root log handler its constructor adds (`basicConfig`) to
    a process that has none yet: logging stays the app's to configure (core/logging.py)."""
    root = logging.getLogger()
    placeholder = logging.NullHandler()
    root.addHandler(placeholder)
    try:
        return MCPServer(
            "tradeoff", title="Tradeoff", version=__version__, instructions=INSTRUCTIONS
        )
    finally:
        root.removeHandler(placeholder)


def build_server(
    settings: Settings, parts: Callable[[], Container], identify: Identify
) -> MCPServer:
    """The MCP server; `parts` gives the container (the app's, once it has started), `identify`
    the caller."""
    server = _quietly_built()

    @contextmanager
    def caller(ctx: Context) -> Iterator[tuple[Session, User]]:
        """A database session and the caller; domain errors become tool errors."""
        with Session(engine_for(settings), expire_on_commit=False) as db:
            try:
                yield db, identify(ctx, db)
            except ServiceError as exc:
                raise ToolError(exc.message) from exc
            except HTTPException as exc:
                raise ToolError(str(exc.detail)) from exc

    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(title="List interview questions", annotations=read_only)
    def list_questions(
        topic: Annotated[str | None, Field(max_length=64, description="Only this topic.")] = None,
        query: Annotated[
            str | None, Field(max_length=200, description="Words in the title.")
        ] = None,
    ) -> list[QuestionSummary]:
        """The question bank: id, title, levels, topics, minutes and related notes."""
        found = questions.list_questions(topic=topic, q=query)
        return [QuestionSummary.model_validate(q) for q in found]

    @server.tool(title="Start an interview")
    def start_interview(
        ctx: Context,
        question_id: Annotated[
            str | None, Field(max_length=64, description="A bank id; none: a random question.")
        ] = None,
        mode: Annotated[Mode, Field(description="coach gives hints and coaching.")] = "mock",
        level: Level = "senior",
        persona: Annotated[Persona, Field(description="How hard it pushes back.")] = "neutral",
    ) -> SessionView:
        """Opens an interview session; its messages hold the interviewer's opening question."""
        with caller(ctx) as (db, user):
            view = parts().interview_service.create(
                db, user, question_id=question_id, mode=mode, level=level, persona=persona
            )
        return SessionView.model_validate(view)

    @server.tool(title="Answer the interviewer")
    def answer(
        ctx: Context,
        session_id: SessionId,
        content: Annotated[
            str, Field(min_length=1, max_length=MAX_ANSWER_CHARS, description="What you say.")
        ],
    ) -> TurnResult:
        """Sends the candidate's message; returns the interviewer's reply (reply.content)."""
        service = parts().interview_service
        with caller(ctx) as (db, user):
            if "\x00" in content:
                raise ToolError("content must not contain NUL (\\x00) characters")
            turn = service.begin_turn(db, user, session_id, content)
        status, payload = turns.drain(service, settings, turn, turns.no_op)
        if status != 200:
            raise ToolError(payload["detail"])
        return TurnResult.model_validate(payload)

    @server.tool(title="Ask for a hint")
    def hint(ctx: Context, session_id: SessionId) -> HintResult:
        """Coach mode: the next hint of this phase (a nudge, a cited pointer, an outline point)."""
        with caller(ctx) as (db, user):
            return HintResult.model_validate(parts().interview_service.hint(db, user, session_id))

    @server.tool(title="Finish and grade the interview")
    def finish(ctx: Context, session_id: SessionId) -> FinishResult:
        """Grades the whole transcript; the scorecard as Markdown and as data. Finishing again
        returns the same scorecard."""
        service = parts().interview_service
        with caller(ctx) as (db, user):
            card = Evaluation.model_validate(service.finish(db, user, session_id))
            parts().drill_service.record_interview(db, user, session_id)
            title = service.get(db, user, session_id)["question"]["title"]
        return FinishResult(markdown=scorecard_markdown.render(card, title), scorecard=card)

    @server.tool(title="Grade one answer", annotations=read_only)
    def grade_answer(
        answer: Annotated[str, Field(max_length=MAX_ANSWER_CHARS, description="The answer.")],
        question_id: Annotated[str | None, Field(description="A bank question id.")] = None,
        question_text: Annotated[
            str | None, Field(description="A question in your words, instead of an id.")
        ] = None,
        reference: Annotated[
            str | None, Field(description="A model answer to grade against.")
        ] = None,
        level: Level = "senior",
    ) -> Evaluation:
        """Grades a written answer against the bank question's rubric, a rubric built for a
        free-text question, or a reference answer."""
        try:
            body = GradeInput(
                question=question_id,
                question_text=question_text,
                answer=answer,
                reference=reference,
                level=level,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ToolError(f"{where}: {first['msg']}" if where else first["msg"]) from exc
        try:
            return grade_one(parts().evaluator, body, parts().bank)
        except UnknownQuestion as exc:
            raise ToolError(str(exc)) from exc

    @server.tool(title="Search the study notes", annotations=read_only)
    def search_notes(
        ctx: Context,
        query: Annotated[str, Field(min_length=1, max_length=1000)],
        k: Annotated[int, Field(ge=1, le=20)] = 5,
    ) -> list[NoteHit]:
        """The note sections that best match the query (hybrid search), best first."""
        with caller(ctx) as (db, user):
            found = search_routes.search(
                parts=parts(), user=user, db=db, q=query, k=k, corpus=NOTES_CORPUS
            )
        return [
            NoteHit(
                note_id=_note_id(c.source),
                uri=NOTE_URI.format(note_id=_note_id(c.source)),
                heading=c.heading,
                text=c.text,
                score=c.score,
            )
            for c in found.results
        ]

    @server.tool(title="Drill cards due today", annotations=read_only)
    def due_drills(ctx: Context, limit: Annotated[int, Field(ge=1, le=50)] = 10) -> DuePage:
        """Your drill cards due today, soonest first: each a short question about something a
        finished interview missed, with the study-note sections that teach it. Answer them in
        the web UI's Drills page or with `tradeoff drill`."""
        with caller(ctx) as (db, user):
            return DuePage.model_validate(parts().drill_service.due(db, user, limit=limit))

    for note in search_routes.list_notes():
        _add_note(server, note.id, note.title)
    return server


def _add_note(server: MCPServer, note_id: str, title: str) -> None:
    def read() -> str:
        return search_routes.get_note(note_id).body

    server.resource(
        NOTE_URI.format(note_id=note_id),
        name=note_id,
        title=title,
        description=f"Study note: {title}",
        mime_type="text/markdown",
    )(read)


def local_identity(_ctx: Context, db: Session) -> User:
    """stdio: the process runs on the operator's machine, as the CLI does: the local user."""
    from core.users import local_user

    return local_user(db)
