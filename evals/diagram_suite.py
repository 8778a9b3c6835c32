"""The diagrams suite: node-kind accuracy and finding precision/recall on labelled diagrams.

Cases live in evals/data/diagrams.yaml (schema below, checked at load); Excalidraw cases point at
files under evals/data/diagrams/. Figures are reported for all cases and for the validation split
(evals/splits.py, by case id), which nothing was tuned on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

if TYPE_CHECKING:
    from agents.engines import Evaluator

from agents.evaluation import MAX_ANSWER_CHARS, Evaluation
from diagrams.analysis import DiagramReader, attach, parse_source
from evals.splits import is_validation

DATA = Path(__file__).resolve().parent / "data"
CASES_PATH = DATA / "diagrams.yaml"
Ref = Annotated[str, Field(pattern=r"^[a-z0-9-]+:[\w>-]+$")]


class DiagramCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    question: str = Field(description="The bank question the diagram answers.")
    source: str | None = Field(default=None, description="Mermaid source.")
    file: str | None = Field(default=None, description="An .excalidraw file under evals/data/.")
    prose: str = ""
    kinds: dict[str, str | None] = Field(min_length=2, description="Node id -> expected kind.")
    findings: list[Ref] = Field(description="Expected findings as 'rule:subject'.")

    @model_validator(mode="after")
    def _one_source(self) -> DiagramCase:
        if (self.source is None) == (self.file is None):
            raise ValueError("give exactly one of 'source' (Mermaid) or 'file' (.excalidraw)")
        return self

    @property
    def format(self) -> str:
        return "excalidraw" if self.file else "mermaid"

    def text(self) -> str:
        return (DATA / self.file).read_text(encoding="utf-8") if self.file else str(self.source)


@lru_cache(maxsize=1)
def diagram_cases(path: Path = CASES_PATH) -> tuple[DiagramCase, ...]:
    """The labelled cases; a problem names the file, the case and the field."""
    from content.loader import bundled_bank

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    bank = bundled_bank()
    for i, item in enumerate(raw):
        try:
            case = DiagramCase.model_validate(item)
        except ValidationError as err:
            raise ValueError(f"{path.name}: case {i}: {err}") from err
        if case.question not in bank.questions:
            raise ValueError(f"{path.name}: {case.id}: no bank question {case.question!r}")
        cases.append(case)
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path.name}: duplicate case ids")
    return tuple(cases)


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 1.0


def score_cases(reader: DiagramReader, cases: tuple[DiagramCase, ...]) -> dict[str, Any]:
    kind_hits = kind_total = tp = fp = fn = 0
    per_case = []
    for case in cases:
        d = parse_source(case.text(), case.format)
        found = {f"{f.rule}:{f.subject}" for f in reader.read_diagram(d, case.prose)}
        expected = set(case.findings)
        wrong_kinds = {
            nid: {"expected": want, "got": d.nodes[nid].kind if nid in d.nodes else "(no node)"}
            for nid, want in case.kinds.items()
            if nid not in d.nodes or d.nodes[nid].kind != want
        }
        kind_total += len(case.kinds)
        kind_hits += len(case.kinds) - len(wrong_kinds)
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
        per_case.append(
            {
                "id": case.id,
                "wrong_kinds": wrong_kinds,
                "unexpected": sorted(found - expected),
                "missed": sorted(expected - found),
            }
        )
    return {
        "node_kind_accuracy": _ratio(kind_hits, kind_total),
        "finding_precision": _ratio(tp, tp + fp),
        "finding_recall": _ratio(tp, tp + fn),
        "nodes": kind_total,
        "findings_expected": tp + fn,
        "cases": per_case,
    }


NON_ANSWER_FLAGS = {"no_answer", "too_short", "off_topic", "keyword_list", "echoes_question"}


def _fenced(case: DiagramCase) -> str:
    return attach("", case.text(), case.format, MAX_ANSWER_CHARS)


def grading_with_diagrams(
    evaluator: Evaluator, reader: DiagramReader, cases: tuple[DiagramCase, ...]
) -> dict[str, Any]:
    """Each diagram graded three ways for its question: a weak written answer alone, the same
    answer with the diagram, the diagram alone. A diagram must never lower the grade, and a
    diagram alone that covers rubric items must be graded, not flagged as a non-answer."""
    from agents.diagram_grading import grade_with_diagrams
    from content.loader import bundled_bank
    from evals.datasets import graded_answers

    bank = bundled_bank()
    weak: dict[str, str] = {}
    for a in graded_answers():
        if a.band == "weak":
            weak.setdefault(a.question, a.answer)
    rows = []
    for case in cases:
        q = bank.questions[case.question]

        def grade(answer: Any, q: Any = q) -> Evaluation:
            return evaluator.grade(q, answer, "senior")

        diagram = _fenced(case)
        alone = grade_with_diagrams(grade, diagram, reader)
        covered = [i.id for i in alone.items if i.status != "missing"]
        row: dict[str, Any] = {
            "id": case.id,
            "alone": alone.overall,
            "alone_items": covered,
            "alone_flags": sorted(set(alone.flags) & NON_ANSWER_FLAGS),
        }
        prose = case.prose or weak.get(case.question, "")
        if prose:
            before = grade(prose)
            after = grade_with_diagrams(grade, f"{prose}\n\n{diagram}", reader)
            missing_before = {i.id for i in before.items if i.status == "missing"}
            row |= {
                "prose": before.overall,
                "with_diagram": after.overall,
                "adds_point": bool(missing_before & set(covered)),
            }
        rows.append(row)
    paired = [r for r in rows if "prose" in r]
    adding = [r for r in paired if r["adds_point"]]
    covering = [r for r in rows if r["alone_items"]]
    return {
        "metrics": {
            "diagrams_grade_never_lower_rate": _ratio(
                sum(r["with_diagram"] >= r["prose"] for r in paired), len(paired)
            ),
            "diagrams_grade_adds_point_not_lower_rate": _ratio(
                sum(r["with_diagram"] >= r["prose"] for r in adding), len(adding)
            ),
            "diagrams_alone_graded_rate": _ratio(
                sum(not r["alone_flags"] for r in covering), len(covering)
            ),
            "diagrams_grade_mean_gain": round(
                sum(r["with_diagram"] - r["prose"] for r in paired) / max(1, len(paired)), 4
            ),
            "diagrams_grade_pairs_adding_cases": len(adding),
        },
        "rows": rows,
    }


def run_diagram_suite(
    reader: DiagramReader,
    progress: Callable[[int], None] | None = None,
    evaluator: Evaluator | None = None,
) -> dict[str, Any]:
    cases = diagram_cases()
    whole = score_cases(reader, cases)
    valid = score_cases(reader, tuple(c for c in cases if is_validation(c.id)))
    graded = grading_with_diagrams(evaluator, reader, cases) if evaluator else None
    if progress:
        progress(len(cases))
    metrics = {
        "diagrams_node_kind_accuracy": whole["node_kind_accuracy"],
        "diagrams_finding_precision": whole["finding_precision"],
        "diagrams_finding_recall": whole["finding_recall"],
        "diagrams_validation_node_kind_accuracy": valid["node_kind_accuracy"],
        "diagrams_validation_finding_precision": valid["finding_precision"],
        "diagrams_validation_finding_recall": valid["finding_recall"],
        "diagrams_cases": len(cases),
        "diagrams_validation_cases": sum(1 for c in cases if is_validation(c.id)),
    }
    if graded:
        metrics.update(graded["metrics"])
    return {"metrics": metrics, "all": whole, "validation": valid, "grading": graded}
