"""Structural findings: each rule of content/diagrams/rules.yaml run over a typed diagram."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from diagrams.kinds import KindClassifier, tokens
from diagrams.model import Diagram, Edge
from diagrams.schema import (
    DirectEdge,
    NoConsumer,
    NodeKind,
    NothingBehind,
    ProseMismatch,
    Rule,
    SingleInstance,
    SyncOnRequestPath,
)


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str  # a node id, an edge 'a->b', or a kind id (prose checks)
    message: str
    probe: str
    topic: str
    nodes: tuple[str, ...] = ()  # what the scorecard highlights

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.subject)


def _has_words(text: str, words: Iterable[str]) -> bool:
    have = tokens(text)
    joined = f" {' '.join(have)} "
    return any(f" {' '.join(tokens(w))} " in joined for w in words)


def _finding(rule: Rule, subject: str, label: str, nodes: tuple[str, ...]) -> Finding:
    return Finding(
        rule.id,
        subject,
        rule.message.format(label=label),
        rule.probe.format(label=label),
        rule.topic,
        nodes,
    )


def _neighbours(d: Diagram) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {n: set() for n in d.nodes}
    for e in d.edges:
        out[e.source].add(e.target)
        out[e.target].add(e.source)
    return out


def _single_instance(rule: SingleInstance, d: Diagram) -> list[Finding]:
    nbrs = _neighbours(d)
    stores = [n for n in d.nodes.values() if n.kind in rule.kinds]
    found = []
    for node in stores:
        redundant = _has_words(node.label, rule.redundancy_words)
        redundant |= any(
            _has_words(e.label, rule.redundancy_words)
            for e in d.edges
            if node.id in (e.source, e.target)
        )
        # a peer of the same kind drawn as its replica ("Postgres replica" beside "Postgres")
        redundant |= any(
            d.nodes[m].kind == node.kind and _has_words(d.nodes[m].label, rule.redundancy_words)
            for m in nbrs[node.id]
        )
        redundant |= any(
            other.id != node.id
            and other.kind == node.kind
            and _has_words(other.label, rule.redundancy_words)
            and tokens(other.label)[:1] == tokens(node.label)[:1]
            for other in stores
        )
        if not redundant:
            found.append(_finding(rule, node.id, node.label, (node.id,)))
    return found


def _component(d: Diagram, start: str, nbrs: dict[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for m in nbrs[todo.pop()]:
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def _nothing_behind(rule: NothingBehind, d: Diagram) -> list[Finding]:
    nbrs = _neighbours(d)
    found = []
    for node in d.nodes.values():
        if node.kind in rule.kinds and not any(
            d.nodes[m].kind in rule.behind_kinds for m in _component(d, node.id, nbrs)
        ):
            found.append(_finding(rule, node.id, node.label, (node.id,)))
    return found


def _direct_edge(rule: DirectEdge, d: Diagram) -> list[Finding]:
    found = []
    for e in d.edges:
        ends = [(e.source, e.target)]
        if e.arrow != "forward":
            ends.append((e.target, e.source))
        for a, b in ends:
            if d.nodes[a].kind in rule.from_kinds and d.nodes[b].kind in rule.to_kinds:
                found.append(_finding(rule, f"{a}->{b}", d.nodes[b].label, (a, b)))
    return _unique(found)


def _no_consumer(rule: NoConsumer, d: Diagram) -> list[Finding]:
    found = []
    for node in d.nodes.values():
        if node.kind not in rule.kinds:
            continue
        consumed = False
        for e in d.edges:
            if node.id not in (e.source, e.target):
                continue
            other = e.target if e.source == node.id else e.source
            into_queue = e.target == node.id and e.arrow == "forward"  # a producer's write
            if not into_queue and (
                e.source == node.id
                or e.arrow == "both"
                or d.nodes[other].kind in rule.consumer_kinds
            ):
                consumed = True
                break
            if _has_words(e.label, rule.consume_words):
                consumed = True
                break
        if not consumed:
            found.append(_finding(rule, node.id, node.label, (node.id,)))
    return found


def _is_async(e: Edge, words: list[str]) -> bool:
    return e.asynchronous or e.style == "dotted" or _has_words(e.label, words)


def _sync_on_request_path(rule: SyncOnRequestPath, d: Diagram) -> list[Finding]:
    entries = [n.id for n in d.nodes.values() if n.kind in rule.entry_kinds]
    if not entries:
        entries = [n.id for n in d.nodes.values() if n.kind in rule.fallback_entry_kinds]
    on_path, todo = set(entries), deque(entries)
    found = []
    while todo:
        here = todo.popleft()
        for e in d.edges:
            if e.source != here or _is_async(e, rule.async_words):
                continue
            nxt = d.nodes[e.target]
            if nxt.kind in rule.to_kinds:
                found.append(_finding(rule, nxt.id, nxt.label, (here, nxt.id)))
            elif nxt.id not in on_path and nxt.kind not in rule.off_path_kinds:
                on_path.add(nxt.id)
                todo.append(nxt.id)
    return _unique(found)


def _prose(
    rule: ProseMismatch, d: Diagram, prose: str, classifier: KindClassifier, names: dict[str, str]
) -> list[Finding]:
    if len(prose.split()) < rule.min_prose_words:
        return []
    named = classifier.kinds_named(prose) & set(rule.kinds)
    drawn = {n.kind for n in d.nodes.values() if n.kind in rule.kinds}
    if rule.check == "named_not_drawn":
        return [_finding(rule, k, names[k], ()) for k in sorted(named - drawn)]
    return [
        _finding(rule, k, names[k], tuple(n.id for n in d.nodes.values() if n.kind == k))
        for k in sorted(drawn - named)
    ]


def _unique(found: list[Finding]) -> list[Finding]:
    seen: dict[tuple[str, str], Finding] = {}
    for f in found:
        seen.setdefault(f.key, f)
    return list(seen.values())


def check(
    d: Diagram,
    rules: Iterable[Rule],
    classifier: KindClassifier,
    kinds: Iterable[NodeKind],
    prose: str = "",
) -> list[Finding]:
    """Every finding of `rules` on a diagram whose nodes already carry their kinds."""
    names = {k.id: k.name for k in kinds}
    found: list[Finding] = []
    for rule in rules:
        if isinstance(rule, SingleInstance):
            found += _single_instance(rule, d)
        elif isinstance(rule, NothingBehind):
            found += _nothing_behind(rule, d)
        elif isinstance(rule, DirectEdge):
            found += _direct_edge(rule, d)
        elif isinstance(rule, NoConsumer):
            found += _no_consumer(rule, d)
        elif isinstance(rule, SyncOnRequestPath):
            found += _sync_on_request_path(rule, d)
        else:
            found += _prose(rule, d, prose, classifier, names)
    return found
