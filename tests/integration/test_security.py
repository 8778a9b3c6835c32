"""The HTTP edge's defences: security headers, CORS, keys, the exposed-bind refusal, input limits
and a request log that never holds a secret. Tests that store users, keys, sessions or documents
run on SQLite and on Postgres."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api import main as api_main
from api.security import CONTENT_SECURITY_POLICY
from core.db import engine_for
from core.logging import JsonFormatter
from core.models import Document, Message
from core.settings import Settings, get_settings
from core.users import revoke_user_keys
from retrieval.loaders import MAX_BYTES
from tests.support.users import keyed_user

EXPECTED_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@contextmanager
def serve(settings: Settings, clock=None, **overrides) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = api_main.create_app(settings.model_copy(update=overrides))
    if clock is not None:
        app.state.clock = clock
    with TestClient(app) as client:
        yield client


def _assert_secure(res, *, api: bool) -> None:  # type: ignore[no-untyped-def]
    for name, value in EXPECTED_HEADERS.items():
        assert res.headers.get(name) == value, (res.request.url, name, res.headers)
    assert "camera=()" in res.headers["permissions-policy"]
    if api:
        assert res.headers["cache-control"] == "no-store"
    else:
        assert "no-store" not in res.headers.get("cache-control", "")


def test_csp_is_exactly_the_agreed_policy() -> None:
    assert CONTENT_SECURITY_POLICY == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


def test_headers_on_web_pages_api_answers_and_errors(
    app_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>Tradeoff</title>")
    monkeypatch.setattr(api_main, "WEB_DIR", web)
    with serve(app_settings) as client:
        page = client.get("/")
        assert page.status_code == 200 and "Tradeoff" in page.text
        _assert_secure(page, api=False)
        for res in (
            client.get("/api/health"),
            client.get("/api/questions"),
            client.get("/api/questions/no-such-question"),  # 404 from the route
            client.post("/api/sessions", json={"mode": "nonsense"}),  # 422 from validation
        ):
            _assert_secure(res, api=True)
        assert client.get("/api/questions/no-such-question").status_code == 404


def test_a_streamed_reply_still_streams_with_the_headers(backend_client: TestClient) -> None:
    client = backend_client
    sid = client.post("/api/sessions", json={"mode": "mock"}).json()["id"]
    with client.stream(
        "POST",
        f"/api/sessions/{sid}/messages",
        json={"content": "Users post short messages; reads dominate writes."},
        headers={"Accept": "text/event-stream"},
    ) as res:
        body = "".join(res.iter_text())
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/event-stream")
    _assert_secure(res, api=True)
    assert "event: done" in body


def test_cors_is_off_by_default(client: TestClient) -> None:
    res = client.get("/api/questions", headers={"Origin": "https://evil.example"})
    assert res.status_code == 200 and "access-control-allow-origin" not in res.headers
    pre = client.options(
        "/api/sessions",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in pre.headers


def test_cors_allows_exactly_the_configured_origins(app_settings: Settings) -> None:
    origins = "https://a.example, https://b.example/"
    with serve(app_settings, cors_origins=origins) as client:
        for origin in ("https://a.example", "https://b.example"):
            pre = client.options(
                "/api/sessions",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization, content-type",
                },
            )
            assert pre.status_code == 200, pre.text
            assert pre.headers["access-control-allow-origin"] == origin
            res = client.get("/api/questions", headers={"Origin": origin})
            assert res.headers["access-control-allow-origin"] == origin
        evil = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        pre = client.options("/api/sessions", headers=evil)
        assert pre.status_code == 400 and "access-control-allow-origin" not in pre.headers
        res = client.get("/api/questions", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in res.headers


def test_required_auth_accepts_only_live_keys(backend_settings: Settings) -> None:
    with serve(backend_settings, auth="required") as client:
        res = client.get("/api/sessions")
        assert res.status_code == 401 and res.headers["www-authenticate"] == "Bearer"
        assert "Bearer" in res.json()["detail"]
        _assert_secure(res, api=True)
        ada = keyed_user(backend_settings, "ada")
        key, bearer = ada.key, ada.bearer
        assert client.get("/api/sessions", headers=bearer).status_code == 200
        basic = client.get("/api/sessions", headers={"Authorization": f"Basic {key}"})
        assert basic.status_code == 401
        wrong = client.get("/api/sessions", headers={"Authorization": f"Bearer {key}x"})
        assert wrong.status_code == 401
        with Session(engine_for(backend_settings)) as db:
            revoke_user_keys(db, name=ada.name)
        res = client.get("/api/sessions", headers=bearer)
        assert res.status_code == 401 and "revoked" in res.json()["detail"]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_app_from_env_refuses_an_exposed_bind_without_keys(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    monkeypatch.setattr(api_main, "configure_logging", lambda level: None)  # keep pytest's logs
    monkeypatch.setenv("TRADEOFF_HOST", host)
    get_settings.cache_clear()
    with pytest.raises(RuntimeError) as refused:
        api_main.app_from_env()
    assert str(refused.value) == (
        f"refusing to bind {host}: a non-loopback address exposes the API; "
        "set TRADEOFF_AUTH=required and create keys with 'tradeoff users create NAME'"
    )
    monkeypatch.setenv("TRADEOFF_AUTH", "required")
    get_settings.cache_clear()
    assert isinstance(api_main.app_from_env(), FastAPI)


def test_app_from_env_serves_loopback_in_local_mode(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_main, "configure_logging", lambda level: None)
    for host in ("127.0.0.1", "localhost", "::1"):
        monkeypatch.setenv("TRADEOFF_HOST", host)
        get_settings.cache_clear()
        assert isinstance(api_main.app_from_env(), FastAPI)


def _messages(settings: Settings, session_id: str) -> list[str]:
    from sqlmodel import col

    with Session(engine_for(settings)) as db:
        rows = db.exec(
            select(Message).where(Message.session_id == session_id).order_by(col(Message.seq))
        ).all()
        return [m.content for m in rows]


def test_an_overlong_candidate_message_is_422_and_stores_nothing(
    backend_client: TestClient, backend_settings: Settings
) -> None:
    client = backend_client
    sid = client.post("/api/sessions", json={"mode": "mock"}).json()["id"]
    before = _messages(backend_settings, sid)
    res = client.post(f"/api/sessions/{sid}/messages", json={"content": "x" * 20_001})
    assert res.status_code == 422
    error = res.json()["detail"][0]
    assert error["loc"] == ["body", "content"]
    assert "at most 20000 characters" in error["msg"]
    assert _messages(backend_settings, sid) == before
    assert len(client.get(f"/api/sessions/{sid}").json()["messages"]) == len(before)


@pytest.mark.parametrize(
    ("name", "data", "status", "phrase"),
    [
        ("big.md", b"x" * (MAX_BYTES + 1), 413, "larger than 5 MB"),
        ("sheet.xlsx", b"PK\x03\x04", 415, "unsupported file type"),
        ("run.exe", b"MZ\x90\x00", 415, "unsupported file type"),
    ],
)
def test_upload_refusals_through_the_full_app(
    backend_client: TestClient,
    backend_settings: Settings,
    name: str,
    data: bytes,
    status: int,
    phrase: str,
) -> None:
    from retrieval.store import list_corpora, open_client

    corpus = f"mine-{uuid.uuid4().hex[:8]}"  # the local user's uploads outlive a test on Postgres
    res = backend_client.post(
        "/api/documents", data={"corpus": corpus}, files={"file": (name, data)}
    )
    assert res.status_code == status, res.text
    assert phrase in res.json()["detail"]
    _assert_secure(res, api=True)
    assert corpus not in list_corpora(open_client(backend_settings))
    with Session(engine_for(backend_settings)) as db:
        assert not db.exec(select(Document).where(Document.corpus == corpus)).all()


def test_the_request_log_never_holds_keys_or_bodies(
    backend_settings: Settings, clock, caplog: pytest.LogCaptureFixture
) -> None:
    openai_key = "sk-proj-" + secrets.token_urlsafe(24)
    query_secret = "hunter2-" + secrets.token_hex(8)  # no key shape: the scrubber cannot help
    for client_logger in ("httpx", "httpx2"):  # the test client's own log of each URL
        caplog.set_level(logging.WARNING, logger=client_logger)
    caplog.set_level(logging.DEBUG)  # last: it also sets the capture handler's level
    with serve(backend_settings, clock, auth="required") as client:
        grace = keyed_user(backend_settings, "grace")
        user_id, key, bearer = grace.id, grace.key, grace.bearer
        sid = client.post("/api/sessions", json={"mode": "mock"}, headers=bearer).json()["id"]
        said = f"My OpenAI key is {openai_key}; shard by user id."
        res = client.post(f"/api/sessions/{sid}/messages", json={"content": said}, headers=bearer)
        assert res.status_code == 200, res.text
        graded = {"question_text": "Design a cache", "answer": said}
        assert client.post("/api/grade", json=graded, headers=bearer).status_code == 200
        assert client.get(f"/api/search?q={query_secret}", headers=bearer).status_code == 200
        stale = {"Authorization": f"Bearer {key[:-4]}zzzz"}
        assert client.get("/api/sessions", headers=stale).status_code == 401

    lines = [r for r in caplog.records if r.name == "tradeoff.request"]
    seen = [(r.method, r.path, r.status, r.user_id) for r in lines]  # type: ignore[attr-defined]
    assert seen == [
        ("POST", "/api/sessions", 201, user_id),
        ("POST", f"/api/sessions/{sid}/messages", 200, user_id),
        ("POST", "/api/grade", 200, user_id),
        ("GET", "/api/search", 200, user_id),
        ("GET", "/api/sessions", 401, None),
    ]
    assert all(r.duration_ms >= 0 for r in lines)  # type: ignore[attr-defined]
    formatted = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    for secret in (key, key[:-4], openai_key, query_secret, "shard by user id"):
        assert secret not in caplog.text, secret
        assert secret not in formatted, secret
