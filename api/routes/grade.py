"""POST /api/grade: grade one answer with the configured engine."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool

from agents.evaluation import Evaluation, GradeInput
from agents.grading import UnknownQuestion, grade_one
from api.deps import ContainerDep, UserDep

router = APIRouter(tags=["grading"])


@router.post("/api/grade", response_model=Evaluation)
async def grade(body: GradeInput, parts: ContainerDep, _user: UserDep) -> Evaluation:
    """Grades an answer against a bank question's rubric, the generic rubric, or a reference."""
    try:
        # In a worker thread: the first grade builds the evaluator (the embedder loads).
        return await run_in_threadpool(lambda: grade_one(parts.evaluator, body, parts.bank))
    except UnknownQuestion as exc:
        raise HTTPException(404, str(exc)) from exc
