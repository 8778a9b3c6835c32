"""Node kinds from the concept bank: a label's aliases first, then its meaning (embeddings).

A label naming several kinds ("Stripe API", "Order DB service") takes the specific kind over a
generic one, then the rightmost name: in an English compound the head noun comes last.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from content.loader import Bank
from diagrams.model import Diagram
from diagrams.schema import NodeKind

Encode = Callable[[list[str]], np.ndarray]
# A label this close to a kind's exemplars takes that kind. Fitted on the tuning split of
# evals/data/diagrams.yaml: every tuning label no alias names scored below it or was closest to
# a wrong kind (a "Shopper" is 0.43 from "worker"), so the fallback abstains rather than guess.
EMBED_MIN_SIMILARITY = 0.45
_WORD = re.compile(r"[a-z0-9]+(?:[/'][a-z0-9]+)*")


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def tokens(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _WORD.findall(text.lower().replace("-", " ")))


@dataclass(frozen=True)
class _Alias:
    words: tuple[str, ...]
    kind: str
    generic: bool


class KindClassifier:
    """Names the kind of a node from its label; `encode` (the project's embedder) is optional."""

    def __init__(self, kinds: Iterable[NodeKind], bank: Bank, encode: Encode | None = None):
        self.kinds = list(kinds)
        self.encode = encode
        by_first: dict[str, list[_Alias]] = {}
        for k in self.kinds:
            names = [(a, k.generic) for a in k.aliases]
            names += [(a, True) for a in k.weak_aliases]
            for cid in k.concepts:
                names += [(a, k.generic) for a in bank.concepts[cid].aliases]
            for name, generic in names:
                words = tokens(name)
                if words:
                    by_first.setdefault(words[0], []).append(_Alias(words, k.id, generic))
        self._aliases = by_first
        self._exemplar_vecs: np.ndarray | None = None
        self._exemplar_kinds: list[str] = []

    def matches(self, text: str) -> list[tuple[int, int, str, bool]]:
        """Every alias in `text`: (end word, length in words, kind, generic)."""
        words = tokens(text)
        found = []
        for i, w in enumerate(words):
            for alias in self._aliases.get(w, ()):
                n = len(alias.words)
                if words[i : i + n] == alias.words:
                    found.append((i + n, n, alias.kind, alias.generic))
        return found

    def by_alias(self, label: str) -> str | None:
        found = self.matches(label)
        if not found:
            return None
        return max(found, key=lambda m: (not m[3], m[0], m[1]))[2]

    def kinds_named(self, text: str) -> set[str]:
        return {m[2] for m in self.matches(text)}

    def _exemplars(self) -> np.ndarray:
        if self._exemplar_vecs is None:
            assert self.encode is not None
            texts = []
            for k in self.kinds:
                for t in (k.name, *k.exemplars):
                    texts.append(t)
                    self._exemplar_kinds.append(k.id)
            self._exemplar_vecs = self.encode(texts)
        return self._exemplar_vecs

    def by_meaning(self, labels: list[str]) -> list[str | None]:
        if not labels or self.encode is None:
            return [None] * len(labels)
        sims = self.encode(labels) @ self._exemplars().T
        out: list[str | None] = []
        for row in sims:
            best = int(np.argmax(row))
            out.append(self._exemplar_kinds[best] if row[best] >= EMBED_MIN_SIMILARITY else None)
        return out

    def classify(self, diagram: Diagram) -> Diagram:
        """Sets `kind` on every node of `diagram` (None when neither way names one)."""
        unknown = []
        for node in diagram.nodes.values():
            node.kind = self.by_alias(node.label)
            if node.kind is None and node.shape == "cylinder":
                node.kind = "relational-db"  # a cylinder is how a database is drawn
            if node.kind is None:
                unknown.append(node)
        if unknown:
            for node, kind in zip(
                unknown, self.by_meaning([n.label for n in unknown]), strict=True
            ):
                node.kind = kind
        return diagram
