"""Persistence entities (SQLModel): users, API keys, interview sessions, messages, evaluations,
ingested documents and idempotency records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class UserBase(SQLModel):
    name: str = Field(index=True, unique=True, max_length=80)


class User(UserBase, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)


class UserPublic(UserBase):
    id: str
    created_at: datetime


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=32)
    prefix: str = Field(max_length=16, description="First characters, shown in listings.")
    key_hash: str = Field(index=True, unique=True, max_length=128)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class InterviewSessionBase(SQLModel):
    question_id: str = Field(max_length=64)
    mode: str = Field(default="mock", max_length=8)
    level: str = Field(default="senior", max_length=8)


class InterviewSession(InterviewSessionBase, table=True):
    __tablename__ = "interview_session"
    # A user's sessions newest first (the history list, the progress view's recent questions)
    # without a sort of all their sessions or a walk through everyone's by time.
    __table_args__ = (Index("ix_interview_session_user_updated", "user_id", "updated_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=32)
    phase: str = Field(default="requirements", max_length=32)
    status: str = Field(default="active", max_length=16)
    engine: str = Field(default="offline", max_length=80)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None


class MessageBase(SQLModel):
    role: str = Field(max_length=16)
    content: str = Field(sa_column=Column(Text, nullable=False))
    phase: str = Field(max_length=32)


class Message(MessageBase, table=True):
    __table_args__ = (Index("ix_message_session_created", "session_id", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    session_id: str = Field(foreign_key="interview_session.id", max_length=32)
    seq: int = Field(default=0, description="Order within the session.")
    created_at: datetime = Field(default_factory=utcnow)
    complete: bool = Field(default=True, description="False while a reply is still streaming.")
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Evaluation(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=32)
    session_id: str | None = Field(
        default=None, foreign_key="interview_session.id", index=True, max_length=32
    )
    question_id: str | None = Field(default=None, max_length=64)
    overall: float
    verdict: str = Field(max_length=16)
    engine: str = Field(max_length=80)
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prompt_hashes: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Document(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "corpus", "source"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=32)
    corpus: str = Field(max_length=64)
    source: str = Field(max_length=512)
    content_hash: str = Field(max_length=64)
    chunks: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("user_id", "route", "key"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(max_length=32)
    route: str = Field(max_length=200)
    key: str = Field(max_length=200)
    body_hash: str = Field(max_length=64)
    status_code: int = 200
    response: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class DrillCard(SQLModel, table=True):
    """One thing a user should practise, made from a scored interview; scheduled by FSRS.

    `key` names what the card is about ('item:<question>#<item>' or 'concept:<id>'), so a thing
    missed in several interviews stays one card."""

    __tablename__ = "drill_card"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        # Covering for the due counts and the progress view's card figures.
        Index("ix_drill_card_user_due", "user_id", "due", "reviews", "lapses"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", max_length=32)
    key: str = Field(max_length=160)
    kind: str = Field(max_length=8, description="'item' or 'concept'.")
    question_id: str | None = Field(default=None, max_length=64)
    dimension: str | None = Field(default=None, max_length=32)
    topic: str = Field(max_length=120)
    prompt: str = Field(sa_column=Column(Text, nullable=False))
    reference: str = Field(sa_column=Column(Text, nullable=False))
    notes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    sessions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    # FSRS memory state (fsrs.Card), kept in columns so due counts are one indexed query.
    due: datetime = Field(default_factory=utcnow)
    fsrs_state: int = 1
    fsrs_step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None
    reviews: int = 0
    lapses: int = 0


class DrillReview(SQLModel, table=True):
    __tablename__ = "drill_review"
    # The progress view counts the last week's reviews.
    __table_args__ = (Index("ix_drill_review_user_reviewed", "user_id", "reviewed_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    card_id: str = Field(foreign_key="drill_card.id", index=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", max_length=32)
    rating: int = Field(description="FSRS rating: 1 again, 2 hard, 3 good, 4 easy.")
    source: str = Field(max_length=8, description="'graded' or 'manual'.")
    credit: float | None = None
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    first: bool = Field(default=False, description="The card's first review (not a recall).")
    reviewed_at: datetime = Field(default_factory=utcnow)
    due_after: datetime


class ScorePoint(SQLModel, table=True):
    """One dimension or topic score of one scored interview, for the progress queries (the
    scorecard JSON stays the record; these rows are its queryable copy)."""

    __tablename__ = "score_point"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "kind", "name"),
        # Covering for the progress queries: totals and newest scores per name, and (by time)
        # the trend's newest points; each read is one short index range per user and kind.
        Index("ix_score_point_user_kind_name", "user_id", "kind", "name", "created_at", "score"),
        Index("ix_score_point_user_kind_time", "user_id", "kind", "created_at", "name", "score"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", max_length=32)
    evaluation_id: str = Field(foreign_key="evaluation.id", max_length=32)
    kind: str = Field(max_length=12, description="'dimension' or 'topic'.")
    name: str = Field(max_length=64)
    score: float
    created_at: datetime
