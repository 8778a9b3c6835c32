"""Diagrams as evidence: each fenced diagram is graded as sentences quoting its edges
("diagram: Redis → Postgres."), through the same judging path as prose.

A diagram may add rubric points and never costs any: an answer with diagrams is graded with them
and without them, and the better grade is kept. A diagram that does not parse stays in the text
and is graded as prose, like the rest of the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from agents.evaluation import Evaluation
from agents.evaluator import Segment
from agents.text import words
from diagrams.analysis import DiagramReader

Answer = str | list[Segment]


def diagram_versions(answer: Answer, reader: DiagramReader) -> tuple[Answer, Answer] | None:
    """(the answer with its diagrams as evidence, the answer without them), or None when it has
    no readable diagram."""
    if isinstance(answer, str):
        read = reader.read(answer)
        if not read.diagrams:
            return None
        return read.with_evidence(), read.prose()
    found = False
    with_evidence, prose = [], []
    for seg in answer:
        read = reader.read(seg.text)
        found |= bool(read.diagrams)
        with_evidence.append(replace(seg, text=read.with_evidence()))
        prose.append(replace(seg, text=read.prose()))
    return (with_evidence, [s for s in prose if s.text.strip()]) if found else None


def _has_words(answer: Answer) -> bool:
    if isinstance(answer, str):
        return bool(words(answer))
    return any(words(s.text) for s in answer)


def grade_with_diagrams(
    grade: Callable[[Answer], Evaluation], answer: Answer, reader: DiagramReader
) -> Evaluation:
    """`grade(answer)`, with any diagrams read as evidence, never below the prose alone."""
    versions = diagram_versions(answer, reader)
    if versions is None:
        return grade(answer)
    with_diagrams, prose = versions
    graded = grade(with_diagrams)
    if _has_words(prose):
        prose_only = grade(prose)
        if prose_only.overall > graded.overall:
            return prose_only
    return graded
