"""A message's diagrams: fenced Mermaid blocks found, parsed, typed and checked, and the text
the grader and the interviewer read in their place.

A block that does not parse stays in the message as prose (nothing is lost) and its error names
the line of the message to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from content.loader import Bank
from diagrams import excalidraw, mermaid
from diagrams.kinds import Encode, KindClassifier
from diagrams.model import Diagram, DiagramError
from diagrams.rules import Finding, check
from diagrams.schema import NodeKind, Rule

MAX_NODES = 300  # past this a diagram is refused: nobody draws that in an interview
_FENCE = re.compile(r"^```[ \t]*(?P<lang>[\w-]*)[ \t]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
_MERMAID_START = re.compile(r"^\s*(flowchart|graph|sequencediagram)\b", re.I)
EVIDENCE_PREFIX = "diagram:"


@dataclass(frozen=True)
class Block:
    start: int  # offsets of the whole fence in the message
    end: int
    body: str
    first_line: int  # the message line of the body's first line


@dataclass
class DiagramReading:
    block: Block
    diagram: Diagram | None = None
    error: DiagramError | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def error_message(self) -> str | None:
        if self.error is None:
            return None
        line = self.block.first_line + self.error.line - 1 if self.error.line else 0
        where = f"line {line} of your message" if line else "your diagram"
        reason = self.error.message.replace("?", "")  # the reply asks one question only
        return f"Diagram not read ({where}): {reason}. It was kept as text."


@dataclass
class MessageDiagrams:
    text: str
    readings: list[DiagramReading] = field(default_factory=list)
    kind_names: dict[str, str] = field(default_factory=dict)

    @property
    def diagrams(self) -> list[Diagram]:
        return [r.diagram for r in self.readings if r.diagram is not None]

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.readings for f in r.findings]

    @property
    def errors(self) -> list[str]:
        return [m for r in self.readings if (m := r.error_message)]

    def prose(self) -> str:
        """The message without its readable diagrams (unreadable ones stay, as text)."""
        return self._replace(lambda _r: "")

    def with_evidence(self) -> str:
        """The message with each readable diagram replaced by sentences quoting its edges."""
        return self._replace(
            lambda r: evidence_text(r.diagram, self.kind_names) if r.diagram else ""
        )

    def _replace(self, how: Callable[[DiagramReading], str]) -> str:
        out, pos = [], 0
        for r in self.readings:
            if r.diagram is None:
                continue
            out.append(self.text[pos : r.block.start])
            out.append(how(r))
            pos = r.block.end
        out.append(self.text[pos:])
        return "".join(out).strip()


def find_blocks(text: str) -> list[Block]:
    """Fenced blocks tagged `mermaid`, or untagged ones that start like a Mermaid diagram."""
    blocks = []
    for m in _FENCE.finditer(text):
        lang, body = m.group("lang").lower(), m.group("body")
        if lang == "mermaid" or (not lang and _MERMAID_START.match(body)):
            line = text.count("\n", 0, m.start("body")) + 1
            blocks.append(Block(m.start(), m.end(), body, line))
    return blocks


def evidence_text(d: Diagram, kind_names: dict[str, str] | None = None) -> str:
    """A sentence naming what each node is ('diagram: the design draws Redis as a cache and
    ...'), then one sentence per edge ('diagram: Redis → Postgres.')."""
    names = kind_names or {}
    parts = [
        f"{n.label} as a {names[n.kind]}" if n.kind in names else n.label for n in d.nodes.values()
    ]
    lines = [f"{EVIDENCE_PREFIX} the design draws {' and '.join(parts)}."]
    lines += [f"{EVIDENCE_PREFIX} {d.describe_edge(e)}." for e in d.edges]
    return "\n".join(lines)


def parse_source(text: str, fmt: str = "mermaid") -> Diagram:
    """One diagram from its source; raises DiagramError."""
    d = excalidraw.parse(text) if fmt == "excalidraw" else mermaid.parse(text)
    if len(d.nodes) > MAX_NODES:
        raise DiagramError(0, f"{len(d.nodes)} nodes; at most {MAX_NODES} are read")
    return d


_SHAPE_MARKS = {
    "round": ("(", ")"),
    "stadium": ("([", "])"),
    "subroutine": ("[[", "]]"),
    "cylinder": ("[(", ")]"),
    "circle": ("((", "))"),
    "rhombus": ("{", "}"),
    "hexagon": ("{{", "}}"),
}


def to_mermaid(d: Diagram, highlight: Iterable[str] = ()) -> str:
    """The Mermaid flowchart source of any diagram (an imported drawing is stored and shown this
    way); nodes in `highlight` get the `finding` class."""
    ids = {nid: f"n{i}" for i, nid in enumerate(d.nodes, 1)}

    def label(text: str) -> str:
        return '"' + text.replace('"', "'") + '"'

    lines = [f"flowchart {d.direction if d.kind == 'flowchart' else 'LR'}"]
    for n in d.nodes.values():
        opener, closer = _SHAPE_MARKS.get(n.shape, ("[", "]"))
        lines.append(f"  {ids[n.id]}{opener}{label(n.label)}{closer}")
    for e in d.edges:
        link = {"forward": "-->", "both": "<-->", "none": "---"}[e.arrow]
        if e.style == "dotted":
            link = {"forward": "-.->", "both": "<-.->", "none": "-.-"}[e.arrow]
        text = f"|{label(e.label)}|" if e.label else ""
        lines.append(f"  {ids[e.source]} {link}{text} {ids[e.target]}")
    marked = sorted({ids[n] for n in highlight if n in ids})
    if marked:
        lines.append("  classDef finding stroke:#b42318,stroke-width:3px")
        lines.append(f"  class {','.join(marked)} finding")
    return "\n".join(lines)


MAX_DRAWING_CHARS = 1_000_000  # an .excalidraw file is JSON, far wordier than what it draws


def attach(content: str, text: str, fmt: str, limit: int) -> str:
    """`content` with a diagram appended as a fenced Mermaid block (a drawing converted first).

    A Mermaid diagram that does not parse is attached as it is: the reader reports its line and
    grades it as text. A drawing that cannot be read raises DiagramError; a result over `limit`
    characters raises ValueError."""
    if fmt == "excalidraw":
        text = to_mermaid(parse_source(text, "excalidraw"))
    block = f"```mermaid\n{text.strip()}\n```"
    out = f"{content.rstrip()}\n\n{block}" if content.strip() else block
    if len(out) > limit:
        raise ValueError(
            f"the message with its diagram is {len(out):,} characters; at most {limit:,}"
        )
    return out


class DiagramReader:
    """Reads the diagrams of a message: parse, type each node, run the rules."""

    def __init__(
        self,
        kinds: Iterable[NodeKind],
        rules: Iterable[Rule],
        bank: Bank,
        encode: Encode | None = None,
    ):
        self.kinds = list(kinds)
        self.rules = list(rules)
        self.classifier = KindClassifier(self.kinds, bank, encode)

    def read_diagram(self, d: Diagram, prose: str = "") -> list[Finding]:
        self.classifier.classify(d)
        return check(d, self.rules, self.classifier, self.kinds, prose)

    def read(self, text: str) -> MessageDiagrams:
        out = MessageDiagrams(text, kind_names={k.id: k.name for k in self.kinds})
        for block in find_blocks(text):
            reading = DiagramReading(block)
            try:
                reading.diagram = parse_source(block.body)
            except DiagramError as exc:
                reading.error = exc
            out.readings.append(reading)
        prose = out.prose()
        for r in out.readings:
            if r.diagram is not None:
                r.findings = self.read_diagram(r.diagram, prose)
        return out


@lru_cache(maxsize=4)
def diagram_reader(encode: Encode | None = None) -> DiagramReader:
    """The reader of the bundled content; without `encode` (the project's embedder) node kinds
    come from labels and aliases only."""
    from content.loader import bundled_bank
    from diagrams.content import bundled_diagram_content

    kinds, rules = bundled_diagram_content()
    return DiagramReader(kinds.kinds, rules.rules, bundled_bank(), encode)


def default_reader() -> DiagramReader:
    return diagram_reader(None)
