"""One user never reaches another's sessions: every session route answers 404 (not 403), exactly
as for an id that does not exist, and lists hold only the caller's own sessions. On SQLite and
on Postgres, where other tests' users and sessions share the database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from core.settings import Settings
from tests.support.users import keyed_user

ROUTES = [
    ("GET", "/api/sessions/{id}", None),
    ("POST", "/api/sessions/{id}/messages", {"content": "I would shard by user id."}),
    ("POST", "/api/sessions/{id}/retry", None),
    ("POST", "/api/sessions/{id}/hint", None),
    ("POST", "/api/sessions/{id}/finish", None),
    ("GET", "/api/sessions/{id}/scorecard", None),
]


@pytest.fixture
def api(backend_settings: Settings, clock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(backend_settings.model_copy(update={"rate_limit": "10000/minute"}))
    app.state.clock = clock
    with TestClient(app) as client:
        yield client


def _bearer(settings: Settings, name: str) -> dict[str, str]:
    return keyed_user(settings, name).bearer


def _all_session_ids(client: TestClient, headers: dict[str, str]) -> set[str]:
    """Every session the caller's list holds, page by page (the local user of a shared
    Postgres has other tests' sessions too)."""
    ids: set[str] = set()
    while True:
        res = client.get(
            "/api/sessions", params={"limit": 100, "offset": len(ids)}, headers=headers
        )
        assert res.status_code == 200, res.text
        page = res.json()
        ids |= {s["id"] for s in page["items"]}
        if len(ids) >= page["total"] or not page["items"]:
            assert len(ids) == page["total"]
            return ids


def _call(client: TestClient, method: str, path: str, body, headers):  # type: ignore[no-untyped-def]
    return client.request(method, path, json=body, headers=headers)


def _assert_invisible(client: TestClient, session_id: str, headers) -> None:  # type: ignore[no-untyped-def]
    missing = uuid.uuid4().hex
    for method, template, body in ROUTES:
        res = _call(client, method, template.format(id=session_id), body, headers)
        assert res.status_code == 404, (template, res.status_code, res.text)
        # Same answer as for an id that never existed: no way to probe for others' ids.
        ghost = _call(client, method, template.format(id=missing), body, headers)
        assert ghost.status_code == 404
        assert res.json()["detail"].replace(session_id, "ID") == ghost.json()["detail"].replace(
            missing, "ID"
        ), template


def test_every_session_route_is_404_for_another_users_session(
    api: TestClient, backend_settings: Settings
) -> None:
    ada, grace = _bearer(backend_settings, "ada"), _bearer(backend_settings, "grace")
    created = api.post("/api/sessions", json={"mode": "coach"}, headers=ada)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    said = {"content": "Reads dominate; I would cache timelines."}
    assert api.post(f"/api/sessions/{sid}/messages", json=said, headers=ada).status_code == 200
    before = api.get(f"/api/sessions/{sid}", headers=ada).json()

    _assert_invisible(api, sid, grace)  # while active: hint, retry and finish would work for ada
    assert api.get(f"/api/sessions/{sid}", headers=ada).json() == before  # nothing changed

    assert api.post(f"/api/sessions/{sid}/finish", headers=ada).status_code == 200
    assert api.get(f"/api/sessions/{sid}/scorecard", headers=ada).status_code == 200
    _assert_invisible(api, sid, grace)  # and once finished, the scorecard stays ada's

    mine = api.get("/api/sessions", headers=ada).json()
    assert mine["total"] == 1 and [s["id"] for s in mine["items"]] == [sid]
    theirs = api.get("/api/sessions", headers=grace).json()
    assert theirs["total"] == 0 and theirs["items"] == []


def test_the_local_user_and_keyed_users_do_not_see_each_other(
    api: TestClient, backend_settings: Settings
) -> None:
    ada = _bearer(backend_settings, "ada")
    local_before = _all_session_ids(api, {})  # none on SQLite; other tests' on Postgres
    local_sid = api.post("/api/sessions", json={}).json()["id"]  # local mode: no key
    ada_sid = api.post("/api/sessions", json={}, headers=ada).json()["id"]

    _assert_invisible(api, local_sid, ada)
    _assert_invisible(api, ada_sid, {})
    assert _all_session_ids(api, {}) == local_before | {local_sid}
    assert [s["id"] for s in api.get("/api/sessions", headers=ada).json()["items"]] == [ada_sid]


def test_an_uploaded_corpus_is_visible_only_to_its_owner(
    api: TestClient, backend_settings: Settings
) -> None:
    ada, grace = _bearer(backend_settings, "ada"), _bearer(backend_settings, "grace")
    note = b"# Ada's notes\n\nThe quorum is three replicas out of five in region eu-west.\n"
    res = api.post(
        "/api/documents",
        data={"corpus": "ada-private"},
        files={"file": ("ada.md", note)},
        headers=ada,
    )
    assert res.status_code == 201, res.text
    seen = api.get(
        "/api/search", params={"q": "quorum replicas", "corpus": "ada-private"}, headers=grace
    )
    assert seen.status_code == 404
    everything = api.get("/api/search", params={"q": "quorum replicas eu-west"}, headers=grace)
    assert all(c["corpus"] != "ada-private" for c in everything.json()["results"])
    own = api.get(
        "/api/search", params={"q": "quorum replicas", "corpus": "ada-private"}, headers=ada
    )
    assert own.status_code == 200 and own.json()["results"][0]["corpus"] == "ada-private"
    mine = api.get("/api/search", params={"q": "quorum replicas eu-west"}, headers=ada)
    assert any(c["corpus"] == "ada-private" for c in mine.json()["results"])
