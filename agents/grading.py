"""Grading requests end to end: resolve the question, grade one or many, echo the caller's id."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from agents.engines import Evaluator
from agents.evaluation import Evaluation, GradeInput
from agents.evaluator import OfflineEvaluator
from content.loader import Bank
from content.schema import Question

BATCH = 32


class UnknownQuestion(LookupError):
    pass


def resolve_question(req: GradeInput, bank: Bank) -> Question | str:
    if req.question:
        q = bank.questions.get(req.question)
        if q is None:
            raise UnknownQuestion(f"no question {req.question!r} in the bank")
        return q
    assert req.question_text is not None
    return req.question_text


def grade_one(evaluator: Evaluator, req: GradeInput, bank: Bank) -> Evaluation:
    return evaluator.grade(resolve_question(req, bank), req.answer, req.level, req.reference)


def grade_stream(
    evaluator: Evaluator,
    requests: Iterable[GradeInput],
    bank: Bank,
    progress: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yields `{"id", **evaluation}` per request, in order; the offline engine embeds in batches."""
    pending: list[GradeInput] = []

    def flush() -> Iterator[dict[str, Any]]:
        if isinstance(evaluator, OfflineEvaluator):
            evals = evaluator.grade_many(
                [(resolve_question(r, bank), r.answer, r.level, r.reference) for r in pending]
            )
        else:
            evals = [grade_one(evaluator, r, bank) for r in pending]
        for r, ev in zip(pending, evals, strict=True):
            yield {"id": r.id, **ev.model_dump()}
        if progress:
            progress(len(pending))
        pending.clear()

    for req in requests:
        pending.append(req)
        if len(pending) >= BATCH:
            yield from flush()
    if pending:
        yield from flush()
