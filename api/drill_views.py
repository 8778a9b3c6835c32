"""What the drill and progress routes return (one model per response body)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

RatingName = Literal["again", "hard", "good", "easy"]


class NoteRef(BaseModel):
    note: str
    title: str
    section: str | None = Field(description="The section heading to read (None: the whole note).")
    text: str | None = Field(default=None, description="The section's text (in card detail).")


class CardView(BaseModel):
    id: str
    kind: Literal["item", "concept"]
    topic: str
    prompt: str = Field(description="The drill question; stands alone.")
    question_id: str | None
    dimension: str | None
    due: str = Field(description="ISO 8601, UTC.")
    is_due: bool
    state: Literal["new", "learning", "review", "relearning"]
    reviews: int
    lapses: int
    interviews: int = Field(description="How many interviews flagged it.")
    notes: list[NoteRef]


class DuePage(BaseModel):
    now: str
    due_now: int
    due_today: int = Field(description="Due before the next midnight, UTC.")
    total: int
    cards: list[CardView]


class DrillGrade(BaseModel):
    credit: float = Field(ge=0, le=1, description="Share of reference points made (partial 0.5).")
    rating: RatingName
    covered: list[str]
    partial: list[str]
    missed: list[str]
    flags: list[str]


class ReviewResult(BaseModel):
    card: CardView
    rating: RatingName
    source: Literal["graded", "manual"]
    grade: DrillGrade | None
    reference: str = Field(description="The card's reference answer.")
    next_due: str


class RecordedCards(BaseModel):
    cards: list[CardView]


class TrendPoint(BaseModel):
    at: str
    score: float


class Standing(BaseModel):
    name: str
    interviews: int
    mean: float
    recent: float = Field(description="Mean of the last 3 interviews.")
    trend: float | None = Field(description="Recent minus earlier mean (None: too few).")


class DrillStats(BaseModel):
    reviews: int
    reviews_last_7_days: int
    retention: float | None = Field(description="Share of recalls not rated Again.")
    cards: int
    due_today: int
    unseen: int


class NextQuestion(BaseModel):
    question_id: str
    title: str
    dimensions: list[str] = Field(description="The weakest dimensions it exercises.")
    topics: list[str] = Field(description="Its topics among your weak ones.")


class Progress(BaseModel):
    trends: dict[str, list[TrendPoint]] = Field(description="Per dimension, oldest first.")
    dimensions: list[Standing] = Field(description="Weakest recent first.")
    weakest_topics: list[Standing]
    drills: DrillStats
    next_question: NextQuestion | None
