"""POST /api/diagrams/read: a diagram parsed, typed and checked, for the web UI's preview,
its Excalidraw import and the scorecard's rendering with the findings highlighted."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, model_validator

from agents.evaluation import MAX_ANSWER_CHARS
from api.deps import current_user
from diagrams.analysis import MAX_DRAWING_CHARS, default_reader, parse_source, to_mermaid
from diagrams.model import DiagramError

router = APIRouter(tags=["diagrams"], dependencies=[Depends(current_user)])


class DiagramReadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["mermaid", "excalidraw"] = "mermaid"
    text: str = Field(min_length=1, max_length=MAX_DRAWING_CHARS)
    prose: str = Field(
        default="",
        max_length=MAX_ANSWER_CHARS,
        description="The words sent with the diagram: checked against what it draws.",
    )
    highlight: bool = Field(
        default=True, description="Mark the nodes of each finding in the Mermaid returned."
    )

    @model_validator(mode="after")
    def _mermaid_fits_a_message(self) -> DiagramReadRequest:
        if self.format == "mermaid" and len(self.text) > MAX_ANSWER_CHARS:
            raise ValueError(f"Mermaid source holds at most {MAX_ANSWER_CHARS:,} characters")
        return self


class DiagramNode(BaseModel):
    id: str
    label: str
    kind: str | None = Field(description="From the concept bank; null when nothing fits.")


class DiagramEdge(BaseModel):
    source: str
    target: str
    label: str
    quote: str = Field(description="How evidence quotes it: 'Redis → Postgres'.")


class DiagramFinding(BaseModel):
    rule: str
    subject: str
    message: str
    nodes: list[str] = Field(description="Node ids the finding is about.")


class DiagramRead(BaseModel):
    kind: Literal["flowchart", "sequence"]
    mermaid: str = Field(
        description="Mermaid source to render: a drawing converted; finding nodes get the "
        "'finding' class (flowcharts)."
    )
    nodes: list[DiagramNode]
    edges: list[DiagramEdge]
    findings: list[DiagramFinding]
    skipped: list[str] = Field(description="What an imported drawing left out, and why.")


@router.post("/api/diagrams/read", response_model=DiagramRead)
def read_diagram(body: DiagramReadRequest) -> DiagramRead:
    """Parses a diagram; one that does not parse is a 422 naming the line."""
    try:
        d = parse_source(body.text, body.format)
    except DiagramError as exc:
        raise HTTPException(422, f"diagram: {exc}") from exc
    findings = default_reader().read_diagram(d, body.prose)
    flagged = [n for f in findings for n in f.nodes] if body.highlight else []
    if d.kind == "flowchart" and body.format == "mermaid" and not flagged:
        source = body.text.strip()  # shown exactly as written
    else:
        source = to_mermaid(d, flagged) if d.kind == "flowchart" else body.text.strip()
    return DiagramRead(
        kind=d.kind,
        mermaid=source,
        nodes=[DiagramNode(id=n.id, label=n.label, kind=n.kind) for n in d.nodes.values()],
        edges=[
            DiagramEdge(source=e.source, target=e.target, label=e.label, quote=d.describe_edge(e))
            for e in d.edges
        ],
        findings=[
            DiagramFinding(rule=f.rule, subject=f.subject, message=f.message, nodes=list(f.nodes))
            for f in findings
        ],
        skipped=d.skipped,
    )
