"""Persistence functions for interview sessions, messages and evaluations (keyword-only args)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from core.models import Evaluation, InterviewSession, Message, utcnow


class StaleSession(RuntimeError):
    """Another request changed the session first; the caller should retry the turn."""


def create_session(
    db: Session,
    *,
    user_id: str,
    question_id: str,
    mode: str,
    level: str,
    engine: str,
    state: dict[str, Any],
) -> InterviewSession:
    s = InterviewSession(
        user_id=user_id,
        question_id=question_id,
        mode=mode,
        level=level,
        engine=engine,
        state=state,
        phase=state.get("phase", "requirements"),
    )
    db.add(s)
    db.flush()
    return s


def get_session(db: Session, *, user_id: str, session_id: str) -> InterviewSession | None:
    """The session if it belongs to `user_id`; None otherwise (callers answer 404 either way)."""
    s = db.get(InterviewSession, session_id)
    return s if s is not None and s.user_id == user_id else None


def lock_session(db: Session, *, user_id: str, session_id: str) -> InterviewSession | None:
    """Like `get_session`, holding the row until the transaction ends (Postgres: FOR UPDATE;
    SQLite serialises writers anyway), so two finishes of one session never both grade."""
    s = db.exec(
        select(InterviewSession)
        .where(col(InterviewSession.id) == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    return s if s is not None and s.user_id == user_id else None


# A user's sessions newest first (the history list, the progress view's recent questions).
_NEWEST_FIRST = (col(InterviewSession.updated_at).desc(), col(InterviewSession.id))


def list_sessions(
    db: Session, *, user_id: str, limit: int, offset: int
) -> tuple[list[InterviewSession], int]:
    base = select(InterviewSession).where(InterviewSession.user_id == user_id)
    total = db.exec(
        select(func.count())
        .select_from(InterviewSession)
        .where(InterviewSession.user_id == user_id)
    ).one()
    rows = db.exec(base.order_by(*_NEWEST_FIRST).offset(offset).limit(limit)).all()
    return list(rows), int(total)


def recent_question_ids(db: Session, *, user_id: str, limit: int) -> list[str]:
    """The questions of the user's `limit` latest sessions, in list_sessions' order, without
    loading the sessions' state or counting them all."""
    rows = db.exec(
        select(InterviewSession.question_id)
        .where(InterviewSession.user_id == user_id)
        .order_by(*_NEWEST_FIRST)
        .limit(limit)
    ).all()
    return list(rows)


def messages(db: Session, *, session_id: str) -> list[Message]:
    return list(
        db.exec(
            select(Message).where(Message.session_id == session_id).order_by(col(Message.seq))
        ).all()
    )


def add_message(
    db: Session,
    *,
    session_id: str,
    role: str,
    content: str,
    phase: str,
    complete: bool = True,
    meta: dict[str, Any] | None = None,
) -> Message:
    seq = db.exec(
        select(func.coalesce(func.max(Message.seq), -1)).where(Message.session_id == session_id)
    ).one()
    m = Message(
        session_id=session_id,
        seq=int(seq) + 1,
        role=role,
        content=content,
        phase=phase,
        complete=complete,
        meta=meta or {},
    )
    db.add(m)
    db.flush()
    return m


def save_state(
    db: Session,
    *,
    session: InterviewSession,
    state: dict[str, Any],
    phase: str,
    status: str,
    expected_updated_at: Any,
) -> None:
    """Compare-and-set on `updated_at`, so two workers never interleave one session's turns."""
    now = utcnow()
    result = db.execute(
        update(InterviewSession)
        .where(
            col(InterviewSession.id) == session.id,
            col(InterviewSession.updated_at) == expected_updated_at,
        )
        .values(state=state, phase=phase, status=status, updated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleSession(session.id)
    session.state, session.phase, session.status, session.updated_at = state, phase, status, now


def latest_evaluation(db: Session, *, session_id: str) -> Evaluation | None:
    return db.exec(
        select(Evaluation)
        .where(Evaluation.session_id == session_id)
        .order_by(col(Evaluation.created_at).desc())
    ).first()
