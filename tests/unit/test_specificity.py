"""Specificity: a point made concretely and justified earns full credit, one gestured at half."""

from __future__ import annotations

import pytest

from agents.specificity import SpecificityJudge
from content.loader import bundled_bank, load_bank
from content.schema import VaguePhrase


@pytest.fixture(scope="module")
def judge() -> SpecificityJudge:
    bank = bundled_bank()
    return SpecificityJudge(bank.concepts, list(bank.vague.values()))


@pytest.mark.parametrize(
    ("text", "concrete", "vague", "reasoned"),
    [
        ("Peak is 50,000 enqueues a second, about 100 MB/s.", True, False, False),
        (
            "Assignment is a conditional update so an order can't get two couriers.",
            False,
            False,
            True,
        ),
        ("Holds use `WHERE reserved < capacity` on each night's row.", True, False, False),
        ("Sessions live in Redis with a Postgres fallback.", True, False, False),
        ("It must be highly available and handled carefully.", False, True, False),
        ("We should make sure the system behaves correctly under load.", False, True, False),
        # A filler phrase next to a number is still a commitment.
        ("It must be highly available: 99.99%, or 52 minutes down a year.", True, False, False),
        (
            "I picked a lease over a plain lock because a paused holder must lose it.",
            False,
            False,
            True,
        ),
        # Names listed and related by nothing are a list, not a design, whatever the "because".
        (
            "It must scale because there are many users, so we use Kafka, Redis and Cassandra.",
            True,
            True,
            True,
        ),
        # A bare list of names is a list too, with or without its "and".
        ("Kafka, Redis, Cassandra, sharding, CDN", True, True, False),
        # The same names with the data flowing between them are a design.
        (
            "Writes go to Kafka, then a consumer stores them in Cassandra and updates Redis.",
            True,
            False,
            False,
        ),
        # A hedge commits to nothing.
        ("I guess we'd shard the database somehow.", False, True, False),
        # An intention is not a decision, whatever it names; a figure makes it one.
        ("We should also think about reliability and monitoring.", False, True, False),
        ("We need to think about caching, sharding and replication here.", False, True, False),
        ("We should think about a 5-minute TTL on the cached timelines.", True, False, False),
        # "Add more" of something is capacity wished for, not a design for the failure.
        ("If Redis fails we add more Redis.", False, True, False),
        ("When it gets slow we just throw more servers at it.", False, True, False),
        ("At 80% disk we add more shards, 2 at a time, and rebalance.", True, False, False),
    ],
)
def test_sentence_specificity(
    judge: SpecificityJudge, text: str, concrete: bool, vague: bool, reasoned: bool
) -> None:
    spec = judge.of(text)
    assert (spec.concrete, spec.vague, spec.reasoned) == (concrete, vague, reasoned)
    # Vague for listing names only, not for a filler phrase: asked "how do they fit together".
    assert spec.listed == (vague and concrete)


def test_no_rules_means_nothing_is_vague() -> None:
    judge = SpecificityJudge({}, [])
    assert not judge.of("It will be robust and seamless.").vague


def test_bad_vague_pattern_is_reported_with_its_place(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "vague_phrases.yaml").write_text("- {id: broken, pattern: '(unclosed'}\n")
    bank = load_bank(tmp_path)
    assert any(p.path.endswith("vague_phrases.yaml") and "[0]" in p.field for p in bank.problems), (
        bank.problems
    )
    with pytest.raises(ValueError):
        VaguePhrase(id="x", pattern="(unclosed")


def test_vague_evidence_earns_less_than_concrete_evidence() -> None:
    """The same rubric point, once gestured at and once made concretely, graded end to end."""
    from tests.support.engines import offline_evaluator

    ev = offline_evaluator()
    q = "Design a hotel reservation system where guests search and book rooms."
    vague = (
        "Reservations are a classic concurrency problem. It needs to be handled carefully with "
        "the right consistency mechanisms. We should make sure the system is robust and "
        "highly available. Search should be fast and efficient for a smooth user experience."
    )
    concrete = (
        "Inventory is one row per hotel, room type and night, about 36M rows in Postgres. A hold "
        "is a conditional UPDATE on every night of the stay, accepted only if all rows change, "
        "because that makes a double booking impossible. Search reads replicas a few seconds "
        "stale, so a guest may see a room that just sold out, never a double booking."
    )
    a, b = ev.grade_many([(q, vague, "senior", None), (q, concrete, "senior", None)])
    assert b.overall > a.overall
    # The scorecard lists what was only touched on apart from what was missed.
    for ev_ in (a, b):
        texts = {i.id: i for i in ev_.items}
        assert texts
        for d in ev_.dimensions:
            assert not set(d.partial) & set(d.missing)
    assert any(d.partial for d in a.dimensions)
