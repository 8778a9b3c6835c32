"""Parsing speed: 1,000 Mermaid flowcharts of 50 nodes each, parsed (and typed and checked).

The diagrams are generated from a seed: every node shape, link type, edge labels, chains with
`&`, subgraphs and comments, so the parser's slow paths are all on the clock. Target: parsing the
1,000 takes ≤ 2 s. `python -m bench.diagram_parse` writes bench/results_diagrams.json.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

from bench.harness import figure, loadavg
from diagrams import mermaid
from diagrams.analysis import default_reader

RESULTS = Path(__file__).resolve().parent / "results_diagrams.json"
SHAPES = ("[{}]", "({})", "([{}])", "[[{}]]", "[({})]", "(({}))", "{{{{{}}}}}", ">{}]", '["{}"]')
LINKS = ("-->", "---", "-.->", "==>", "<-->", "-->|reads|", "-- writes -->", "-. async .->")
LABELS = ("API", "Redis cache", "Postgres", "Kafka", "Worker", "Stripe", "S3", "Load balancer")


def make_diagram(rng: random.Random, nodes: int = 50) -> str:
    lines = ["flowchart LR", "  %% generated"]
    for i in range(nodes):
        shape = rng.choice(SHAPES).format(f"{rng.choice(LABELS)} {i}")
        lines.append(f"  n{i}{shape}")
    lines.append("  subgraph core [Core]")
    for i in range(1, nodes):
        j = rng.randrange(i)
        if i % 10 == 0:
            lines.append(f"    n{j} & n{i - 1} {rng.choice(LINKS)} n{i}")
        else:
            lines.append(f"    n{j} {rng.choice(LINKS)} n{i}")
        if i == nodes // 2:
            lines.append("  end")
    return "\n".join(lines)


def run(count: int = 1000, nodes: int = 50, rounds: int = 3) -> dict[str, Any]:
    rng = random.Random(20)
    texts = [make_diagram(rng, nodes) for _ in range(count)]
    parse_times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        parsed = [mermaid.parse(t) for t in texts]
        parse_times.append(time.perf_counter() - t0)
    assert all(len(d.nodes) == nodes for d in parsed)
    reader = default_reader()
    t0 = time.perf_counter()
    findings = sum(len(reader.read_diagram(d)) for d in parsed)
    check_s = time.perf_counter() - t0
    best = min(parse_times)
    details = {
        "diagrams": count,
        "nodes_each": nodes,
        "edges": sum(len(d.edges) for d in parsed),
        "parse_seconds_best": round(best, 3),
        "parse_seconds_all": [round(t, 3) for t in parse_times],
        "type_and_check_seconds": round(check_s, 3),
        "findings": findings,
        "loadavg": loadavg(),
    }
    return {
        "details": details,
        "figures": [
            figure(
                f"parse {count} Mermaid diagrams of {nodes} nodes",
                details["parse_seconds_best"],
                "s",
                "≤ 2",
                best <= 2.0,
                f"best of {rounds}; node kinds and rules: another "
                f"{details['type_and_check_seconds']} s",
            )
        ],
    }


if __name__ == "__main__":
    out = run()
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out["details"], indent=2))
