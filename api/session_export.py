"""A session as a portable file: JSON (transcript with phases and timestamps, diagram blocks,
scorecard, evidence, numbers check) that imports into another data dir, and Markdown to read."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session

from agents.drills.schedule import aware
from agents.errors import Invalid, NotFound
from agents.evaluation import Evaluation, NumberFinding
from agents.interviewer.service import evaluation_row, message_view
from agents.interviewer.state import InterviewState
from api import scorecard_markdown
from api.views import Level, MessageView, Mode
from content.loader import Bank
from content.schema import Phase
from core import crud
from core.models import InterviewSession, Message, User

FORMAT = "tradeoff-session/1"
_FENCE = re.compile(r"```([\w+-]*)\n(.*?)```", re.S)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExportedSession(_Strict):
    id: str = Field(max_length=32, description="The id where it was exported (not reused).")
    question_id: str = Field(max_length=64)
    title: str
    mode: Mode
    level: Level
    phase: Phase
    status: Literal["active", "completed", "finished"]
    engine: str = Field(max_length=80)
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    state: dict[str, Any] = Field(description="The interviewer's state, to resume or replay.")


class ExportedTurn(_Strict):
    seq: int
    role: Literal["candidate", "interviewer"]
    phase: Phase
    content: str = Field(max_length=200_000)
    created_at: datetime
    meta: dict[str, Any] = Field(default_factory=dict)


class DiagramBlock(_Strict):
    seq: int = Field(description="The turn it appears in.")
    language: str
    code: str


class Evidence(_Strict):
    item: str
    dimension: str
    status: str
    phase: str | None
    quotes: list[str]


class SessionExport(_Strict):
    format: Literal["tradeoff-session/1"] = "tradeoff-session/1"
    exported_at: datetime
    session: ExportedSession
    transcript: list[ExportedTurn] = Field(max_length=2000)
    diagrams: list[DiagramBlock] = Field(default_factory=list)
    scorecard: Evaluation | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    numbers: list[NumberFinding] = Field(default_factory=list)


def export_session(
    db: Session, user: User, session_id: str, bank: Bank, now: datetime
) -> SessionExport:
    s = crud.get_session(db, user_id=user.id, session_id=session_id)
    if s is None:
        raise NotFound(f"no session {session_id!r}")
    msgs = [m for m in crud.messages(db, session_id=s.id) if m.complete]
    row = crud.latest_evaluation(db, session_id=s.id)
    card = Evaluation.model_validate(row.result) if row else None
    q = bank.questions.get(s.question_id)
    return SessionExport(
        exported_at=now,
        session=ExportedSession(
            id=s.id,
            question_id=s.question_id,
            title=q.title if q else s.question_id,
            mode=s.mode,  # type: ignore[arg-type]
            level=s.level,  # type: ignore[arg-type]
            phase=s.phase,  # type: ignore[arg-type]
            status=s.status,  # type: ignore[arg-type]
            engine=s.engine,
            started_at=aware(s.started_at),
            updated_at=aware(s.updated_at),
            finished_at=aware(s.finished_at) if s.finished_at else None,
            state=s.state,
        ),
        transcript=[
            ExportedTurn(
                seq=m.seq,
                role=m.role,  # type: ignore[arg-type]
                phase=m.phase,  # type: ignore[arg-type]
                content=m.content,
                created_at=aware(m.created_at),
                meta=m.meta,
            )
            for m in msgs
        ],
        diagrams=[
            DiagramBlock(seq=m.seq, language=lang or "text", code=code)
            for m in msgs
            if m.role == "candidate"
            for lang, code in _FENCE.findall(m.content)
        ],
        scorecard=card,
        evidence=[
            Evidence(
                item=i.id, dimension=i.dimension, status=i.status, phase=i.phase, quotes=i.evidence
            )
            for i in (card.items if card else [])
        ],
        numbers=card.numbers if card else [],
    )


def to_markdown(export: SessionExport) -> str:
    s = export.session
    lines = [
        f"# {s.title}",
        "",
        f"- mode {s.mode}, level {s.level}, engine {s.engine}, status {s.status}",
        f"- started {s.started_at.isoformat()}; exported {export.exported_at.isoformat()}",
        "",
        "## Transcript",
    ]
    phase = None
    for t in export.transcript:
        if t.phase != phase:
            phase = t.phase
            lines += ["", f"### Phase: {phase.replace('_', ' ')}"]
        lines += ["", f"**{t.role}** ({t.created_at.strftime('%H:%M:%S')})", "", t.content]
    if export.scorecard is not None:
        lines += ["", scorecard_markdown.render(export.scorecard, s.title)]
    if export.numbers:
        lines += ["", "## Numbers check", ""]
        lines += [f"- {n.claim}: {n.verdict} (ours: {n.recomputed})" for n in export.numbers]
    return "\n".join(lines).rstrip() + "\n"


def _check_readable(export: SessionExport) -> None:
    """What the session pages will read back must parse: the interviewer's state and each
    message's view. Postgres text cannot hold NUL, so no backend accepts it."""
    if "\\u0000" in export.model_dump_json():
        raise Invalid("the export must not contain NUL (\\x00) characters")
    try:
        InterviewState.model_validate(export.session.state)
        for t in export.transcript:
            m = Message(session_id="x", role=t.role, content=t.content, phase=t.phase, meta=t.meta)
            MessageView.model_validate(message_view(m))
    except (ValidationError, AttributeError, TypeError) as exc:
        raise Invalid(f"the export's session state or a message does not parse: {exc}") from exc


def import_session(db: Session, user: User, export: SessionExport, bank: Bank) -> str:
    """Stores the exported session (a new id) with its transcript and scorecard; returns the id."""
    src = export.session
    if src.question_id not in bank.questions:
        raise Invalid(f"no question {src.question_id!r} in this bank")
    _check_readable(export)
    s = InterviewSession(
        user_id=user.id,
        question_id=src.question_id,
        mode=src.mode,
        level=src.level,
        phase=src.phase,
        status=src.status,
        engine=src.engine,
        state=src.state,
        started_at=src.started_at,
        updated_at=src.updated_at,
        finished_at=src.finished_at,
    )
    db.add(s)
    db.flush()
    for t in export.transcript:
        crud.add_message(
            db, session_id=s.id, role=t.role, content=t.content, phase=t.phase, meta=t.meta
        )
    db.flush()
    for m, t in zip(crud.messages(db, session_id=s.id), export.transcript, strict=True):
        m.created_at = t.created_at
    if export.scorecard is not None:
        card = export.scorecard
        db.add(
            evaluation_row(
                card,
                user_id=user.id,
                session_id=s.id,
                question_id=src.question_id,
                created_at=src.finished_at or src.updated_at,
            )
        )
    db.commit()
    return s.id
