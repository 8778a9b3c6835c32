"""The app factory and GET /api/health with real checks."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app


def test_health_reports_real_checks(client) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok", body
    assert body["database"] == "ok" and body["chroma"] == "ok"
    assert body["engine"] == "offline"
    assert body["version"]


def test_health_degrades_when_the_database_is_unreachable(settings, monkeypatch) -> None:
    monkeypatch.setattr(
        type(settings),
        "effective_database_url",
        property(lambda _: "postgresql+psycopg://nobody@127.0.0.1:1/none"),
    )
    app = create_app(settings, prepare_on_start=False)
    with TestClient(app) as client:
        body = client.get("/api/health").json()
    assert body["status"] == "degraded"
    assert body["database"].startswith("error")
