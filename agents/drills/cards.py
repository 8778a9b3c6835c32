"""Turns a scorecard into drill cards: each missed or partial rubric item of the question, and
each concept the candidate named without a reason (the interviewer had to probe it)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from agents.evaluation import Evaluation
from agents.text import content_words
from content.loader import Bank
from content.schema import DrillRules, Question

_HEADING = re.compile(r"^(#{2,3})\s+(.+?)\s*$", re.M)


@dataclass(frozen=True)
class CardSpec:
    key: str
    kind: str
    topic: str
    prompt: str
    reference: str
    question_id: str | None = None
    dimension: str | None = None
    notes: list[dict[str, Any]] = field(default_factory=list)


def system_of(question: Question) -> str:
    """'Design a URL shortener' -> 'a URL shortener', for a question that stands alone."""
    title = re.sub(r"^design\s+", "", question.title.strip(), flags=re.I)
    return title if not title or title[:2].isupper() else title[0].lower() + title[1:]


def sections(body: str) -> list[tuple[str, str]]:
    """A note's (heading, text) pairs at levels 2 and 3."""
    marks = list(_HEADING.finditer(body))
    return [
        (m.group(2), body[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(body)])
        for i, m in enumerate(marks)
    ]


def note_sections(
    bank: Bank, note_ids: Iterable[str], phrases: Iterable[str], limit: int
) -> list[dict[str, Any]]:
    """The note sections that say most about `phrases` (a phrase counts once per section)."""
    wanted = [p.lower() for p in phrases if len(p) >= 3]
    scored: list[tuple[int, str, str]] = []
    ids = [n for n in dict.fromkeys(note_ids) if n in bank.notes]
    for nid in ids:
        for heading, text in sections(bank.notes[nid].body):
            if heading.lower() == "in the interview":
                continue
            low = (heading + " " + text).lower()
            hits = sum(1 for p in wanted if p in low)
            if hits:
                scored.append((hits, nid, heading))
    scored.sort(key=lambda t: -t[0])  # stable: the notes' own order breaks ties
    picked: list[dict[str, Any]] = [
        {"note": nid, "title": bank.notes[nid].meta.title, "section": heading}
        for _, nid, heading in scored[:limit]
    ]
    if not picked and ids:  # nothing matched: the note itself, from its top
        picked = [{"note": ids[0], "title": bank.notes[ids[0]].meta.title, "section": None}]
    return picked


def section_text(bank: Bank, note_id: str, heading: str | None) -> str:
    note = bank.notes.get(note_id)
    if note is None:
        return ""
    if heading is None:
        return note.body
    return next((text.strip() for h, text in sections(note.body) if h == heading), "")


def _item_cards(ev: Evaluation, q: Question, bank: Bank, rules: DrillRules) -> list[CardSpec]:
    own = {i.id: i for i in q.rubric}
    probes = {p.trigger_value: p for p in q.probes if p.trigger_kind == "item"}
    out = []
    for result in ev.items:
        item = own.get(result.id)
        if item is None or result.status == "covered":
            continue
        probe = probes.get(item.id)
        prompt = (
            rules.item_question.format(system=system_of(q), probe=probe.question.strip())
            if probe
            else rules.item_question_no_probe.format(system=system_of(q), topic=item.topic)
        )
        words = [*item.signals, *content_words(item.topic)]
        out.append(
            CardSpec(
                key=f"item:{q.id}#{item.id}",
                kind="item",
                topic=item.topic,
                prompt=prompt,
                reference=item.text.strip(),
                question_id=q.id,
                dimension=item.dimension,
                notes=note_sections(bank, q.related_notes, words, rules.max_note_sections),
            )
        )
    return out


def _concept_cards(concepts: Iterable[str], bank: Bank, rules: DrillRules) -> list[CardSpec]:
    out = []
    for cid in dict.fromkeys(concepts):
        card = bank.concept_cards.get(cid)
        if card is None:
            continue
        words = [*bank.concepts[cid].aliases, *content_words(card.question)]
        out.append(
            CardSpec(
                key=f"concept:{cid}",
                kind="concept",
                topic=cid.replace("-", " "),
                prompt=card.question,
                reference=card.answer.strip(),
                notes=note_sections(bank, card.notes, words, rules.max_note_sections),
            )
        )
    return out


def weak_concepts(question: Question, probe_ids: Iterable[str]) -> list[str]:
    """Concepts whose probes the interviewer asked: named without a reason."""
    by_id = {p.id: p for p in question.probes}
    return [
        by_id[pid].trigger_value
        for pid in probe_ids
        if pid in by_id and by_id[pid].trigger_kind == "concept"
    ]


def cards_for(
    ev: Evaluation, question: Question, bank: Bank, probed_concepts: Iterable[str] = ()
) -> list[CardSpec]:
    """The cards a scorecard earns (one per key; the bank's rules must be loaded)."""
    rules = bank.drill_rules
    if rules is None:
        return []
    return [*_item_cards(ev, question, bank, rules), *_concept_cards(probed_concepts, bank, rules)]
