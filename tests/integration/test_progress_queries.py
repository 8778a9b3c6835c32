"""The progress queries against a plain reading of every row, on both real backends: a small
seeded history (names scored once, twice, many times; a second user's rows in between) must give
the same standings, trend points and recent questions as sorting all the rows in Python."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from content.schema import DIMENSIONS
from core import crud, progress
from core.db import get_engine
from core.models import Evaluation, InterviewSession, ScorePoint
from core.users import create_user

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
TOPICS = ("caching", "sharding", "queues", "consistency", "rate limiting")
Point = tuple[str, str, datetime, float]  # kind, name, created_at, score


def _interview(rng: random.Random, i: int) -> list[tuple[str, str]]:
    """The (kind, name) pairs interview `i` scores: the newest two score every dimension (the
    trend's two points), the first dimension is scored only there and one topic only once, so
    the standings hold names seen once, twice and many times."""
    dims = [d for k, d in enumerate(DIMENSIONS) if i >= 12 or rng.random() < k / 7]
    topics = rng.sample(TOPICS[:-1], rng.randint(1, 3)) + ([TOPICS[-1]] if i == 7 else [])
    return [("dimension", d) for d in dims] + [("topic", t) for t in topics]


def _seed(db: Session, user_id: str, rng: random.Random, offset: timedelta) -> list[Point]:
    """14 scored interviews, an hour apart, and their sessions. Scores are quarters, so every
    sum is exact and any summing order gives the same means."""
    points: list[Point] = []
    for i in range(14):
        at = T0 + offset + timedelta(hours=i)
        s = InterviewSession(user_id=user_id, question_id=f"q{i % 5}", updated_at=at)
        db.add(s)
        db.flush()
        e = Evaluation(
            user_id=user_id, session_id=s.id, overall=2.0, verdict="hire", engine="t", created_at=at
        )
        db.add(e)
        db.flush()
        for kind, name in _interview(rng, i):
            score = rng.randint(4, 16) / 4
            db.add(
                ScorePoint(
                    user_id=user_id,
                    evaluation_id=e.id,
                    kind=kind,
                    name=name,
                    score=score,
                    created_at=at,
                )
            )
            points.append((kind, name, at, score))
    db.commit()
    return points


def _utc(iso: str) -> datetime:
    at = datetime.fromisoformat(iso)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _expected_standing(points: list[Point], kind: str) -> list[dict[str, Any]]:
    scores: dict[str, list[float]] = defaultdict(list)  # newest first
    for k, name, _, score in sorted(points, key=lambda p: p[2], reverse=True):
        if k == kind:
            scores[name].append(score)
    rows = []
    for name, s in scores.items():
        last, earlier = s[: progress.RECENT], s[progress.RECENT :]
        recent = sum(last) / len(last)
        rows.append(
            {
                "name": name,
                "interviews": len(s),
                "mean": round(sum(s) / len(s), 2),
                "recent": round(recent, 2),
                "trend": round(recent - sum(earlier) / len(earlier), 2) if earlier else None,
            }
        )
    return sorted(rows, key=lambda r: (r["recent"], r["name"]))


@pytest.mark.parametrize("seed", [3, 11])
def test_progress_queries_match_a_plain_reading_of_the_rows(
    database_url: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    with Session(get_engine(database_url), expire_on_commit=False) as db:
        ada = create_user(db, name=f"ada-{uuid.uuid4().hex[:8]}")[0]
        bob = create_user(db, name=f"bob-{uuid.uuid4().hex[:8]}")[0]
        points = _seed(db, ada.id, rng, timedelta(0))
        _seed(db, bob.id, rng, timedelta(minutes=30))  # between ada's, never in her figures

        counts = set()
        for kind in ("dimension", "topic"):
            got = progress.standing(db, user_id=ada.id, kind=kind)
            assert got == _expected_standing(points, kind), kind
            counts |= {r["interviews"] for r in got}
        assert {1, 2} <= counts and max(counts) > progress.RECENT  # fewer and more than RECENT

        # Two points per dimension: exactly the newest two interviews (they score all of them).
        monkeypatch.setattr(progress, "TREND_POINTS", 2)
        newest = sorted((p for p in points if p[0] == "dimension"), key=lambda p: p[2])[-14:]
        expected: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for _, name, at, score in newest:
            expected[name].append({"at": at, "score": score})
        trends = progress.dimension_trends(db, user_id=ada.id)
        parsed = {  # SQLite's text() rows carry the stored UTC time without its zone
            name: [{"at": _utc(p["at"]), "score": p["score"]} for p in pts]
            for name, pts in trends.items()
        }
        assert parsed == expected

        recent = crud.recent_question_ids(db, user_id=ada.id, limit=3)
        sessions, total = crud.list_sessions(db, user_id=ada.id, limit=3, offset=0)
        assert recent == [s.question_id for s in sessions] == ["q3", "q2", "q1"]
        assert total == 14
