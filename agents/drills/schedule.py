"""FSRS scheduling of drill cards (the maintained `fsrs` package) and the grade -> rating map.

Intervals are whole days from the first review: no minute-long learning steps, since a drill is
a daily habit, not a session of flashcards. No fuzzing, so a schedule can be checked exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler, State

from content.schema import Rating as RatingName
from core.models import DrillCard

RATINGS: dict[RatingName, Rating] = {
    "again": Rating.Again,
    "hard": Rating.Hard,
    "good": Rating.Good,
    "easy": Rating.Easy,
}
# "I knew it" / "I didn't": the hand rating is Good or Again (FSRS's two-button mode).
MANUAL: dict[bool, RatingName] = {True: "good", False: "again"}

_SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def aware(dt: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def credit_of(statuses: list[str]) -> float:
    """The share of reference points made: covered 1, partial 0.5, missing 0."""
    if not statuses:
        return 0.0
    return sum({"covered": 1.0, "partial": 0.5}.get(s, 0.0) for s in statuses) / len(statuses)


def _card(row: DrillCard) -> Card:
    return Card(
        state=State(row.fsrs_state),
        step=row.fsrs_step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=aware(row.due),
        last_review=aware(row.last_review) if row.last_review else None,
    )


def review(row: DrillCard, rating: RatingName, now: datetime) -> None:
    """Moves the card's memory state and due date on by one review at `now`."""
    first = row.reviews == 0
    card, _ = _SCHEDULER.review_card(_card(row), RATINGS[rating], review_datetime=now)
    row.fsrs_state, row.fsrs_step = int(card.state), card.step
    row.stability, row.difficulty = card.stability, card.difficulty
    row.due, row.last_review = card.due, card.last_review
    row.reviews += 1
    if rating == "again" and not first:
        row.lapses += 1
