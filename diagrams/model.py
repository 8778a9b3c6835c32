"""The one graph model every diagram format is parsed into: nodes, edges, subgraphs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Arrow = Literal["forward", "both", "none"]
LineStyle = Literal["solid", "dotted", "thick"]
DiagramKind = Literal["flowchart", "sequence"]
Source = Literal["mermaid", "excalidraw"]


@dataclass(slots=True)
class Node:
    id: str
    label: str
    shape: str = "rect"
    line: int = 0
    kind: str | None = None  # from the concept bank (diagrams.kinds), None when unknown


@dataclass(slots=True, frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    arrow: Arrow = "forward"
    style: LineStyle = "solid"
    line: int = 0
    asynchronous: bool = False  # a sequence diagram's async message (`-)`) or a dotted reply


@dataclass(slots=True)
class Subgraph:
    id: str
    title: str
    members: list[str] = field(default_factory=list)


@dataclass
class Diagram:
    kind: DiagramKind
    source: Source
    direction: str = "TD"
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    subgraphs: list[Subgraph] = field(default_factory=list)
    text: str = ""
    skipped: list[str] = field(default_factory=list)  # what the reader left out, and why

    def label(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return node.label if node else node_id

    def describe_edge(self, edge: Edge) -> str:
        """'Redis → Postgres', the form evidence and findings quote."""
        mark = {"forward": "→", "both": "↔", "none": "—"}[edge.arrow]
        out = f"{self.label(edge.source)} {mark} {self.label(edge.target)}"
        return f"{out} ({edge.label})" if edge.label else out


class DiagramError(ValueError):
    """A diagram that cannot be read, with the line (1-based, 0 for the whole text) to fix."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)
