"""Imports `.excalidraw` files: shapes with text become nodes, arrows bound at both ends edges.

Only what a reader of the drawing would take as architecture is kept: a box's text is its label,
an arrow's text its label; loose text, unbound arrows and deleted elements are skipped (and
listed in `Diagram.skipped`).
"""

from __future__ import annotations

import json
from typing import Any

from diagrams.mermaid import MAX_EDGES, clean_label
from diagrams.model import Arrow, Diagram, DiagramError, Edge, Node

_SHAPES = {"rectangle": "rect", "ellipse": "circle", "diamond": "rhombus", "frame": "frame"}
_LINKS = ("arrow", "line")


def _elements(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DiagramError(exc.lineno, f"not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or data.get("type") != "excalidraw":
        raise DiagramError(1, 'not an Excalidraw file: expected {"type": "excalidraw", ...}')
    elements = data.get("elements")
    if not isinstance(elements, list):
        raise DiagramError(1, "an Excalidraw file needs an 'elements' list")
    return [e for e in elements if isinstance(e, dict) and not e.get("isDeleted")]


def _bound(element: dict[str, Any], key: str) -> str | None:
    binding = element.get(key)
    target = binding.get("elementId") if isinstance(binding, dict) else None
    return str(target) if target is not None else None


def parse(text: str) -> Diagram:
    elements = _elements(text)
    d = Diagram(kind="flowchart", source="excalidraw", direction="LR", text=text)
    texts: dict[str, str] = {}
    for e in elements:
        if e.get("type") == "text":
            body = clean_label(str(e.get("originalText") or e.get("text") or ""))
            container = e.get("containerId")
            if container and body:
                texts[str(container)] = body
            elif body:
                d.skipped.append(f"loose text {body[:40]!r}")
    for e in elements:
        kind = e.get("type")
        eid = str(e.get("id"))
        if kind in _SHAPES:
            label = texts.get(eid, "")
            if not label:
                d.skipped.append(f"{kind} {eid} without text")
                continue
            d.nodes[eid] = Node(id=eid, label=label, shape=_SHAPES[str(kind)])
    for e in elements:
        if e.get("type") not in _LINKS:
            continue
        eid = str(e.get("id"))
        start, end = _bound(e, "startBinding"), _bound(e, "endBinding")
        if start not in d.nodes or end not in d.nodes:
            d.skipped.append(f"{e.get('type')} {eid} not bound to two labelled shapes")
            continue
        if len(d.edges) >= MAX_EDGES:
            raise DiagramError(0, f"more than {MAX_EDGES} arrows; at most {MAX_EDGES} are read")
        head_start, head_end = bool(e.get("startArrowhead")), bool(e.get("endArrowhead"))
        if e.get("type") == "line":
            head_start = head_end = False
        arrow: Arrow = "forward"
        src, dst = str(start), str(end)
        if head_start and head_end:
            arrow = "both"
        elif head_start:
            src, dst = dst, src
        elif not head_end:
            arrow = "none"
        dotted = e.get("strokeStyle") in ("dashed", "dotted")
        d.edges.append(
            Edge(src, dst, texts.get(eid, ""), arrow, "dotted" if dotted else "solid", 0, dotted)
        )
    if not d.nodes:
        raise DiagramError(0, "the drawing has no shapes with text in them")
    return d
