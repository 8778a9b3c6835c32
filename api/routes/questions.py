"""GET /api/questions and /api/questions/{id}: the bank, without what would give answers away."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query

from api.deps import current_user
from api.views import QuestionSummary, QuestionView
from content.loader import bundled_bank
from content.schema import Question

router = APIRouter(tags=["questions"], dependencies=[Depends(current_user)])


def public_question(q: Question) -> dict[str, Any]:
    """What a candidate may see: never the reference outline, rubric, probes or pitfalls."""
    return {
        "id": q.id,
        "title": q.title,
        "prompt": q.prompt,
        "levels": q.levels,
        "topics": q.topics,
        "phases": q.phases,
        "total_minutes": q.total_minutes,
        "related_notes": q.related_notes,
    }


@router.get("/api/questions", response_model=list[QuestionSummary])
def list_questions(
    topic: str | None = Query(default=None, max_length=64),
    q: str | None = Query(default=None, max_length=200, description="Words in the title."),
) -> list[dict[str, Any]]:
    out = []
    for question in sorted(bundled_bank().questions.values(), key=lambda x: x.title):
        if topic and topic not in question.topics:
            continue
        if q and not all(w in question.title.lower() for w in q.lower().split()):
            continue
        item = public_question(question)
        del item["prompt"], item["phases"]
        out.append(item)
    return out


@router.get("/api/questions/{question_id}", response_model=QuestionView)
def get_question(question_id: str) -> dict[str, Any]:
    question = bundled_bank().questions.get(question_id)
    if question is None:
        raise HTTPException(404, f"no question {question_id!r}")
    return public_question(question)
