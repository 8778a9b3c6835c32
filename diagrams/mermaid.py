"""A parser for the documented Mermaid grammar we accept: `flowchart`/`graph` (node shapes, edge
types, edge labels, chains, `&`, subgraphs) and `sequenceDiagram` (participants, messages).

No maintained Python parser of Mermaid exists (the reference grammar is Jison, run in a browser),
so this is a small one. Anything outside the subset is refused with its line number rather than
guessed at: a wrong graph would put wrong findings in front of a candidate.
"""

from __future__ import annotations

import re

from diagrams.model import Arrow, Diagram, DiagramError, Edge, LineStyle, Node, Subgraph

MAX_EDGES = 2000  # `A & B & ... --> C & D & ...` multiplies: the bound holds before it does
_HEADER = re.compile(r"^(flowchart|graph)(?:\s+(TB|TD|BT|RL|LR))?\s*;?\s*$", re.I)
_ID = re.compile(r"[^\W\d_]?\w*(?:-\w+)*", re.U)
_WS = re.compile(r"[ \t]*")
# (opener, closers, shape): longest opener first so `((` is not read as `(`.
_SHAPES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("(((", (")))",), "double-circle"),
    ("((", ("))",), "circle"),
    ("([", ("])",), "stadium"),
    ("[[", ("]]",), "subroutine"),
    ("[(", (")]",), "cylinder"),
    ("{{", ("}}",), "hexagon"),
    ("[/", ("/]", "\\]"), "parallelogram"),
    ("[\\", ("\\]", "/]"), "parallelogram"),
    ("[", ("]",), "rect"),
    ("(", (")",), "round"),
    ("{", ("}",), "rhombus"),
    (">", ("]",), "asymmetric"),
)
_OPENERS = frozenset(o[0] for o, _, _ in _SHAPES)
# A link without text: `-->`, `---`, `-.->`, `==>`, `<-->`, `--o`, `--x`, longer forms; then an
# optional `|label|`.
_LINK = re.compile(
    r"(?P<left><)?(?P<body>-{2,}|={2,}|-\.+-)(?P<right>>|[ox](?=[\s|]))?"
    r"(?:[ \t]*\|(?P<pipe>[^|]*)\|)?"
)
# A link with its text inside: `-- text -->`, `-. text .->`, `== text ==>`.
_TEXT_LINK = re.compile(
    r"(?P<left><)?(?P<open>--|==|-\.)(?![-=.>])[ \t]*(?P<text>[^\n]+?)[ \t]*"
    r"(?P<close>-{2,}>|-{3,}|\.-+>|\.-+|={2,}>|={3,}|-{2,}[ox]|={2,}[ox])"
)
_CLASS_SUFFIX = re.compile(r":::[\w-]+")
_BR = re.compile(r"<br\s*/?>", re.I)
_IGNORED = ("classdef ", "class ", "style ", "linkstyle ", "click ", "direction ")
_SUBGRAPH = re.compile(r"^subgraph\s+(?P<rest>.+?)\s*$", re.I)

_SEQ_PARTICIPANT = re.compile(
    r"^(?:create\s+)?(?P<what>participant|actor)\s+(?P<id>[^\s]+?)(?:\s+as\s+(?P<label>.+?))?\s*$",
    re.I,
)
_SEQ_MESSAGE = re.compile(
    r"^(?P<a>[^\s\-<>+]+?)\s*(?P<arrow><<-->>|<<->>|-->>|->>|-->|->|--x|-x|--\)|-\))\s*[+-]?\s*"
    r"(?P<b>[^\s:+\-]+?)\s*(?::\s*(?P<text>.*))?$"
)
_SEQ_BLOCKS = (
    "loop",
    "alt",
    "else",
    "opt",
    "par",
    "and",
    "critical",
    "option",
    "break",
    "rect",
    "box",
    "end",
    "note",
    "activate",
    "deactivate",
    "autonumber",
    "title",
    "destroy",
)


def clean_label(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == "`":
        text = text[1:-1]
    return " ".join(_BR.sub(" ", text).split())


def _statements(text: str) -> list[tuple[int, str]]:
    """(line number, statement) pairs: comments dropped, `;` splits a line."""
    out: list[tuple[int, str]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("%%"):
            continue
        if ";" in line and '"' not in line:
            out.extend((n, part.strip()) for part in line.split(";") if part.strip())
        else:
            out.append((n, line.rstrip(";").strip()))
    return out


def parse(text: str) -> Diagram:
    """Parses one Mermaid diagram; raises DiagramError naming the line it cannot read."""
    statements = _statements(text)
    if not statements:
        raise DiagramError(0, "the diagram is empty")
    line_no, first = statements[0]
    if first.lower().startswith("sequencediagram"):
        return _parse_sequence(statements[1:], text)
    m = _HEADER.match(first)
    if not m:
        kind = first.split()[0] if first.split() else first
        raise DiagramError(
            line_no,
            f"unsupported diagram type {kind!r}: start with 'flowchart TD', 'graph LR' "
            "or 'sequenceDiagram'",
        )
    diagram = Diagram(kind="flowchart", source="mermaid", direction=(m.group(2) or "TD").upper())
    diagram.text = text
    _FlowchartReader(diagram).read(statements[1:])
    if not diagram.nodes:
        raise DiagramError(line_no, "the flowchart has no nodes")
    return diagram


class _FlowchartReader:
    def __init__(self, diagram: Diagram):
        self.d = diagram
        self.open: list[Subgraph] = []
        self.subgraph_ids: set[str] = set()

    def read(self, statements: list[tuple[int, str]]) -> None:
        for n, stmt in statements:
            low = stmt.lower()
            if low == "end":
                if not self.open:
                    raise DiagramError(n, "'end' without an open 'subgraph'")
                self.open.pop()
            elif low.startswith("subgraph"):
                self._subgraph(n, stmt)
            elif low.startswith(_IGNORED):
                continue  # styling and interaction: no effect on the graph
            else:
                self._chain(n, stmt)
        if self.open:
            raise DiagramError(0, f"subgraph {self.open[-1].title!r} is never closed with 'end'")

    def _subgraph(self, n: int, stmt: str) -> None:
        m = _SUBGRAPH.match(stmt)
        if not m:
            raise DiagramError(
                n, "a subgraph needs a name: 'subgraph name' or 'subgraph id [title]'"
            )
        rest = m.group("rest")
        sid, title = rest, rest
        bracket = re.match(r"^([\w-]+)\s*\[(.*)\]$", rest)
        if bracket:
            sid, title = bracket.group(1), clean_label(bracket.group(2))
        else:
            title = clean_label(rest)
            sid = title
        sub = Subgraph(id=sid, title=title)
        self.d.subgraphs.append(sub)
        self.subgraph_ids.add(sid)
        self.open.append(sub)

    def _node(self, n: int, stmt: str, pos: int) -> tuple[str, int]:
        """Reads one node reference at `pos`; returns its id and the position after it."""
        m = _ID.match(stmt, pos)
        if not m or m.end() == pos:
            snippet = stmt[pos : pos + 20]
            raise DiagramError(n, f"expected a node id at {snippet!r}")
        node_id, pos = m.group(), m.end()
        label, shape = None, None
        shapes = _SHAPES if stmt[pos : pos + 1] in _OPENERS else ()
        for opener, closers, name in shapes:
            if stmt.startswith(opener, pos):
                start = pos + len(opener)
                label, pos = self._label(n, stmt, start, closers, node_id)
                shape = name
                break
        if stmt.startswith("@{", pos):
            raise DiagramError(n, f"unsupported node syntax '@{{...}}' on node {node_id!r}")
        cls = _CLASS_SUFFIX.match(stmt, pos)
        if cls:
            pos = cls.end()
        self._add(n, node_id, label, shape)
        return node_id, pos

    def _label(
        self, n: int, stmt: str, start: int, closers: tuple[str, ...], node_id: str
    ) -> tuple[str, int]:
        if stmt.startswith('"', start):
            q = stmt.find('"', start + 1)
            if q < 0:
                raise DiagramError(n, f"unclosed quote in the label of {node_id!r}")
            for c in closers:
                if stmt.startswith(c, q + 1):
                    return clean_label(stmt[start : q + 1]), q + 1 + len(c)
            raise DiagramError(n, f"the label of {node_id!r} is not closed with {closers[0]!r}")
        ends = [(i, c) for c in closers if (i := stmt.find(c, start)) >= 0]
        if not ends:
            raise DiagramError(n, f"the label of {node_id!r} is not closed with {closers[0]!r}")
        i, c = min(ends)
        return clean_label(stmt[start:i]), i + len(c)

    def _add(self, n: int, node_id: str, label: str | None, shape: str | None) -> None:
        if node_id in self.subgraph_ids and label is None:
            return  # a link to a subgraph names the subgraph, not a node
        node = self.d.nodes.get(node_id)
        if node is None:
            node = Node(id=node_id, label=label or node_id, shape=shape or "rect", line=n)
            self.d.nodes[node_id] = node
            if self.open:
                self.open[-1].members.append(node_id)
        elif label is not None:
            node.label, node.shape = label, shape or node.shape

    def _group(self, n: int, stmt: str, pos: int) -> tuple[list[str], int]:
        ids = []
        while True:
            pos = _WS.match(stmt, pos).end()  # type: ignore[union-attr]
            node_id, pos = self._node(n, stmt, pos)
            ids.append(node_id)
            after = _WS.match(stmt, pos).end()  # type: ignore[union-attr]
            if not stmt.startswith("&", after):
                return ids, pos
            pos = after + 1

    def _chain(self, n: int, stmt: str) -> None:
        left, pos = self._group(n, stmt, 0)
        while True:
            pos = _WS.match(stmt, pos).end()  # type: ignore[union-attr]
            if pos >= len(stmt):
                return
            link = _read_link(stmt, pos)
            if link is None:
                raise DiagramError(n, f"cannot read {stmt[pos : pos + 30]!r}: expected a link")
            label, arrow, style, pos = link
            right, pos = self._group(n, stmt, pos)
            if len(self.d.edges) + len(left) * len(right) > MAX_EDGES:
                raise DiagramError(n, f"more than {MAX_EDGES} links; at most {MAX_EDGES} are read")
            for a in left:
                for b in right:
                    if a in self.subgraph_ids or b in self.subgraph_ids:
                        continue
                    self.d.edges.append(Edge(a, b, label, arrow, style, n, style == "dotted"))
            left = right


def _read_link(stmt: str, pos: int) -> tuple[str, Arrow, LineStyle, int] | None:
    m = _LINK.match(stmt, pos)
    # A bare `--` or `==` opens a link with its text inside (`-- text -->`), read below.
    if m and (m.group("right") or len(m.group("body")) >= 3):
        body = m.group("body")
        style: LineStyle = "thick" if body[0] == "=" else "dotted" if "." in body else "solid"
        arrow: Arrow = _arrow(bool(m.group("left")), m.group("right"))
        return clean_label(m.group("pipe") or ""), arrow, style, m.end()
    t = _TEXT_LINK.match(stmt, pos)
    if t:
        close = t.group("close")
        style = "thick" if close[0] == "=" else "dotted" if t.group("open") == "-." else "solid"
        head = close[-1] if close[-1] in ">ox" else None
        return clean_label(t.group("text")), _arrow(bool(t.group("left")), head), style, t.end()
    return None


def _arrow(left: bool, right: str | None) -> Arrow:
    if right == ">":
        return "both" if left else "forward"
    return "none"


def _parse_sequence(statements: list[tuple[int, str]], text: str) -> Diagram:
    d = Diagram(kind="sequence", source="mermaid", direction="LR", text=text)
    for n, stmt in statements:
        low = stmt.lower()
        p = _SEQ_PARTICIPANT.match(stmt)
        if p:
            pid = p.group("id")
            label = clean_label(p.group("label") or pid)
            shape = "actor" if p.group("what").lower() == "actor" else "rect"
            if pid not in d.nodes:
                d.nodes[pid] = Node(id=pid, label=label, shape=shape, line=n)
            continue
        if low.split(" ", 1)[0].rstrip(":") in _SEQ_BLOCKS:
            continue
        m = _SEQ_MESSAGE.match(stmt)
        if not m:
            raise DiagramError(n, f"cannot read {stmt[:40]!r}: expected 'A->>B: message'")
        a, b, arrow = m.group("a"), m.group("b"), m.group("arrow")
        for pid in (a, b):
            if pid not in d.nodes:
                d.nodes[pid] = Node(id=pid, label=pid, line=n)
        dotted = arrow.startswith("--") or arrow.startswith("<<--")
        is_async = arrow.endswith(")") or dotted
        d.edges.append(
            Edge(
                a,
                b,
                clean_label(m.group("text") or ""),
                "both" if arrow.startswith("<<") else "forward",
                "dotted" if dotted else "solid",
                n,
                is_async,
            )
        )
    if not d.nodes:
        raise DiagramError(0, "the sequence diagram has no participants")
    return d
