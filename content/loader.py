"""Loads and cross-checks the content bank: questions, concepts and study notes.

Every problem is reported as `ContentProblem(path, field, message)` so an author sees exactly which
file and which field to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.schema import (
    Behaviour,
    Concept,
    ConceptCard,
    DrillRules,
    Note,
    NoteMeta,
    Question,
    RedFlag,
    SearchTerms,
    Stance,
    VaguePhrase,
)
from retrieval.loaders import load_bytes, section_key

M = TypeVar("M", bound=BaseModel)
CONTENT_DIR = Path(__file__).resolve().parent
NOTE_WORDS = (400, 1200)
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)
SEARCH_TERMS_DIR = "search_terms"
# libyaml's parser reads the bank about ten times faster than the pure-Python one, same data.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ContentProblem:
    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


class ContentError(ValueError):
    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Bank:
    questions: dict[str, Question] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)
    concepts: dict[str, Concept] = field(default_factory=dict)
    behaviours: dict[str, Behaviour] = field(default_factory=dict)  # in every design rubric
    generic: dict[str, Behaviour] = field(default_factory=dict)  # the rubric outside the bank
    red_flags: dict[str, RedFlag] = field(default_factory=dict)
    stances: dict[str, Stance] = field(default_factory=dict)
    vague: dict[str, VaguePhrase] = field(default_factory=dict)
    concept_cards: dict[str, ConceptCard] = field(default_factory=dict)  # drill cards
    search_terms: dict[str, SearchTerms] = field(default_factory=dict)  # by note id
    drill_rules: DrillRules | None = None
    problems: list[ContentProblem] = field(default_factory=list)

    @property
    def rubric_items(self) -> int:
        return sum(len(q.rubric) for q in self.questions.values())

    @property
    def probes(self) -> int:
        return sum(len(q.probes) for q in self.questions.values())

    def summary(self) -> dict[str, Any]:
        return {
            "questions": len(self.questions),
            "notes": len(self.notes),
            "search_terms": sum(len(t.sections) for t in self.search_terms.values()),
            "rubric_items": self.rubric_items,
            "probes": self.probes,
            "concepts": len(self.concepts),
            "errors": [str(p) for p in self.problems],
        }


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _validation_problems(rel: str, err: ValidationError) -> list[ContentProblem]:
    out = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(file)"
        out.append(ContentProblem(rel, loc, e["msg"]))
    return out


def _read_yaml(path: Path, rel: str, problems: list[ContentProblem]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(ContentProblem(rel, "(file)", f"not valid YAML: {exc}"))
        return None


def _load_questions(root: Path, bank: Bank) -> None:
    for path in sorted((root / "questions").glob("*.yaml")):
        rel, q = _read_model(path, root, bank, Question)
        if q is None:
            continue
        if q.id != path.stem:
            bank.problems.append(ContentProblem(rel, "id", f"id {q.id!r} must match file name"))
        elif q.id in bank.questions:
            bank.problems.append(ContentProblem(rel, "id", f"duplicate question id {q.id!r}"))
        else:
            bank.questions[q.id] = q


def _load_concepts(root: Path, bank: Bank) -> None:
    for path in sorted((root / "concepts").glob("*.yaml")):
        _load_records(path, root, bank, Concept, bank.concepts)


def _read_model(path: Path, root: Path, bank: Bank, model: type[M]) -> tuple[str, M | None]:
    """One YAML file read as one `model` record; None (its problems recorded) when it is not."""
    rel, known = _rel(path, root), len(bank.problems)
    data = _read_yaml(path, rel, bank.problems)
    if data is None:
        if len(bank.problems) == known:
            bank.problems.append(ContentProblem(rel, "(file)", "empty file"))
        return rel, None
    try:
        return rel, model.model_validate(data)
    except ValidationError as err:
        bank.problems.extend(_validation_problems(rel, err))
        return rel, None


def _load_list(root: Path, bank: Bank, name: str, model: type[M], into: dict[str, M]) -> None:
    """A YAML list of `model` records at `root/name`, when the file exists."""
    path = root / name
    if path.exists():
        _load_records(path, root, bank, model, into)


def _load_records(path: Path, root: Path, bank: Bank, model: type[M], into: dict[str, M]) -> None:
    """A YAML list of `model` records with unique ids, each problem recorded with its place."""
    rel = _rel(path, root)
    data = _read_yaml(path, rel, bank.problems)
    if not isinstance(data, list):
        bank.problems.append(ContentProblem(rel, "(file)", f"expected a list of {model.__name__}"))
        return
    for i, raw in enumerate(data):
        try:
            record = model.model_validate(raw)
        except ValidationError as err:
            for p in _validation_problems(rel, err):
                bank.problems.append(ContentProblem(rel, f"[{i}].{p.field}", p.message))
            continue
        rid = str(getattr(record, "id", i))
        if rid in into:
            bank.problems.append(ContentProblem(rel, f"[{i}].id", f"duplicate id {rid!r}"))
        into[rid] = record


def _load_drill_rules(root: Path, bank: Bank) -> None:
    path = root / "drills" / "rules.yaml"
    if not path.exists():
        return
    rel = _rel(path, root)
    data = _read_yaml(path, rel, bank.problems)
    try:
        bank.drill_rules = DrillRules.model_validate(data)
    except ValidationError as err:
        bank.problems.extend(_validation_problems(rel, err))


def parse_note(text: str, rel: str) -> Note:
    """Parses a Markdown note with YAML front matter; raises ContentError naming the field."""
    m = _FRONT_MATTER.match(text)
    if not m:
        raise ContentError([ContentProblem(rel, "(front matter)", "missing '---' front matter")])
    try:
        meta_raw = yaml.load(m.group(1), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ContentError([ContentProblem(rel, "(front matter)", f"bad YAML: {exc}")]) from exc
    try:
        meta = NoteMeta.model_validate(meta_raw)
    except ValidationError as err:
        raise ContentError(_validation_problems(rel, err)) from err
    return Note(meta=meta, body=m.group(2).strip() + "\n", path=rel)


def _load_notes(root: Path, bank: Bank) -> None:
    for path in sorted((root / "notes").glob("*.md")):
        rel = _rel(path, root)
        try:
            note = parse_note(path.read_text(encoding="utf-8"), rel)
        except ContentError as err:
            bank.problems.extend(err.problems)
            continue
        if note.id != path.stem:
            bank.problems.append(ContentProblem(rel, "id", f"id {note.id!r} must match file name"))
            continue
        bank.notes[note.id] = note


def heading_paths(note: Note) -> list[str]:
    """The keys search terms give a note's sections: each heading's path below the note's
    title ("Origin protection > Origin shield"), read by the parser retrieval indexes with."""
    doc = load_bytes(note.body.encode(), source=note.path, kind="markdown")
    # A heading with no text of its own before its sub-headings is in their paths only.
    paths = (s.path[:n] for s in doc.sections for n in range(1, len(s.path) + 1))
    return list(dict.fromkeys(key for path in paths if (key := section_key(doc, path))))


def _load_search_terms(root: Path, bank: Bank) -> None:
    for path in sorted((root / SEARCH_TERMS_DIR).glob("*.yaml")):
        rel, terms = _read_model(path, root, bank, SearchTerms)
        if terms is None:
            continue
        if terms.note != path.stem:
            bank.problems.append(ContentProblem(rel, "note", "must match the file name"))
            continue
        note = bank.notes.get(terms.note)
        if note is None:
            bank.problems.append(ContentProblem(rel, "note", f"no note {terms.note!r}"))
            continue
        known = set(heading_paths(note))
        for key in terms.sections:
            if key not in known:
                bank.problems.append(ContentProblem(rel, f"sections.{key}", "no such heading"))
        bank.search_terms[terms.note] = terms


def notes_search_terms(bank: Bank) -> dict[str, dict[str, list[str]]]:
    """Search terms by note id, then heading path below the title: what retrieval indexes."""
    return {nid: dict(t.sections) for nid, t in bank.search_terms.items()}


def _cross_check(bank: Bank) -> None:
    for q in bank.questions.values():
        rel = f"content/questions/{q.id}.yaml"
        item_ids = {i.id for i in q.rubric}
        for j, p in enumerate(q.probes):
            kind, value = p.trigger_kind, p.trigger_value
            if kind == "item" and value not in item_ids:
                bank.problems.append(
                    ContentProblem(rel, f"probes.{j}.trigger", f"no rubric item {value!r}")
                )
            if kind == "concept" and value not in bank.concepts:
                bank.problems.append(
                    ContentProblem(rel, f"probes.{j}.trigger", f"no concept {value!r}")
                )
        kinds = [p.trigger_kind for p in q.probes]
        if kinds.count("concept") < 3 or kinds.count("item") < 3:
            bank.problems.append(
                ContentProblem(rel, "probes", "needs at least 3 concept and 3 item probes")
            )
        for j, nid in enumerate(q.related_notes):
            if nid not in bank.notes:
                bank.problems.append(ContentProblem(rel, f"related_notes.{j}", f"no note {nid!r}"))
    for cid, card in bank.concept_cards.items():
        rel = "content/drills/concepts.yaml"
        if cid not in bank.concepts:
            bank.problems.append(ContentProblem(rel, f"{cid}.id", f"no concept {cid!r}"))
        for j, nid in enumerate(card.notes):
            if nid not in bank.notes:
                bank.problems.append(ContentProblem(rel, f"{cid}.notes.{j}", f"no note {nid!r}"))
    for n in bank.notes.values():
        low, high = NOTE_WORDS
        if not low <= n.word_count <= high:
            bank.problems.append(
                ContentProblem(n.path, "(body)", f"{n.word_count} words; expected {low}-{high}")
            )
        for j, qid in enumerate(n.meta.related_questions):
            if qid not in bank.questions:
                bank.problems.append(
                    ContentProblem(n.path, f"related_questions.{j}", f"no question {qid!r}")
                )


def load_bank(root: Path | None = None) -> Bank:
    """Loads everything under `root` (default: the bundled content) and records every problem."""
    root = root or CONTENT_DIR
    bank = Bank()
    _load_concepts(root, bank)
    _load_questions(root, bank)
    _load_notes(root, bank)
    _load_search_terms(root, bank)
    _load_list(root, bank, "behaviours.yaml", Behaviour, bank.behaviours)
    _load_list(root, bank, "generic_rubric.yaml", Behaviour, bank.generic)
    _load_list(root, bank, "red_flags.yaml", RedFlag, bank.red_flags)
    _load_list(root, bank, "stances.yaml", Stance, bank.stances)
    _load_list(root, bank, "vague_phrases.yaml", VaguePhrase, bank.vague)
    _load_list(root, bank, "drills/concepts.yaml", ConceptCard, bank.concept_cards)
    _load_drill_rules(root, bank)
    _cross_check(bank)
    return bank


@lru_cache(maxsize=1)
def bundled_bank() -> Bank:
    """The bundled bank, loaded once per process; refuses to serve content with problems."""
    bank = load_bank()
    if bank.problems:
        raise ContentError(bank.problems)
    return bank
