"""Drill cards: the due list, one card, answering (graded) and rating by hand; progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from agents.drills.progress import progress_view
from agents.evaluation import MAX_ANSWER_CHARS
from api.deps import DbDep, UserDep
from api.drill_deps import DrillServiceDep
from api.drill_views import CardView, DuePage, Progress, ReviewResult
from api.routes.sessions import _without_nul

router = APIRouter(prefix="/api/drills", tags=["drills"])

CardId = Annotated[
    str, Path(max_length=32, description="The card's id."), AfterValidator(_without_nul)
]


class DrillAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Annotated[str, AfterValidator(_without_nul)] = Field(
        min_length=1, max_length=MAX_ANSWER_CHARS, description="Your answer to the card."
    )


class DrillRating(BaseModel):
    model_config = ConfigDict(extra="forbid")

    knew: bool = Field(description="'I knew it' (true, FSRS Good) or 'I didn't' (false, Again).")


@router.get("/due", response_model=DuePage)
def due(
    db: DbDep, user: UserDep, drills: DrillServiceDep, limit: int = Query(20, ge=1, le=100)
) -> dict[str, Any]:
    """Your cards due today, soonest first, with the counts due now and today."""
    return drills.due(db, user, limit=limit)


@router.get("/{card_id}", response_model=CardView)
def card(card_id: CardId, db: DbDep, user: UserDep, drills: DrillServiceDep) -> dict[str, Any]:
    """One card with the text of the note sections that teach it."""
    return drills.get(db, user, card_id)


@router.post("/{card_id}/answer", response_model=ReviewResult)
def answer(
    card_id: CardId, body: DrillAnswer, db: DbDep, user: UserDep, drills: DrillServiceDep
) -> dict[str, Any]:
    """Grades the answer on the card's reference points and schedules the card (FSRS)."""
    return drills.answer(db, user, card_id, body.answer)


@router.post("/{card_id}/rate", response_model=ReviewResult)
def rate(
    card_id: CardId, body: DrillRating, db: DbDep, user: UserDep, drills: DrillServiceDep
) -> dict[str, Any]:
    """Schedules the card on your own verdict, without grading an answer."""
    return drills.rate(db, user, card_id, knew=body.knew)


progress_router = APIRouter(prefix="/api/progress", tags=["progress"])


@progress_router.get("", response_model=Progress)
def progress(db: DbDep, user: UserDep, drills: DrillServiceDep) -> dict[str, Any]:
    """Your dimension trends, drills and retention, weakest topics and the next question."""
    return progress_view(db, user, drills.bank, drills.clock)
