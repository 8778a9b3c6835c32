"""Persistence of drill cards, their reviews and the score points of scored interviews
(keyword-only args; every read is scoped to one user)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.models import DrillCard, DrillReview, ScorePoint


def card_by_key(db: Session, *, user_id: str, key: str) -> DrillCard | None:
    return db.exec(
        select(DrillCard).where(DrillCard.user_id == user_id, DrillCard.key == key)
    ).first()


def get_card(db: Session, *, user_id: str, card_id: str) -> DrillCard | None:
    """The card if it belongs to `user_id`; None otherwise (callers answer 404 either way)."""
    card = db.get(DrillCard, card_id)
    return card if card is not None and card.user_id == user_id else None


def due_cards(db: Session, *, user_id: str, before: datetime, limit: int) -> list[DrillCard]:
    return list(
        db.exec(
            select(DrillCard)
            .where(DrillCard.user_id == user_id, col(DrillCard.due) <= before)
            .order_by(col(DrillCard.due), col(DrillCard.id))
            .limit(limit)
        ).all()
    )


def count_due(db: Session, *, user_id: str, before: datetime) -> int:
    return int(
        db.exec(
            select(func.count())
            .select_from(DrillCard)
            .where(DrillCard.user_id == user_id, col(DrillCard.due) <= before)
        ).one()
    )


def count_cards(db: Session, *, user_id: str) -> int:
    return int(
        db.exec(
            select(func.count()).select_from(DrillCard).where(DrillCard.user_id == user_id)
        ).one()
    )


def add_review(db: Session, **fields: Any) -> DrillReview:
    review = DrillReview(**fields)
    db.add(review)
    db.flush()
    return review


def has_score_points(db: Session, *, evaluation_id: str) -> bool:
    return (
        db.exec(select(ScorePoint.id).where(ScorePoint.evaluation_id == evaluation_id)).first()
        is not None
    )


def add_score_points(
    db: Session,
    *,
    user_id: str,
    evaluation_id: str,
    created_at: datetime,
    points: list[tuple[str, str, float]],
) -> None:
    """`points`: (kind, name, score) rows of one evaluation."""
    for kind, name, score in points:
        db.add(
            ScorePoint(
                user_id=user_id,
                evaluation_id=evaluation_id,
                kind=kind,
                name=name,
                score=score,
                created_at=created_at,
            )
        )
    db.flush()
