"""A simulated learner over simulated days (the app's clock moved by hand): three scored
interviews make drill cards for what was missed, the learner answers some cards well and others
badly, and the schedule is checked against FSRS itself, day by day. On SQLite and on Postgres."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from fsrs import Card, Rating, Scheduler

from api.main import create_app
from core.settings import Settings
from evals.interviewer_suite import run_interview
from evals.simulated import make_candidate, scripted_questions
from tests.support.users import keyed_user

DAY = 86_400.0
DAYS = 30
BAD_ANSWER = "I don't know."
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


@pytest.fixture
def api(backend_settings: Settings, clock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(backend_settings.model_copy(update={"rate_limit": "100000/minute"}))
    app.state.clock = clock
    with TestClient(app) as client:
        client.headers.update(keyed_user(backend_settings, "learner").bearer)
        yield client


def _due(client: TestClient) -> dict:
    res = client.get("/api/drills/due", params={"limit": 100})
    assert res.status_code == 200, res.text
    return res.json()


def _expected_due(reviews: list[tuple[datetime, str]], created: datetime) -> datetime:
    """The due date FSRS itself gives after these reviews (same settings as the app)."""
    scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = Card(due=created)
    for when, rating in reviews:
        card, _ = scheduler.review_card(card, RATINGS[rating], review_datetime=when)
    return card.due


@pytest.mark.slow
def test_learner_schedule_follows_fsrs(api: TestClient, clock, embedder) -> None:  # type: ignore[no-untyped-def]
    q1, q2 = scripted_questions()[:2]
    # Three interviews, the third on the first question again: its misses are not new cards.
    for qid in (q1, q2, q1):
        run = run_interview(api, make_candidate("weak", qid, embedder), clock.advance, embedder)
        assert run["status"] in ("active", "completed")
    first = _due(api)
    cards = first["cards"]
    assert first["total"] == len(cards) >= 6, first
    keys = [(c["question_id"], c["topic"], c["kind"]) for c in cards]
    assert len(set(keys)) == len(keys)  # deduplicated across interviews
    assert any(c["interviews"] == 2 for c in cards)  # missed twice, one card
    assert {c["question_id"] for c in cards if c["kind"] == "item"} == {q1, q2}
    assert first["due_now"] == first["due_today"] == first["total"]  # new cards are due at once

    # The learner knows every other card (answers with its reference), and fails the rest.
    detail = {c["id"]: api.get(f"/api/drills/{c['id']}").json() for c in cards}
    assert all(d["notes"] and d["notes"][0]["text"] for d in detail.values())
    good = {c["id"] for c in cards[::2]}
    created = datetime.fromtimestamp(clock(), UTC)
    history: dict[str, list[tuple[datetime, str]]] = {c["id"]: [] for c in cards}
    reference: dict[str, str] = {}
    server_due: dict[str, datetime] = {c["id"]: created for c in cards}
    start = clock()
    for day in range(DAYS):
        clock.now = start + day * DAY + 3600  # 01:00 on each simulated day
        now = datetime.fromtimestamp(clock(), UTC)
        page = _due(api)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        expected_today = sum(d <= midnight for d in server_due.values())
        assert page["due_today"] == expected_today, (day, page["due_today"], expected_today)
        assert page["due_now"] == sum(d <= now for d in server_due.values()), day
        for card in page["cards"]:
            cid = card["id"]
            if cid in good and cid in reference:
                body = {"answer": reference[cid]}
            else:
                body = {"answer": BAD_ANSWER}
            res = api.post(f"/api/drills/{cid}/answer", json=body)
            assert res.status_code == 200, res.text
            out = res.json()
            reference[cid] = out["reference"]
            history[cid].append((now, out["rating"]))
            server_due[cid] = datetime.fromisoformat(out["next_due"])
            assert server_due[cid] == _expected_due(history[cid], created)
            if out["rating"] == "again":
                assert out["grade"]["missed"], out
    # Good cards fail once (the learner had not seen the reference yet), then pass.
    passed = [cid for cid in good if any(r in ("good", "easy") for _, r in history[cid])]
    failed = [cid for cid in history if cid not in good]
    assert passed and failed
    assert all(all(r == "again" for _, r in history[cid]) for cid in failed)
    # Failed cards come back sooner and more often than passed ones.
    assert max(server_due[c] for c in failed) < min(server_due[c] for c in passed)
    assert min(len(history[c]) for c in failed) > max(len(history[c]) for c in passed)

    # Progress: what the learner did, counted back by the SQL queries.
    prog = api.get("/api/progress").json()
    recalls = [r for h in history.values() for _, r in h[1:]]
    assert prog["drills"]["reviews"] == sum(len(h) for h in history.values())
    expected = round(sum(r != "again" for r in recalls) / len(recalls), 3)
    assert prog["drills"]["retention"] == expected
    assert prog["drills"]["cards"] == len(cards) and prog["drills"]["unseen"] == 0
    assert prog["dimensions"] and all(d["interviews"] == 3 for d in prog["dimensions"])
    assert all(len(points) == 3 for points in prog["trends"].values())
    assert [d["recent"] for d in prog["dimensions"]] == sorted(
        d["recent"] for d in prog["dimensions"]
    )
    assert {t["name"] for t in prog["weakest_topics"]}
    nxt = prog["next_question"]
    assert nxt["question_id"] not in (q1, q2)  # not one just taken
    assert nxt["dimensions"] == [d["name"] for d in prog["dimensions"][:2]]


def test_hand_rating_and_isolation(
    api: TestClient, backend_settings: Settings, clock, embedder
) -> None:  # type: ignore[no-untyped-def]
    qid = scripted_questions()[0]
    run_interview(api, make_candidate("weak", qid, embedder), clock.advance, embedder)
    card = _due(api)["cards"][0]
    knew = api.post(f"/api/drills/{card['id']}/rate", json={"knew": True}).json()
    assert knew["rating"] == "good" and knew["grade"] is None
    other = [c for c in _due(api)["cards"] if c["id"] != card["id"]][0]
    didnt = api.post(f"/api/drills/{other['id']}/rate", json={"knew": False}).json()
    assert didnt["rating"] == "again"
    assert datetime.fromisoformat(didnt["next_due"]) < datetime.fromisoformat(knew["next_due"])
    # Bad input: 422 with a message; unknown fields refused.
    bad = api.post(f"/api/drills/{card['id']}/rate", json={"knew": True, "extra": 1})
    assert bad.status_code == 422
    assert api.post(f"/api/drills/{card['id']}/answer", json={"answer": ""}).status_code == 422
    assert api.post(f"/api/drills/{'x' * 33}/answer", json={"answer": "a"}).status_code == 422
    # Another user sees none of these cards: 404 as for an id that does not exist.
    stranger = keyed_user(backend_settings, "stranger").bearer
    assert api.get("/api/drills/due", headers=stranger).json()["total"] == 0
    for method, path, body in (
        ("GET", f"/api/drills/{card['id']}", None),
        ("POST", f"/api/drills/{card['id']}/answer", {"answer": "an answer"}),
        ("POST", f"/api/drills/{card['id']}/rate", {"knew": True}),
    ):
        res = api.request(method, path, json=body, headers=stranger)
        assert res.status_code == 404, (path, res.text)
