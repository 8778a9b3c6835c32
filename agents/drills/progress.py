"""A user's progress (dimension trends, drills and retention, weakest topics) and the next mock
question it recommends: the one whose topics and rubric weigh most on the weakest areas."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from agents.drills.service import end_of_day
from content.loader import Bank
from content.schema import Question
from core import crud, progress
from core.models import User

AVOID_RECENT = 3  # questions of the last few interviews are not recommended again yet
TOP = 5


def _weakness(rows: list[dict[str, Any]]) -> dict[str, float]:
    """4 (top score) minus the recent score: how much room each dimension or topic has."""
    return {r["name"]: max(0.0, 4.0 - r["recent"]) for r in rows}


def _fit(q: Question, dims: dict[str, float], topics: dict[str, float]) -> float:
    total = sum(i.weight for i in q.rubric)
    by_dim = sum(i.weight * dims.get(i.dimension, 0.0) for i in q.rubric) / total
    return by_dim + sum(topics.get(t, 0.0) for t in q.topics)


def recommend(
    bank: Bank, dims: list[dict[str, Any]], topics: list[dict[str, Any]], recent: list[str]
) -> dict[str, Any] | None:
    """The question that best exercises the weakest dimensions and topics (ties: by id)."""
    if not dims:
        return None
    weak_dims, weak_topics = _weakness(dims), _weakness(topics)
    pool = [q for qid, q in sorted(bank.questions.items()) if qid not in recent[:AVOID_RECENT]]
    best = max(pool, key=lambda q: _fit(q, weak_dims, weak_topics))
    why_dims = sorted(weak_dims, key=lambda d: -weak_dims[d])[:2]
    why_topics = [t for t in best.topics if weak_topics.get(t, 0.0) > 0]
    return {
        "question_id": best.id,
        "title": best.title,
        "dimensions": why_dims,
        "topics": why_topics,
    }


def progress_view(
    db: Session, user: User, bank: Bank, clock: Callable[[], datetime]
) -> dict[str, Any]:
    now = clock()
    dims = progress.standing(db, user_id=user.id, kind="dimension")
    topics = progress.standing(db, user_id=user.id, kind="topic")
    recent = crud.recent_question_ids(db, user_id=user.id, limit=AVOID_RECENT)
    return {
        "trends": progress.dimension_trends(db, user_id=user.id),
        "dimensions": dims,
        "weakest_topics": topics[:TOP],
        "drills": progress.drill_stats(db, user_id=user.id, now=now, today_end=end_of_day(now)),
        "next_question": recommend(bank, dims, topics, recent),
    }
