"""What a candidate rules out, and a later message that takes it up anyway."""

from __future__ import annotations

import pytest

from agents.interviewer.ruled_out import ruled_out, taken_up


def test_the_phrase_after_a_negation_or_rather_than_is_ruled_out() -> None:
    got = ruled_out(
        "Codes come from a counter, not from hashing the long URL. We park slow customers' "
        "events in the retry tier rather than holding the partition. I'm keeping "
        "Elasticsearch out of the keystroke path."
    )
    assert [(r.phrase, r.head) for r in got] == [
        ("from hashing the long URL", "hash"),
        ("holding the partition", "hold"),
        ("Elasticsearch keystroke path", "elasticsearch"),
    ]
    # A negation of one word rules out too little to hold anyone to.
    assert ruled_out("We do not care. Nothing else.") == []


@pytest.mark.parametrize(
    ("earlier", "later", "taken"),
    [
        (
            "We never drop events for slow customers.",
            "After an hour of failures, we just drop its events and email the customer.",
            "we just drop its events and email the customer",
        ),
        (
            "Codes come from a counter, not from hashing the long URL.",
            "To keep it simple, the create handler hashes the long URL and keeps 7 characters.",
            "the create handler hashes the long URL and keeps 7 characters",
        ),
        # The subject again without what was denied keeps to the position.
        (
            "We never drop events for slow customers.",
            "A slow customer's events wait in the retry tier for up to three days.",
            None,
        ),
        # Said again under a negation, a condition or a restriction: not taken up.
        (
            "Codes come from a counter, not from hashing the long URL.",
            "Because we don't hash the long URL there is no collision check.",
            None,
        ),
        (
            "We never drop events for slow customers.",
            "We drop events only when the customer deletes the endpoint.",
            None,
        ),
        (
            "We never drop events for slow customers.",
            "If the customer asks, we would drop events older than 30 days.",
            None,
        ),
        # A preference for what was kept is not taking up what was ruled out.
        (
            "IDs are roughly time-ordered, not strictly monotonic.",
            "Roughly ordered over strictly monotonic, because a global counter is a bottleneck.",
            None,
        ),
        # "No X ever Y" denies the Y: X named again is no contradiction, X doing Y is.
        (
            "No player is ever placed in two matches at once.",
            "That is 1M players in 100k ten-player matches at peak.",
            None,
        ),
        (
            "No device ever sees a revision pointing at missing blocks.",
            "To be fast, other devices see the revision right away, before its blocks land.",
            "other devices see the revision right away",
        ),
        # What the design makes impossible is a guarantee, not a choice ruled out: naming the
        # same things later takes nothing up. The candidate's own "we can never" still counts.
        (
            "A hold is a conditional update in Postgres, so two fans can never hold the same seat.",
            "Holds go into Redis with SET NX and an 8 minute TTL per seat.",
            None,
        ),
        (
            "We can never drop events for a slow customer.",
            "After an hour we drop events for that slow customer.",
            "After an hour we drop events for that slow customer",
        ),
        # One ruled-out action is taken up only by the candidate doing it.
        (
            "I would not replicate: it's a cache, a lost node just means misses.",
            "For really hot keys, I'd replicate each shard to two replicas.",
            "I'd replicate each shard to two replicas",
        ),
        (
            "I would not replicate: it's a cache.",
            "Replication would double the memory bill for a copy we never read.",
            None,
        ),
    ],
)
def test_taken_up(earlier: str, later: str, taken: str | None) -> None:
    got = taken_up(ruled_out(earlier), later)
    assert (got[1] if got else None) == taken
