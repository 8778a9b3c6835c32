"""Diagrams as evidence: each fenced diagram is graded as sentences quoting its edges
("diagram: Redis → Postgres."), through the same judging path as prose.

A diagram may add rubric points and never costs any: an answer with diagrams is graded with them
and without them, and the better grade is kept. A diagram that does not parse stays in the text
and is graded as prose, like the rest of the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from agents.evaluation import Evaluation
from agents.evaluator import Segment
from agents.text import words
from diagrams.analysis import DiagramReader

Answer = str | list[Segment]


@dataclass
class DiagramVersions:
    with_evidence: Answer  # each readable diagram replaced by its evidence sentences
    prose: Answer  # the readable diagrams left out
    readable: bool = False
    errors: list[str] = field(default_factory=list)  # diagrams kept as text, and why


def diagram_versions(answer: Answer, reader: DiagramReader) -> DiagramVersions:
    if isinstance(answer, str):
        read = reader.read(answer)
        return DiagramVersions(read.with_evidence(), read.prose(), bool(read.diagrams), read.errors)
    out = DiagramVersions([], [])
    for seg in answer:
        read = reader.read(seg.text)
        out.readable |= bool(read.diagrams)
        out.errors += read.errors
        assert isinstance(out.with_evidence, list) and isinstance(out.prose, list)
        out.with_evidence.append(replace(seg, text=read.with_evidence()))
        if read.prose().strip():
            out.prose.append(replace(seg, text=read.prose()))
    return out


def _has_words(answer: Answer) -> bool:
    if isinstance(answer, str):
        return bool(words(answer))
    return any(words(s.text) for s in answer)


def grade_with_diagrams(
    grade: Callable[[Answer], Evaluation], answer: Answer, reader: DiagramReader
) -> Evaluation:
    """`grade(answer)`, with any diagrams read as evidence, never below the prose alone; a
    diagram that could not be read is flagged `diagram_not_read` and the feedback says where."""
    versions = diagram_versions(answer, reader)
    if not versions.readable:
        return _noting(grade(answer), versions.errors)
    graded = grade(versions.with_evidence)
    if _has_words(versions.prose):
        prose_only = grade(versions.prose)
        if prose_only.overall > graded.overall:
            graded = prose_only
    return _noting(graded, versions.errors)


def _noting(ev: Evaluation, errors: list[str]) -> Evaluation:
    if not errors:
        return ev
    return ev.model_copy(
        update={
            "flags": sorted({*ev.flags, "diagram_not_read"}),
            "feedback": f"{' '.join(errors)} {ev.feedback}".strip(),
        }
    )
