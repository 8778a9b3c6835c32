"""A scorecard as Markdown, for surfaces that show text (chat clients, MCP hosts)."""

from __future__ import annotations

from agents.evaluation import Evaluation

DIMENSION_LABELS = {
    "requirements": "Requirements",
    "api_and_data": "API and data model",
    "high_level_design": "High-level design",
    "deep_dive": "Deep dive",
    "tradeoffs": "Trade-offs",
    "reliability": "Reliability",
    "communication": "Communication",
}
VERDICT_LABELS = {
    "strong_hire": "Strong hire",
    "hire": "Hire",
    "lean_no_hire": "Lean no hire",
    "no_hire": "No hire",
}


def _cell(text: str, limit: int = 120) -> str:
    """One table cell: a single line, pipes escaped, long quotes shortened."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render(ev: Evaluation, title: str | None = None) -> str:
    heading = title or ev.question_id or "free-text question"
    lines = [
        f"## Scorecard: {heading}",
        "",
        f"**{VERDICT_LABELS.get(ev.verdict, ev.verdict)}**, overall **{ev.overall:.2f}** / 4 "
        f"(level {ev.level}, engine {ev.engine})",
        "",
        "| Dimension | Score | Evidence | Missed |",
        "| --- | --- | --- | --- |",
    ]
    for d in ev.dimensions:
        name = DIMENSION_LABELS.get(d.name, d.name) + ("" if d.assessed else " (n/a)")
        evidence = " · ".join(f"“{_cell(q)}”" for q in d.evidence[:2]) or "–"
        missed = " · ".join(_cell(m) for m in d.missing[:2]) or "–"
        lines.append(f"| {name} | {d.score:.2f} | {evidence} | {missed} |")
    if ev.flags:
        lines += ["", "**Flags:** " + ", ".join(ev.flags)]
    if ev.red_flags:
        lines += ["", "### Red flags"]
        lines += [f"- {f.text}: “{_cell(f.quote)}”" for f in ev.red_flags]
    if ev.numbers:
        lines += ["", "### Numbers, rechecked"]
        lines += [
            f"- {_cell(n.claim)} → {_cell(n.recomputed)} ({n.verdict.replace('_', ' ')})"
            for n in ev.numbers
        ]
    lines += ["", "### Feedback", "", ev.feedback.strip()]
    return "\n".join(lines) + "\n"
