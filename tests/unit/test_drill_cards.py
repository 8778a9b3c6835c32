"""Drill content and card making, in process: the rules' schema, the grade -> rating map, which
scorecard results become cards, and the labelled drill answers' schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from agents.drills import cards
from agents.drills.schedule import credit_of
from agents.evaluation import DimensionScore, Evaluation, ItemResult
from content.loader import bundled_bank
from content.schema import ConceptCard, DrillRules
from evals import datasets

BANK = bundled_bank()
RULES = BANK.drill_rules


def _rules(**bands: float) -> dict:
    order = ("easy", "good", "hard", "again")
    return {
        "item_question": "You are designing {system}. {probe}",
        "item_question_no_probe": "You are designing {system}. What about {topic}?",
        "rating_bands": [{"rating": r, "min_credit": bands[r]} for r in order],
    }


@pytest.mark.parametrize(
    ("credit", "rating"),
    [(1.0, "easy"), (0.85, "easy"), (0.84, "good"), (0.5, "good"), (0.3, "hard"), (0.0, "again")],
)
def test_credit_maps_to_rating_by_the_bands_in_the_data_file(credit: float, rating: str) -> None:
    assert RULES is not None
    assert RULES.rating_for(credit) == rating


@pytest.mark.parametrize(
    "bands",
    [
        {"easy": 0.5, "good": 0.8, "hard": 0.2, "again": 0.0},  # not falling
        {"easy": 0.9, "good": 0.5, "hard": 0.2, "again": 0.1},  # a credit with no band
    ],
)
def test_rules_refuse_bands_that_do_not_cover_every_credit(bands: dict) -> None:
    with pytest.raises(ValidationError):
        DrillRules.model_validate(_rules(**bands))


def test_concept_card_refuses_a_long_reference() -> None:
    with pytest.raises(ValidationError, match="60 words"):
        ConceptCard(id="cache", question="What is a cache?", answer="word " * 61, notes=["caching"])


def test_credit_counts_partial_as_half() -> None:
    assert credit_of(["covered", "partial", "missing", "missing"]) == pytest.approx(0.375)
    assert credit_of([]) == 0.0


def _evaluation(statuses: dict[str, str]) -> Evaluation:
    q = BANK.questions["url-shortener"]
    items = [
        ItemResult(id=i.id, dimension=i.dimension, status=statuses.get(i.id, "covered"))  # type: ignore[arg-type]
        for i in q.rubric
    ]
    items.append(ItemResult(id="b-clarifies", dimension="communication", status="missing"))
    return Evaluation(
        question_id=q.id,
        overall=2.0,
        verdict="lean_no_hire",
        dimensions=[DimensionScore(name="deep_dive", score=2.0)],
        items=items,
        feedback="",
        engine="offline",
    )


def test_missed_and_partial_items_and_probed_concepts_become_cards() -> None:
    q = BANK.questions["url-shortener"]
    ev = _evaluation({"code-generation": "missing", "cache-redirects": "partial"})
    probed = cards.weak_concepts(q, ["cassandra-why", "status-code", "no-such-probe"])
    made = cards.cards_for(ev, q, BANK, [*probed, "redis"])
    keys = [c.key for c in made]
    # Covered items and behaviour items make none; concepts without a card in the data neither.
    assert keys[:2] == ["item:url-shortener#code-generation", "item:url-shortener#cache-redirects"]
    assert all(not k.startswith("concept:") or k[8:] in BANK.concept_cards for k in keys)
    assert probed == ["cassandra"]
    code = made[0]
    assert code.prompt.startswith("You are designing a URL shortener. ")
    assert "same millisecond" in code.prompt  # the bank's probe for that item, standing alone
    assert code.reference == q.item("code-generation").text.strip()
    assert code.notes and all(n["note"] in q.related_notes for n in code.notes)
    assert cards.section_text(BANK, code.notes[0]["note"], code.notes[0]["section"])


def test_card_for_key_rebuilds_what_the_app_builds() -> None:
    q = BANK.questions["url-shortener"]
    made = cards.cards_for(_evaluation({"code-generation": "missing"}), q, BANK)
    assert cards.card_for_key(made[0].key, BANK) == made[0]
    assert cards.card_for_key("item:url-shortener#no-such-item", BANK) is None
    assert cards.card_for_key("concept:no-such-concept", BANK) is None


def test_labelled_drill_answers_load_and_name_real_cards() -> None:
    cases = datasets.drill_answers()
    assert len(cases) >= 60
    assert all(cards.card_for_key(c.card, BANK) is not None for c in cases)
    assert {c.label for c in cases} == {0, 1, 2, 3, 4}


def test_labelled_drill_answers_schema_names_the_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "drills.yaml"
    path.write_text('- {id: x-1, card: "concept:cache", label: 5, answer: "too good"}\n')
    with pytest.raises(datasets.DatasetError, match="record 0: label"):
        datasets.drill_answers(tmp_path)
