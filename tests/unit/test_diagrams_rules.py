"""Node kinds from the concept bank, the structural rules, and the validation of their YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from content.loader import ContentError
from diagrams.analysis import default_reader, find_blocks
from diagrams.content import DIAGRAMS_DIR, load_diagram_content
from diagrams.mermaid import parse


def _kinds(source: str) -> dict[str, str | None]:
    d = parse(source)
    default_reader().classifier.classify(d)
    return {n.id: n.kind for n in d.nodes.values()}


def _findings(source: str, prose: str = "") -> set[str]:
    d = parse(source)
    return {f"{f.rule}:{f.subject}" for f in default_reader().read_diagram(d, prose)}


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Redis", "cache"),  # a concept-bank alias (concept redis)
        ("PostgreSQL", "relational-db"),
        ("Amazon S3 bucket", "object-store"),
        ("Stripe API", "third-party"),  # specific beats the generic "api"
        ("Order DB service", "relational-db"),  # "db" is specific, "service" generic
        ("Kafka consumers", "worker"),  # the head noun, last, wins between specific kinds
        ("Cassandra replica", "nosql-db"),  # "replica" is a role, a weak alias
        ("Read replica", "relational-db"),
        ("Mobile app", "client"),
        ("Payment gateway", "third-party"),  # the longer alias ending at the same word
        ("Mystery box", None),
    ],
)
def test_kind_by_label_and_alias(label: str, kind: str | None) -> None:
    assert _kinds(f"flowchart LR\n  X[{label}] --> Y")["X"] == kind


def test_a_cylinder_no_alias_names_is_a_database() -> None:
    assert _kinds("flowchart LR\n  A[Ledger] --> B[(Ledger)]") == {"A": None, "B": "relational-db"}


def test_embedding_fallback_names_only_what_is_close() -> None:
    import numpy as np

    from content.loader import bundled_bank
    from diagrams.content import bundled_diagram_content
    from diagrams.kinds import KindClassifier

    kinds = bundled_diagram_content()[0].kinds
    exemplars = [t for k in kinds for t in (k.name, *k.exemplars)]

    def encode(texts: list[str]) -> np.ndarray:  # one-hot per exemplar; labels hit one or none
        out = np.zeros((len(texts), len(exemplars)), dtype=np.float32)
        for i, t in enumerate(texts):
            if t in exemplars:
                out[i, exemplars.index(t)] = 1.0
            if t == "Keeps things warm":
                out[i, exemplars.index("keeps hot data in memory for fast reads")] = 1.0
        return out

    c = KindClassifier(kinds, bundled_bank(), encode)
    d = parse("flowchart LR\n  A[Keeps things warm] --> B[Something else]")
    c.classify(d)
    assert (d.nodes["A"].kind, d.nodes["B"].kind) == ("cache", None)


SPOF = "flowchart LR\n  C[Client] --> S[API] --> P[(Postgres)]"


@pytest.mark.parametrize(
    ("source", "prose", "expected"),
    [
        (SPOF, "", {"single-point-of-failure:P"}),
        (SPOF + "\n  P -.->|replication| R[(Postgres replica)]", "", set()),
        ("flowchart LR\n  S[API] --> P[(Aurora multi-AZ)]", "", set()),
        (
            "flowchart LR\n  C[Client] --> S[API] --> R[(Redis)]",
            "",
            {"cache-without-source:R"},
        ),
        (
            "flowchart LR\n  C[Client] --> S[API] --> R[(Redis)]\n  S --> D[(Cassandra cluster)]",
            "",
            set(),
        ),
        (
            "flowchart LR\n  U[Mobile app] --> D[(DynamoDB global table replicated)]",
            "",
            {"client-writes-database:U->D"},
        ),
        (
            "flowchart LR\n  S[API] --> Q[[SQS]]\n  S --> D[(Mongo cluster)]",
            "",
            {"queue-without-consumer:Q"},
        ),
        ("flowchart LR\n  S[API] --> Q[[SQS]] --> W[Worker]", "", set()),
        ("flowchart LR\n  S[API] --> Q[[SQS]]\n  W[Worker] -->|polls| Q", "", set()),
        (
            "flowchart LR\n  C[Browser] --> S[Checkout service] -->|charge| P[Stripe]",
            "",
            {"sync-third-party:P"},
        ),
        (
            "flowchart LR\n  C[Browser] --> S[Checkout] --> Q[[Kafka]] --> W[Worker] --> P[Stripe]",
            "",
            set(),
        ),
        ("flowchart LR\n  C[Browser] --> S[API] -.->|async| P[Twilio]", "", set()),
        (
            "sequenceDiagram\n  participant U as Browser\n  participant A as API\n"
            "  U->>A: pay\n  A->>Stripe: charge\n  A-)SendGrid: email",
            "",
            {"sync-third-party:Stripe"},
        ),
    ],
)
def test_structural_rules(source: str, prose: str, expected: set[str]) -> None:
    assert _findings(source, prose) == expected


def test_prose_and_diagram_disagree_both_ways() -> None:
    source = "flowchart LR\n  C[Client] --> S[API] --> R[(Redis)] --> P[(Postgres replicated)]"
    prose = (
        "Every write goes to Postgres first and we publish an event to Kafka so the search index "
        "in Elasticsearch stays fresh; reads are served by the API from the primary."
    )
    assert _findings(source, prose) == {
        "named-not-drawn:queue",
        "named-not-drawn:search-index",
        "drawn-not-named:cache",
    }
    assert _findings(source, "Too short to judge Kafka.") == set()


def test_fenced_blocks_and_message_lines() -> None:
    msg = "Intro.\n```mermaid\nflowchart TD\n  A --> B[oops\n```\n```python\nprint(1)\n```\n"
    msg += "```\ngraph LR\n  X --> Y\n```"
    assert [b.first_line for b in find_blocks(msg)] == [3, 10]
    read = default_reader().read(msg)
    assert read.errors == [
        "Diagram not read (line 4 of your message): the label of 'B' is not closed with ']'. "
        "It was kept as text."
    ]
    assert "B[oops" in read.prose() and "X --> Y" not in read.prose()
    assert read.with_evidence().endswith("diagram: X → Y.")


def _copy_content(tmp_path: Path, rules: list[dict] | None = None) -> Path:
    for name in ("node_kinds.yaml", "rules.yaml"):
        (tmp_path / name).write_text((DIAGRAMS_DIR / name).read_text())
    if rules is not None:
        (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules))
    return tmp_path


def test_bundled_content_is_valid() -> None:
    kinds, rules = load_diagram_content()
    assert len(kinds.kinds) >= 10 and len(rules.rules) >= 7


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"check": "no_such_check"}, "does not match any of the expected tags"),
        ({"kinds": ["flux-capacitor"]}, "no kind 'flux-capacitor'"),
        ({"probe": "No question mark here."}, "String should match pattern"),
        ({"surprise": 1}, "Extra inputs are not permitted"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(tmp_path: Path, change: dict, words: str) -> None:
    rules = yaml.safe_load((DIAGRAMS_DIR / "rules.yaml").read_text())
    rules[0] = {**rules[0], **change}
    with pytest.raises(ContentError) as err:
        load_diagram_content(_copy_content(tmp_path, rules))
    assert words in str(err.value)
    assert "content/diagrams/rules.yaml: 0" in str(err.value)
