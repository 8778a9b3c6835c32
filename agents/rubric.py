"""Which rubric grades an answer: a bank question's, the generic one, and reference key points."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from agents.text import content_words, split_sentences
from content.schema import Question, RubricItem

# A reference answer this short (or an answer this short) is graded on its key points alone, as a
# marker grades an exam answer; longer ones add the key points to the design rubric.
SHORT_REFERENCE_WORDS = 60
SHORT_ANSWER_WORDS = 120


@dataclass(frozen=True)
class Rubric:
    key: str
    kind: str  # "bank" | "synthesised" | "generic" | "reference"
    question_id: str | None
    title: str
    prompt: str
    items: tuple[RubricItem, ...]
    reference_ids: frozenset[str] = field(default_factory=frozenset)
    profile: tuple[str, ...] = ()  # texts that describe the question, for relevance checks
    related: frozenset[str] = field(default_factory=frozenset)  # bank questions it borrows from
    bonus_ids: frozenset[str] = field(default_factory=frozenset)  # credit if shown, never missing

    @property
    def reference_only(self) -> bool:
        return bool(self.reference_ids) and len(self.reference_ids) == len(self.items)

    def item(self, item_id: str | None) -> RubricItem | None:
        """The rubric's item with this id, if it has one."""
        return next((i for i in self.items if i.id == item_id), None)


def generic_items() -> tuple[RubricItem, ...]:
    """The generic rubric's items (content/generic_rubric.yaml), for questions outside the bank."""
    from content.loader import bundled_bank

    return tuple(b.item for b in bundled_bank().generic.values())


def behaviour_items() -> tuple[RubricItem, ...]:
    """The behaviour items (content/behaviours.yaml) every design rubric carries."""
    from content.loader import bundled_bank

    return tuple(b.item for b in bundled_bank().behaviours.values())


def interview_only_ids() -> frozenset[str]:
    from content.loader import bundled_bank

    return frozenset(b.item.id for b in bundled_bank().behaviours.values() if b.interview_only)


def for_written(rubric: Rubric) -> Rubric:
    """The rubric for a written answer: what only an interview can show (asking the interviewer,
    checking in) counts when the answer shows it anyway, and is never charged as missing."""
    bonus = interview_only_ids() & {i.id for i in rubric.items}
    if not bonus or bonus <= rubric.bonus_ids:
        return rubric
    return replace(rubric, key=rubric.key + "+written", bonus_ids=rubric.bonus_ids | bonus)


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def reference_items(reference: str, question_text: str) -> list[RubricItem]:
    """Turns a reference answer into rubric items: one per key point (sentence or clause)."""
    question_words = set(content_words(question_text))
    points: list[str] = []
    for sentence in split_sentences(reference):
        # Long sentences carry several points; split them at semicolons.
        parts = [p.strip() for p in re.split(r";\s+", sentence.text) if len(p.split()) >= 3]
        points.extend(parts or [sentence.text])
    items = []
    for i, point in enumerate(points[:20]):
        keys = [w for w in content_words(point) if w not in question_words and len(w) >= 3]
        signals = list(dict.fromkeys(keys))[:8]
        while len(signals) < 2:
            signals.append(point.lower()[:40] if not signals else point.lower())
        items.append(
            RubricItem(
                id=f"ref-{i + 1}",
                dimension="deep_dive",
                text=point,
                topic=f"point {i + 1} of the reference answer",
                weight=2,
                signals=signals,
                requires_reasoning=False,
                level="mid",
            )
        )
    return items


def for_question(question: Question, reference: str | None = None) -> Rubric:
    items = [*question.rubric, *behaviour_items()]
    ref = reference_items(reference, question.prompt) if reference and reference.strip() else []
    profile = (f"{question.title}. {question.prompt}", *question.reference_outline)
    return Rubric(
        key=_key("bank", question.id, reference or ""),
        kind="bank",
        question_id=question.id,
        title=question.title,
        prompt=question.prompt,
        items=tuple(items + ref),
        reference_ids=frozenset(i.id for i in ref),
        profile=profile,
    )


def for_free_text(question_text: str, reference: str | None, answer: str) -> Rubric:
    """The generic rubric, plus (or, for exam-style short answers, only) the reference points."""
    ref = reference_items(reference, question_text) if reference and reference.strip() else []
    short = ref and (
        len(reference.split()) <= SHORT_REFERENCE_WORDS  # type: ignore[union-attr]
        or len(answer.split()) <= SHORT_ANSWER_WORDS
    )
    items = ref if short else [*generic_items(), *behaviour_items(), *ref]
    return Rubric(
        key=_key("free", question_text, reference or "", "short" if short else "long"),
        kind="reference" if short else "generic",
        question_id=None,
        title=question_text[:120],
        prompt=question_text,
        items=tuple(items),
        reference_ids=frozenset(i.id for i in ref),
        profile=(question_text, *([reference] if reference else [])),
    )
