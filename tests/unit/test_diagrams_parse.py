"""The Mermaid parser and the Excalidraw import: shapes, links, labels, and errors with lines."""

from __future__ import annotations

import json

import pytest

from diagrams import excalidraw, mermaid
from diagrams.analysis import parse_source, to_mermaid
from diagrams.model import DiagramError


@pytest.mark.parametrize(
    ("node", "label", "shape"),
    [
        ("A[Load balancer]", "Load balancer", "rect"),
        ("A(Service)", "Service", "round"),
        ("A([Client])", "Client", "stadium"),
        ("A[[Kafka]]", "Kafka", "subroutine"),
        ("A[(Postgres)]", "Postgres", "cylinder"),
        ("A((Hub))", "Hub", "circle"),
        ("A(((Stop)))", "Stop", "double-circle"),
        ("A>Flag]", "Flag", "asymmetric"),
        ("A{Decide}", "Decide", "rhombus"),
        ("A{{Prepare}}", "Prepare", "hexagon"),
        ("A[/In/]", "In", "parallelogram"),
        ('A["Quoted ] label"]', "Quoted ] label", "rect"),
        ("A[Two<br/>lines]", "Two lines", "rect"),
        ("A[Styled]:::hot", "Styled", "rect"),
    ],
)
def test_node_shapes_and_labels(node: str, label: str, shape: str) -> None:
    d = mermaid.parse(f"flowchart TD\n  {node} --> B")
    assert (d.nodes["A"].label, d.nodes["A"].shape) == (label, shape)
    assert d.nodes["B"].label == "B"


@pytest.mark.parametrize(
    ("link", "arrow", "style", "label"),
    [
        ("-->", "forward", "solid", ""),
        ("--->", "forward", "solid", ""),
        ("---", "none", "solid", ""),
        ("-.->", "forward", "dotted", ""),
        ("-.-", "none", "dotted", ""),
        ("==>", "forward", "thick", ""),
        ("===", "none", "thick", ""),
        ("<-->", "both", "solid", ""),
        ("-->|reads from|", "forward", "solid", "reads from"),
        ("-- writes -->", "forward", "solid", "writes"),
        ("-. replicates .->", "forward", "dotted", "replicates"),
        ("== hot path ==>", "forward", "thick", "hot path"),
        ("--o", "none", "solid", ""),
    ],
)
def test_link_types(link: str, arrow: str, style: str, label: str) -> None:
    d = mermaid.parse(f"graph LR\n  A {link} B")
    assert len(d.edges) == 1
    e = d.edges[0]
    assert (e.source, e.target, e.arrow, e.style, e.label) == ("A", "B", arrow, style, label)


def test_chains_ampersands_subgraphs_and_comments() -> None:
    d = mermaid.parse(
        "flowchart LR\n"
        "  %% a comment\n"
        "  A & B --> C --> D[(DB)]; D --> E\n"
        "  subgraph core [Core services]\n"
        "    direction TB\n"
        "    C\n"
        "    F[Worker]\n"
        "  end\n"
        "  classDef db fill:#eee\n"
        "  style F stroke:#333\n"
        "  core --> E\n"
    )
    pairs = [(e.source, e.target) for e in d.edges]
    assert pairs == [("A", "C"), ("B", "C"), ("C", "D"), ("D", "E")]
    assert d.subgraphs[0].title == "Core services"
    assert d.subgraphs[0].members == ["F"]  # C was declared before the subgraph
    assert "core" not in d.nodes


def test_a_label_given_later_replaces_the_id() -> None:
    d = mermaid.parse("flowchart TD\n  A --> B\n  B[(Postgres)]")
    assert (d.nodes["B"].label, d.nodes["B"].shape) == ("Postgres", "cylinder")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 0, "empty"),
        ('pie title Pets\n  "Dogs" : 3', 1, "unsupported diagram type 'pie'"),
        ("flowchart TD\n  A --> B\n  B[Open label --> C", 3, "not closed"),
        ("flowchart TD\n  A --> B\n\n  A ~~> C", 4, "expected a link"),
        ("flowchart TD\n  A@{ shape: rect } --> B", 2, "unsupported node syntax"),
        ("flowchart TD\n  A --> B\n  end", 3, "without an open 'subgraph'"),
        ("flowchart TD\n  subgraph one\n  A --> B", 0, "never closed"),
        ("flowchart TD\n  A -->", 2, "expected a node id"),
        ("sequenceDiagram\n  A->>B: hi\n  this is prose", 3, "expected 'A->>B: message'"),
    ],
)
def test_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(DiagramError) as err:
        mermaid.parse(text)
    assert err.value.line == line
    assert words in err.value.message


def test_sequence_diagram_messages() -> None:
    d = mermaid.parse(
        "sequenceDiagram\n"
        "  actor U as Customer\n"
        "  participant A as Payment API\n"
        "  U->>A: pay\n"
        "  activate A\n"
        "  A->>+Stripe: charge\n"
        "  Stripe-->>-A: ok\n"
        "  loop every minute\n"
        "    A-)Q: payment event\n"
        "  end\n"
    )
    assert d.kind == "sequence"
    assert d.nodes["U"].label == "Customer"
    assert [(e.source, e.target, e.asynchronous) for e in d.edges] == [
        ("U", "A", False),
        ("A", "Stripe", False),
        ("Stripe", "A", True),
        ("A", "Q", True),
    ]


def _drawing(elements: list[dict]) -> str:
    return json.dumps({"type": "excalidraw", "version": 2, "elements": elements})


def _box(eid: str, text: str, kind: str = "rectangle") -> list[dict]:
    return [
        {"id": eid, "type": kind, "boundElements": [{"type": "text", "id": f"{eid}-t"}]},
        {"id": f"{eid}-t", "type": "text", "text": text, "containerId": eid},
    ]


def _arrow(eid: str, a: str | None, b: str | None, **extra: object) -> dict:
    return {
        "id": eid,
        "type": "arrow",
        "startBinding": {"elementId": a} if a else None,
        "endBinding": {"elementId": b} if b else None,
        "startArrowhead": None,
        "endArrowhead": "arrow",
        **extra,
    }


def test_excalidraw_shapes_arrows_and_what_is_skipped() -> None:
    text = _drawing(
        [
            *_box("c", "Browser", "ellipse"),
            *_box("db", "Postgres"),
            {"id": "empty", "type": "rectangle"},
            {"id": "note", "type": "text", "text": "draft", "containerId": None},
            _arrow("a1", "c", "db", strokeStyle="dashed"),
            {"id": "a1-t", "type": "text", "text": "writes", "containerId": "a1"},
            _arrow("a2", "db", "c", startArrowhead="arrow", endArrowhead=None),
            _arrow("a3", "c", None),
            {**_arrow("a4", "c", "db"), "isDeleted": True},
        ]
    )
    d = excalidraw.parse(text)
    assert {n.id: (n.label, n.shape) for n in d.nodes.values()} == {
        "c": ("Browser", "circle"),
        "db": ("Postgres", "rect"),
    }
    assert [(e.source, e.target, e.label, e.style) for e in d.edges] == [
        ("c", "db", "writes", "dotted"),
        ("c", "db", "", "solid"),  # the head at the start: it points back at the browser's end
    ]
    assert len(d.skipped) == 3  # the empty box, the loose note, the unbound arrow


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('{"type": "excalidraw",\n "elements": [}', 2, "not valid JSON"),
        ('{"type": "drawio"}', 1, "not an Excalidraw file"),
        ('{"type": "excalidraw", "elements": []}', 0, "no shapes with text"),
    ],
)
def test_excalidraw_errors(text: str, line: int, words: str) -> None:
    with pytest.raises(DiagramError) as err:
        excalidraw.parse(text)
    assert err.value.line == line and words in err.value.message


def test_an_imported_drawing_round_trips_through_mermaid() -> None:
    d = excalidraw.parse(
        _drawing([*_box("a", 'Say "hi" API'), *_box("b", "Redis"), _arrow("x", "a", "b")])
    )
    again = mermaid.parse(to_mermaid(d))
    assert [n.label for n in again.nodes.values()] == ["Say 'hi' API", "Redis"]
    assert [again.describe_edge(e) for e in again.edges] == ["Say 'hi' API → Redis"]


def test_size_limit() -> None:
    text = "flowchart TD\n" + "\n".join(f"  n{i} --> n{i + 1}" for i in range(400))
    with pytest.raises(DiagramError, match="at most"):
        parse_source(text)


def test_bounds_hold_before_the_work_is_done() -> None:
    many = " & ".join(f"a{i}" for i in range(60))
    with pytest.raises(DiagramError, match="more than 2000 links"):
        mermaid.parse(f"flowchart LR\n  {many} --> {many.replace('a', 'b')}")
    odd = _drawing([*_box("a", "A"), {"id": "x", "type": "arrow", "startBinding": ["a"]}])
    assert excalidraw.parse(odd).skipped == ["arrow x not bound to two labelled shapes"]
