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


def item_card(q: Question, item_id: str, bank: Bank, rules: DrillRules) -> CardSpec:
    item = q.item(item_id)
    probe = next(
        (p for p in q.probes if p.trigger_kind == "item" and p.trigger_value == item.id), None
    )
    prompt = (
        rules.item_question.format(system=system_of(q), probe=probe.question.strip())
        if probe
        else rules.item_question_no_probe.format(system=system_of(q), topic=item.topic)
    )
    words = [*item.signals, *content_words(item.topic)]
    return CardSpec(
        key=f"item:{q.id}#{item.id}",
        kind="item",
        topic=item.topic,
        prompt=prompt,
        reference=item.text.strip(),
        question_id=q.id,
        dimension=item.dimension,
        notes=note_sections(bank, q.related_notes, words, rules.max_note_sections),
    )


def concept_card(cid: str, bank: Bank, rules: DrillRules) -> CardSpec:
    card = bank.concept_cards[cid]
    words = [*bank.concepts[cid].aliases, *content_words(card.question)]
    return CardSpec(
        key=f"concept:{cid}",
        kind="concept",
        topic=cid.replace("-", " "),
        prompt=card.question,
        reference=card.answer.strip(),
        notes=note_sections(bank, card.notes, words, rules.max_note_sections),
    )


def card_for_key(key: str, bank: Bank) -> CardSpec | None:
    """The card a key names ('item:<question>#<item>' or 'concept:<id>'), if the bank has it."""
    kind, _, rest = key.partition(":")
    rules = bank.drill_rules
    if rules is None:
        return None
    if kind == "concept" and rest in bank.concept_cards:
        return concept_card(rest, bank, rules)
    qid, _, item_id = rest.partition("#")
    q = bank.questions.get(qid)
    if kind == "item" and q is not None and any(i.id == item_id for i in q.rubric):
        return item_card(q, item_id, bank, rules)
    return None


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
    own = {i.id for i in question.rubric}  # behaviour items are practised in interviews only
    missed = [r.id for r in ev.items if r.id in own and r.status != "covered"]
    return [
        *(item_card(question, item_id, bank, rules) for item_id in missed),
        *(
            concept_card(c, bank, rules)
            for c in dict.fromkeys(probed_concepts)
            if c in bank.concept_cards
        ),
    ]
