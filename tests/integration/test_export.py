"""Export and import: a finished session exports as JSON and Markdown; the JSON imported into a
fresh data dir (its own database) reproduces the scorecard and the transcript."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from core.db import upgrade
from core.settings import Settings

ANSWERS = [
    "Functional: short links, redirects, custom aliases and expiry. Reads are 100x writes.",
    "About 40 writes per second; 5 years at 500 bytes is roughly 3 TB.\n"
    "```mermaid\ngraph LR; client-->lb; lb-->redirect; redirect-->cache; cache-->kv\n```",
    "POST /links returns the code; GET /{code} answers 302 so we keep click counts.",
]


def _finished(client: TestClient, clock) -> str:  # type: ignore[no-untyped-def]
    sid = client.post("/api/sessions", json={"question_id": "url-shortener"}).json()["id"]
    for text in ANSWERS:
        clock.advance(120)
        assert client.post(f"/api/sessions/{sid}/messages", json={"content": text}).is_success
    assert client.post(f"/api/sessions/{sid}/finish").is_success
    return str(sid)


def test_export_round_trips_into_a_fresh_data_dir(
    client, clock, tmp_path: Path, app_settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    sid = _finished(client, clock)
    original = client.get(f"/api/sessions/{sid}/scorecard").json()
    exported = client.get(f"/api/sessions/{sid}/export").json()
    assert exported["format"] == "tradeoff-session/1"
    roles = [t["role"] for t in exported["transcript"]]
    assert roles[:2] == ["interviewer", "candidate"] and roles.count("candidate") == 3
    assert all(t["phase"] and t["created_at"] for t in exported["transcript"])
    assert exported["diagrams"] == [
        {"seq": 3, "language": "mermaid", "code": ANSWERS[1].split("```mermaid\n")[1][:-3]}
    ]
    assert exported["scorecard"] == original
    assert [e["item"] for e in exported["evidence"]] == [i["id"] for i in original["items"]]
    assert exported["numbers"] == original["numbers"]

    md = client.get(f"/api/sessions/{sid}/export", params={"format": "markdown"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert "## Transcript" in md.text and "### Phase: requirements" in md.text
    assert "## Scorecard: Design a URL shortener" in md.text and ANSWERS[2] in md.text

    fresh = app_settings.model_copy(update={"data_dir": tmp_path / "fresh", "database_url": ""})
    fresh.ensure_dirs()
    upgrade(fresh.effective_database_url)
    assert fresh.effective_database_url != app_settings.effective_database_url
    with TestClient(create_app(fresh, prepare_on_start=False)) as other:
        assert other.get("/api/sessions").json()["total"] == 0
        res = other.post("/api/sessions/import", json=exported)
        assert res.status_code == 201, res.text
        new_id = res.json()["id"]
        assert new_id != sid
        assert other.get(f"/api/sessions/{new_id}/scorecard").json() == original
        view = other.get(f"/api/sessions/{new_id}").json()
        assert [m["content"] for m in view["messages"]] == [
            t["content"] for t in exported["transcript"]
        ]
        again = other.get(f"/api/sessions/{new_id}/export").json()
        assert again["transcript"] == exported["transcript"]
        assert other.get("/api/drills/due").json()["total"] >= 1  # the scorecard made cards

        # Bad input: an unknown field, an unknown question; 422 with a message.
        bad = other.post("/api/sessions/import", json={**exported, "extra": 1})
        assert bad.status_code == 422
        wrong = {**exported, "session": {**exported["session"], "question_id": "no-such-q"}}
        res = other.post("/api/sessions/import", json=wrong)
        assert res.status_code == 422 and "no-such-q" in res.json()["detail"]
        broken = {**exported, "session": {**exported["session"], "state": {"phase": "nope"}}}
        res = other.post("/api/sessions/import", json=broken)
        assert res.status_code == 422 and "does not parse" in res.json()["detail"]
        nul = {**exported, "transcript": [{**exported["transcript"][0], "content": "a\x00b"}]}
        assert other.post("/api/sessions/import", json=nul).status_code == 422
        assert other.get("/api/sessions").json()["total"] == 1  # nothing half-imported
    assert client.get(f"/api/sessions/{'0' * 32}/export").status_code == 404
