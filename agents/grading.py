"""Grading requests end to end: resolve the question, grade one or many, echo the caller's id."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from agents.diagram_grading import grade_with_diagrams
from agents.engines import Evaluator
from agents.evaluation import Evaluation, GradeInput
from agents.evaluator import OfflineEvaluator
from content.loader import Bank
from content.schema import Question
from diagrams.analysis import DiagramReader, diagram_reader, find_blocks

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
    question = resolve_question(req, bank)
    return grade_with_diagrams(
        lambda answer: evaluator.grade(question, answer, req.level, req.reference),
        req.answer,
        _reader(evaluator),
    )


def _reader(evaluator: Evaluator) -> DiagramReader:
    embedder = getattr(evaluator, "embedder", None)
    return diagram_reader(embedder.encode if embedder is not None else None)


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
        if find_blocks(req.answer):  # graded twice, with and without (agents.diagram_grading)
            yield from flush()
            yield {"id": req.id, **grade_one(evaluator, req, bank).model_dump()}
            if progress:
                progress(1)
            continue
        pending.append(req)
        if len(pending) >= BATCH:
            yield from flush()
    if pending:
        yield from flush()
