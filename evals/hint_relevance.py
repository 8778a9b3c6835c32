"""Hint relevance: does a second-level hint cite the note section that teaches the item?

Each labelled situation (evals/data/hints) names a rubric item a coach-mode candidate is stuck on
and the note sections (best first, at most three) that teach it. The engine's own
`hint_citations` picks what the hint cites; the first citation counts as a hit when it is one of
the labelled sections. Figures are reported on the validation split (by question id) and, apart,
on the tuning split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.interviewer.engine import InterviewEngine
from content.loader import Bank
from evals import datasets
from evals.splits import split_of
from retrieval.loaders import HEADING_SEPARATOR


def section_key(citation: Any) -> str:
    """'<note id>#<innermost heading>' for a citation from the notes corpus."""
    note = Path(str(citation.source)).stem
    return f"{note}#{str(citation.heading).split(HEADING_SEPARATOR)[-1].strip()}"


def run_hint_relevance(engine: InterviewEngine, bank: Bank) -> dict[str, Any]:
    by_split: dict[str, list[bool]] = {"tuning": [], "validation": []}
    misses: list[dict[str, Any]] = []
    for case in datasets.hint_situations():
        question = bank.questions[case.question]
        item = next(i for i in question.rubric if i.id == case.item)
        cites = engine.hint_citations(question, item)
        cited = section_key(cites[0]) if cites else None
        hit = cited in case.best_sections
        by_split[split_of(case.question)].append(hit)
        if not hit:
            misses.append({"id": case.id, "cited": cited, "best": case.best_sections})
    rate = {k: round(sum(v) / len(v), 4) if v else 0.0 for k, v in by_split.items()}
    return {
        "metrics": {
            "interviewer_hint_relevance_rate": rate["validation"],
            "interviewer_hint_relevance_tuning_rate": rate["tuning"],
            "interviewer_hint_situations": sum(len(v) for v in by_split.values()),
        },
        "misses": misses,
    }
