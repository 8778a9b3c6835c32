"""Progress queries for one user: dimension trends, drill activity and retention, the weakest
topics and dimensions with their trend. Each reads short ranges of covering indexes (SQLite and
Postgres) and returns few rows; none sorts or numbers a user's whole history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from content.schema import DIMENSIONS
from core.models import DrillCard

RECENT = 3  # interviews that make a topic's or dimension's recent score
TREND_POINTS = 60  # the most recent points per dimension that the plot shows


def _nth_latest(k: int) -> str:
    """The name's k-th newest score (0 = newest): one short read of ix_score_point_user_kind_name,
    backwards from the name's end."""
    return f"""(SELECT p.score FROM score_point p
       WHERE p.user_id = :user AND p.kind = :kind AND p.name = g.name
       ORDER BY p.created_at DESC LIMIT 1 OFFSET {k})"""


# Totals per name stream through ix_score_point_user_kind_name in order (no sort); each name's
# RECENT newest scores are RECENT index probes. A window numbering every point per name sorted
# all of a user's points (thousands) to keep a few per name, and was most of the view's time.
_STANDING = text(
    f"""
    SELECT g.name, count(*) AS n, sum(g.score) AS total,
           {", ".join(_nth_latest(k) for k in range(RECENT))}
    FROM score_point g WHERE g.user_id = :user AND g.kind = :kind
    GROUP BY g.name
    """
)
# The newest rows by time: a backward read of ix_score_point_user_kind_time that stops at :rows.
_LATEST = text(
    """
    SELECT name, created_at, score FROM score_point
    WHERE user_id = :user AND kind = 'dimension' ORDER BY created_at DESC LIMIT :rows
    """
)

# Retention comes from the cards' own counters (reviews, lapses), so no query reads the whole
# review history; only the last week's reviews are counted from the review log.
_WEEK = text(
    """
    SELECT count(*) FROM drill_review WHERE user_id = :user AND reviewed_at >= :week
    """
).bindparams(bindparam("week", type_=DrillCard.__table__.c.due.type))  # type: ignore[attr-defined]

_CARDS = text(
    """
    SELECT count(*) AS cards,
           sum(CASE WHEN due <= :today THEN 1 ELSE 0 END) AS due_today,
           sum(CASE WHEN reviews = 0 THEN 1 ELSE 0 END) AS unseen,
           sum(reviews) AS reviews,
           sum(lapses) AS lapses
    FROM drill_card WHERE user_id = :user
    """
).bindparams(bindparam("today", type_=DrillCard.__table__.c.due.type))  # type: ignore[attr-defined]


def _iso(at: Any) -> str:
    return at if isinstance(at, str) else at.isoformat()


def dimension_trends(db: Session, *, user_id: str) -> dict[str, list[dict[str, Any]]]:
    """Per dimension, its scores in the last TREND_POINTS interviews, oldest first."""
    out: dict[str, list[dict[str, Any]]] = {}
    rows = db.execute(_LATEST, {"user": user_id, "rows": TREND_POINTS * len(DIMENSIONS)})
    for name, at, score in reversed(list(rows)):
        out.setdefault(name, []).append({"at": _iso(at), "score": round(float(score), 2)})
    return out


def standing(db: Session, *, user_id: str, kind: str) -> list[dict[str, Any]]:
    """Each dimension or topic: how often scored, its mean, the mean of its last RECENT scores
    and their change from the earlier mean (None with too few interviews); weakest first."""
    rows = []
    for name, count, score_sum, *newest in db.execute(_STANDING, {"user": user_id, "kind": kind}):
        n, total = int(count), float(score_sum)
        last = [float(score) for score in newest if score is not None]  # newest first
        recent_mean = sum(last) / len(last)
        earlier = (total - sum(last)) / (n - len(last)) if n > len(last) else None
        rows.append(
            {
                "name": name,
                "interviews": n,
                "mean": round(total / n, 2),
                "recent": round(recent_mean, 2),
                "trend": None if earlier is None else round(recent_mean - earlier, 2),
            }
        )
    return sorted(rows, key=lambda r: (r["recent"], r["name"]))


def drill_stats(db: Session, *, user_id: str, now: datetime, today_end: datetime) -> dict[str, Any]:
    """Drills done (all time, last 7 days), retention (the share of recalls, reviews after a
    card's first, not rated Again), and the cards: how many, due today, never reviewed."""
    week = db.execute(_WEEK, {"user": user_id, "week": now - timedelta(days=7)}).scalar_one()
    cards, due_today, unseen, reviews, lapses = db.execute(
        _CARDS, {"user": user_id, "today": today_end}
    ).one()
    recalls = int(reviews or 0) - (int(cards or 0) - int(unseen or 0))
    return {
        "reviews": int(reviews or 0),
        "reviews_last_7_days": int(week or 0),
        "retention": round(1 - int(lapses or 0) / recalls, 3) if recalls > 0 else None,
        "cards": int(cards or 0),
        "due_today": int(due_today or 0),
        "unseen": int(unseen or 0),
    }
