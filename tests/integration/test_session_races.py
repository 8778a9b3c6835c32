"""Every state-changing route of one session, hammered concurrently: no 5xx, no lost or doubled
messages, and exactly one evaluation per finished session (SQLite and Postgres)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from api.main import create_app
from core.db import engine_for
from core.models import Evaluation, Message
from core.settings import Settings
from tests.support.users import keyed_user

MIXES = {
    "finish-heavy": ["finish"] * 12 + ["message"] * 5 + ["hint"] * 3,
    "message-heavy": ["message"] * 12 + ["finish"] * 4 + ["hint"] * 4,
    "even": ["finish", "message", "hint", "retry", "scorecard"] * 4,
}


@pytest.fixture
def api(backend_settings: Settings, clock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(backend_settings.model_copy(update={"rate_limit": "100000/minute"}))
    app.state.clock = clock
    with TestClient(app) as client:
        yield client


def _call(api: TestClient, headers: dict[str, str], sid: str, kind: str, n: int) -> tuple[str, int]:
    path = f"/api/sessions/{sid}"
    if kind == "message":
        body = {"content": f"Message {n}: I would shard the store by user id; reads are per user."}
        return kind, api.post(f"{path}/messages", json=body, headers=headers).status_code
    if kind == "scorecard":
        return kind, api.get(f"{path}/scorecard", headers=headers).status_code
    return kind, api.post(f"{path}/{kind}", headers=headers).status_code


@pytest.mark.parametrize("mix", sorted(MIXES))
def test_twenty_concurrent_requests_never_answer_5xx(
    api: TestClient, backend_settings: Settings, mix: str
) -> None:
    headers = keyed_user(backend_settings, "race").bearer
    created = api.post(
        "/api/sessions", json={"question_id": "url-shortener", "mode": "coach"}, headers=headers
    )
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(
            pool.map(
                lambda a: _call(api, headers, sid, *a), [(k, i) for i, k in enumerate(MIXES[mix])]
            )
        )
    statuses = Counter(status for _, status in results)
    assert not [s for s in statuses if s >= 500], results
    # A finish that loses a race answers 409 (or the winner's scorecard): never a second grade.
    assert {s for k, s in results if k == "finish"} <= {200, 409}, results
    again = [api.post(f"/api/sessions/{sid}/finish", headers=headers) for _ in range(2)]
    assert [r.status_code for r in again] == [200, 200]
    assert again[0].json() == again[1].json()  # a second finish returns the same scorecard
    with Session(engine_for(backend_settings)) as db:
        evaluations = db.exec(
            select(func.count()).select_from(Evaluation).where(col(Evaluation.session_id) == sid)
        ).one()
        sent = db.exec(
            select(Message.content).where(
                col(Message.session_id) == sid, col(Message.role) == "candidate"
            )
        ).all()
    assert evaluations == 1  # exactly one evaluation stored for the finished session
    accepted = sum(1 for k, s in results if k == "message" and s == 200)
    assert len(sent) >= accepted  # every acknowledged message is stored
    assert len(sent) == len(set(sent))  # and none twice
