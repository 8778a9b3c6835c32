"""POST /api/grade: grade one answer with the configured engine."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool

from agents.engines import build_evaluator
from agents.evaluation import Evaluation, GradeInput
from agents.grading import UnknownQuestion, grade_one
from api.deps import SettingsDep, UserDep
from content.loader import bundled_bank

router = APIRouter(tags=["grading"])


@router.post("/api/grade", response_model=Evaluation)
async def grade(body: GradeInput, settings: SettingsDep, _user: UserDep) -> Evaluation:
    """Grades an answer against a bank question's rubric, the generic rubric, or a reference."""
    try:
        return await run_in_threadpool(grade_one, build_evaluator(settings), body, bundled_bank())
    except UnknownQuestion as exc:
        raise HTTPException(404, str(exc)) from exc
