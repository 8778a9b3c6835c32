"""A concept probe attributes a design to the candidate: only what they proposed, quoted whole."""

from __future__ import annotations

import pytest

from agents.interviewer.reading import concept_quotes, named_concepts, quote_around
from content.schema import Concept

CONCEPTS = {
    "redis": Concept(id="redis", kind="technology", aliases=["redis"]),
    "waiting-room": Concept(id="waiting-room", kind="concept", aliases=["waiting room"]),
}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Seat state lives in Postgres; we never use Redis as the source of truth.", False),
        ("Holds go to Postgres, not Redis, because they must survive a failover.", False),
        ("Holds go to Redis with a TTL because the on-sale peak is 5,000 a second.", True),
        # Denied once and proposed later in the same message: it is proposed.
        ("Not Redis for sales. For the seat map cache I'd use Redis with a 2 s TTL.", True),
    ],
)
def test_a_concept_only_denied_is_not_named(text: str, named: bool) -> None:
    assert ("redis" in named_concepts(text, CONCEPTS)) is named
    assert ("redis" in concept_quotes(text, CONCEPTS)) is named


def test_the_quote_is_of_the_mention_that_proposes_it() -> None:
    text = "We don't keep holds in Redis. The seat map is served from Redis, refreshed every 2 s."
    assert concept_quotes(text, CONCEPTS)["redis"].startswith("The seat map is served from Redis")


def test_a_window_cut_inside_a_phrase_says_so_and_does_not_end_on_a_figure() -> None:
    sentence = (
        "A virtual waiting room in front absorbs the 1.5 million fans and admits them at a rate "
        "the hold service can take."
    )
    quote = quote_around(sentence, "waiting room")
    assert quote == "A virtual waiting room in front absorbs…"
    short = "The waiting room admits fans at a fixed rate."
    assert quote_around(short, "waiting room") == "The waiting room admits fans at a fixed rate"


def test_a_quote_does_not_cut_inside_brackets() -> None:
    from agents.interviewer.reading import clip_quote

    said = (
        "Data: payments(id, merchant_id, amount, status, idempotency_key unique per merchant), "
        "and a double-entry ledger of immutable entries that always sum to zero per payment."
    )
    quote = clip_quote(said, 20, focus=said.find("per merchant"))
    assert quote == "payments(id, merchant_id, amount, status, idempotency_key unique per merchant)"


def test_a_window_around_a_concept_keeps_brackets_whole() -> None:
    said = "Data: messages keyed by (conversation_id, seq) in Redis, with a TTL of 30 days."
    assert quote_around(said, "redis") == "messages keyed by (conversation_id, seq) in Redis"


EXACTLY_ONCE = {
    "exactly-once": Concept(id="exactly-once", kind="concept", aliases=["exactly-once"])
}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        # Named only to say it cannot be had: nothing proposed, and nothing left to justify.
        ("Exactly-once isn't achievable end to end, so I'd promise at-least-once.", True),
        ("Exactly-once delivery is impossible across an HTTP call.", True),
        # Proposed, with no reason: a promise to ask about.
        ("Each run is delivered exactly-once to the target.", False),
    ],
)
def test_a_concept_said_to_be_out_of_reach_is_answered_for_not_proposed(
    text: str, named: bool
) -> None:
    """scheduler mock: 'You said "Exactly-once isn't achievable end to end there". ... what
    happens next under your exactly-once promise?'"""
    assert named_concepts(text, EXACTLY_ONCE) == {"exactly-once": named}
    assert ("exactly-once" in concept_quotes(text, EXACTLY_ONCE)) is not named
