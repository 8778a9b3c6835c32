"""Loads content/diagrams/ (node kinds, rules) and cross-checks it against the concept bank."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.loader import CONTENT_DIR, Bank, ContentError, ContentProblem, bundled_bank
from diagrams.schema import NodeKind, NodeKindSet, RuleSet

M = TypeVar("M", bound=BaseModel)
DIAGRAMS_DIR = CONTENT_DIR / "diagrams"


def _load(path: Path, model: type[M], key: str) -> M:
    rel = f"content/diagrams/{path.name}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError([ContentProblem(rel, "(file)", f"cannot read: {exc}")]) from exc
    try:
        return model.model_validate({key: raw})
    except ValidationError as err:
        problems = [
            ContentProblem(rel, ".".join(str(p) for p in e["loc"][1:]) or "(file)", e["msg"])
            for e in err.errors()
        ]
        raise ContentError(problems) from err


def load_diagram_content(
    root: Path | None = None, bank: Bank | None = None
) -> tuple[NodeKindSet, RuleSet]:
    """The node kinds and rules under `root`, every reference checked; raises ContentError."""
    root = root or DIAGRAMS_DIR
    kinds = _load(root / "node_kinds.yaml", NodeKindSet, "kinds")
    rules = _load(root / "rules.yaml", RuleSet, "rules")
    concepts = (bank or bundled_bank()).concepts
    known = {k.id for k in kinds.kinds}
    problems = []
    for i, k in enumerate(kinds.kinds):
        problems += [
            ContentProblem("content/diagrams/node_kinds.yaml", f"{i}.concepts", f"no concept {c!r}")
            for c in k.concepts
            if c not in concepts
        ]
    for i, rule in enumerate(rules.rules):
        for name, value in rule:
            if name.endswith("kinds") and isinstance(value, list):
                problems += [
                    ContentProblem("content/diagrams/rules.yaml", f"{i}.{name}", f"no kind {v!r}")
                    for v in value
                    if v not in known
                ]
    ids = [r.id for r in rules.rules]
    problems += [
        ContentProblem("content/diagrams/rules.yaml", "id", f"duplicate rule id {d!r}")
        for d in sorted({i for i in ids if ids.count(i) > 1})
    ]
    if problems:
        raise ContentError(problems)
    return kinds, rules


@lru_cache(maxsize=1)
def bundled_diagram_content() -> tuple[NodeKindSet, RuleSet]:
    return load_diagram_content()


def kind_by_id() -> dict[str, NodeKind]:
    return {k.id: k for k in bundled_diagram_content()[0].kinds}
