"""Behaviours read from plain statements: what the people who use a system do is a functional
requirement, whether or not it says "users can"."""

from __future__ import annotations

import pytest

from agents.behaviour import CHECKS, BehaviourJudge
from agents.text import split_sentences
from content.loader import bundled_bank
from tests.support.engines import shared_embedder


@pytest.fixture(scope="module")
def judge() -> BehaviourJudge:
    return BehaviourJudge(shared_embedder(), list(bundled_bank().behaviours.values()))


def _status(judge: BehaviourJudge, item_id: str, text: str) -> str:
    """The behaviour's status on `text`, every sentence of it the candidate's."""
    b = judge.for_item(item_id)
    assert b is not None
    sentences = split_sentences(text)
    vecs = judge.embedder.encode([s.text for s in sentences])
    return judge.judge(b, sentences, vecs, list(range(len(sentences)))).status


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Players see their global rank, the top 100, neighbours and friends.", "covered"),
        ("Customers register an endpoint URL and receive a signed POST per event.", "covered"),
        ("Each rider can request a ride and track the car as it arrives.", "covered"),
        # A label after a discourse word: "So functional: ..." states them as much as
        # "Functional: ..." does.
        ("So functional: hosts ship logs and engineers search them by service.", "covered"),
        # An internal platform's users are services and teams.
        ("Services fetch secrets at startup and renew leases; security audits reads.", "covered"),
        ("Teams define features once and read them online and in training.", "covered"),
        # What the system must do, said as a need with a list (a scheduler mock re-asked it).
        (
            "We need to run scheduled jobs for teams: cron expressions, one-off jobs, retries.",
            "covered",
        ),
        ("The system must let merchants charge, capture and refund.", "covered"),
        ("We need to shard the database.", "missing"),  # one design step, no list of needs
        ("Services are spread over three regions and mostly idle at night.", "missing"),
        ("So the functions run on a shared worker pool.", "missing"),
        # The users described, not what they do: no requirement stated.
        ("Players are spread over three regions and mostly play at night.", "missing"),
        ("Users who churn rarely come back.", "missing"),
        # A design decision about users, not something they do with the product.
        ("Each user gets their own Kafka topic, keyed by user id.", "missing"),
        ("The customer app polls the order status and the courier location.", "missing"),
    ],
)
def test_what_users_do_states_the_functional_requirements(
    judge: BehaviourJudge, text: str, status: str
) -> None:
    assert _status(judge, "b-functional", text) == status


@pytest.mark.parametrize(
    ("text", "names_a_store"),
    [
        ("Reservations live in Postgres, keyed by garage and slot.", True),
        # A schema written out, then where it lives: the store is named.
        (
            "Data model: garages(id, location, capacity), slots(garage_id, start, booked). "
            "Postgres, sharded by region, because bookings need transactions.",
            True,
        ),
        # Prose with no schema does not borrow the next sentence's store.
        ("We keep the bookings somewhere safe. Postgres is fine for that.", False),
        ("Data model: garages(id, location, capacity), slots(garage_id, start, booked).", False),
    ],
)
def test_a_schema_then_its_store_names_the_store(text: str, names_a_store: bool) -> None:
    sentences = split_sentences(text)
    assert CHECKS["store"](sentences, 0) is names_a_store


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # A time budget in seconds is a latency target as much as one in milliseconds.
        ("One-time codes must reach the SMS provider within 5 seconds.", "partial"),
        ("Pages must load in less than 2 s on a phone.", "partial"),
        # A period that is no budget ("within 30 days" of retention) is not.
        ("We keep the raw events for 30 days and delete them after.", "missing"),
    ],
)
def test_a_time_budget_in_seconds_is_a_non_functional_target(
    judge: BehaviourJudge, text: str, status: str
) -> None:
    assert _status(judge, "b-non-functional", text) == status
