"""Progress queries at scale: a user with 500 scored interviews (sessions, evaluations and their
score points) and 5,000 drill cards (20,000 reviews), beside a second user of the same size, on
SQLite and on Postgres. Prints p50 / p95 / p99 of the whole progress view (and of the due list),
which must answer in 50 ms at p95.

    python -m bench.progress [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from agents.drills.progress import progress_view
from agents.drills.service import end_of_day
from content.loader import bundled_bank
from content.schema import DIMENSIONS
from core import drills_crud
from core.db import dispose_all, get_engine, upgrade
from core.models import (
    DrillCard,
    DrillReview,
    Evaluation,
    InterviewSession,
    ScorePoint,
    User,
    new_id,
)
from core.users import create_user

INTERVIEWS = 500
CARDS = 5_000
REVIEWS_PER_CARD = 4
ROUNDS = 200
TARGET_MS = 50.0
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
# A finished session's state is about 1.5 KB of JSON (the probes asked, the phase log).
SESSION_STATE = {"asked": [f"probe-{k:03d}" for k in range(120)], "phase": "wrap_up"}


def seed(db: Session, user_id: str, rng: random.Random) -> None:
    """500 finished, scored interviews (dimension and topic points) and 5,000 reviewed cards."""
    bank = bundled_bank()
    qids = sorted(bank.questions)
    sessions, evals, points = [], [], []
    for i in range(INTERVIEWS):
        at = NOW - timedelta(hours=6 * (INTERVIEWS - i))
        q = bank.questions[qids[i % len(qids)]]
        sid, eid = new_id(), new_id()
        overall = round(rng.uniform(1.0, 4.0), 2)
        sessions.append(
            dict(
                id=sid,
                user_id=user_id,
                question_id=q.id,
                mode="mock",
                level="senior",
                phase="wrap_up",
                status="finished",
                engine="offline",
                state=SESSION_STATE,
                started_at=at - timedelta(minutes=45),
                updated_at=at,
                finished_at=at,
            )
        )
        evals.append(
            dict(
                id=eid,
                user_id=user_id,
                session_id=sid,
                question_id=q.id,
                overall=overall,
                verdict="hire",
                engine="offline",
                result={},
                prompt_hashes={},
                created_at=at,
            )
        )
        for name in DIMENSIONS:
            points.append(
                dict(
                    id=new_id(),
                    user_id=user_id,
                    evaluation_id=eid,
                    kind="dimension",
                    name=name,
                    score=round(rng.uniform(1, 4), 2),
                    created_at=at,
                )
            )
        for t in q.topics:
            points.append(
                dict(
                    id=new_id(),
                    user_id=user_id,
                    evaluation_id=eid,
                    kind="topic",
                    name=t,
                    score=overall,
                    created_at=at,
                )
            )
    db.execute(insert(InterviewSession), sessions)
    db.execute(insert(Evaluation), evals)
    db.execute(insert(ScorePoint), points)
    cards, reviews = [], []
    for i in range(CARDS):
        cid = new_id()
        ratings = [rng.choice((1, 3, 3, 4)) for _ in range(REVIEWS_PER_CARD)]
        cards.append(
            dict(
                id=cid,
                user_id=user_id,
                key=f"item:bench#{i}",
                kind="item",
                topic="bench",
                prompt="p",
                reference="r",
                notes=[],
                sessions=[],
                created_at=NOW,
                due=NOW + timedelta(hours=rng.uniform(-48, 24 * 30)),
                fsrs_state=2,
                fsrs_step=None,
                stability=3.0,
                difficulty=5.0,
                last_review=NOW,
                reviews=REVIEWS_PER_CARD,
                lapses=sum(r == 1 for r in ratings[1:]),
            )
        )
        for r, rating in enumerate(ratings):
            reviews.append(
                dict(
                    id=new_id(),
                    card_id=cid,
                    user_id=user_id,
                    rating=rating,
                    source="graded",
                    credit=0.5,
                    answer=None,
                    result={},
                    first=r == 0,
                    reviewed_at=NOW - timedelta(days=rng.uniform(0, 60)),
                    due_after=NOW,
                )
            )
    db.execute(insert(DrillCard), cards)
    db.execute(insert(DrillReview), reviews)
    db.commit()


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 2),
    }


def measure(url: str, rounds: int = ROUNDS) -> dict[str, Any]:
    upgrade(url)
    engine = get_engine(url)
    rng = random.Random(7)
    bank = bundled_bank()
    with Session(engine, expire_on_commit=False) as db:
        users = [create_user(db, name=f"bench-{uuid.uuid4().hex[:8]}")[0] for _ in range(2)]
        seeded = time.perf_counter()
        for u in users:
            seed(db, u.id, rng)
        seed_s = time.perf_counter() - seeded
        if not url.startswith("sqlite"):
            db.execute(text("ANALYZE"))  # as autovacuum would soon after a bulk load
        user: User = users[0]
        view, due = [], []
        out = progress_view(db, user, bank, lambda: NOW)  # warm
        for _ in range(rounds):
            t0 = time.perf_counter()
            progress_view(db, user, bank, lambda: NOW)
            view.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            drills_crud.due_cards(db, user_id=user.id, before=end_of_day(NOW), limit=20)
            drills_crud.count_due(db, user_id=user.id, before=end_of_day(NOW))
            due.append((time.perf_counter() - t0) * 1000)
    assert out["drills"]["cards"] == CARDS and out["drills"]["reviews"] == CARDS * 4
    assert len(out["trends"]["deep_dive"]) > 0
    return {
        "backend": url.split(":", 1)[0].split("+", 1)[0],
        "interviews": INTERVIEWS,
        "cards": CARDS,
        "reviews": CARDS * REVIEWS_PER_CARD,
        "seed_seconds": round(seed_s, 1),
        "progress": _percentiles(view),
        "due_list": _percentiles(due),
        "rounds": rounds,
    }


@contextmanager
def throwaway_postgres(base_url: str) -> Iterator[str]:
    """A database of its own next to `base_url`'s, dropped afterwards: the bench's rows never
    land in a database someone else uses."""
    name = f"tradeoff_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="Also measure on this (throwaway) Postgres URL.")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="tradeoff-bench-progress-") as tmp,
        ExitStack() as stack,
    ):
        urls = [f"sqlite:///{Path(tmp) / 'bench.db'}"]
        if args.postgres:
            urls.append(stack.enter_context(throwaway_postgres(args.postgres)))
        for url in urls:
            r = measure(url, args.rounds)
            ok = r["progress"]["p95_ms"] <= TARGET_MS
            print(
                f"{r['backend']:10} progress p50 {r['progress']['p50_ms']:6.2f} ms  "
                f"p95 {r['progress']['p95_ms']:6.2f} ms  p99 {r['progress']['p99_ms']:6.2f} ms  "
                f"(target <= {TARGET_MS:g}: "
                f"{'met' if ok else 'NOT met'})  due list p95 {r['due_list']['p95_ms']:.2f} ms  "
                f"[{r['interviews']} interviews, {r['cards']} cards, {r['reviews']} reviews, "
                f"{r['rounds']} rounds]"
            )


if __name__ == "__main__":
    main()
