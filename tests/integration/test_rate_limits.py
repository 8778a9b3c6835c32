"""Per-key rate limits: 429 with Retry-After, per user, /api/health exempt, and one limit shared
by two real server processes through Redis; each on SQLite and on Postgres."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.limits import key_prefix
from api.main import create_app, prepare
from core.db import engine_for
from core.settings import Settings
from core.users import issue_key
from tests.support.servers import Server, app_cmd, free_port
from tests.support.users import keyed_user

# conftest.py drops every TRADEOFF_* variable but the database one, so CI's
# TRADEOFF_TEST_REDIS_URL never arrives here; this is the same Redis database it names.
REDIS_URL = "redis://127.0.0.1:6379/15"


@contextmanager
def serve(settings: Settings, **overrides) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(settings.model_copy(update=overrides))) as client:
        yield client


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_the_request_over_the_limit_gets_429_with_retry_after(backend_settings: Settings) -> None:
    with serve(backend_settings, rate_limit="3/minute") as client:
        key = keyed_user(backend_settings, "ada").key
        for _ in range(3):
            assert client.get("/api/questions", headers=_bearer(key)).status_code == 200
        res = client.get("/api/questions", headers=_bearer(key))
        assert res.status_code == 429
        wait = res.headers["retry-after"]
        assert 1 <= int(wait) <= 60
        assert res.json() == {"detail": f"rate limit exceeded (3 per 1 minute); retry in {wait} s"}
        assert res.headers["cache-control"] == "no-store"  # the security layers wrap the limiter
        assert res.headers["x-content-type-options"] == "nosniff"
        # Every /api/* route counts, whatever its method; health checks never do.
        assert client.post("/api/sessions", json={}, headers=_bearer(key)).status_code == 429
        for _ in range(5):
            assert client.get("/api/health").status_code == 200


def test_each_user_has_its_own_bucket_and_all_its_keys_share_it(
    backend_settings: Settings,
) -> None:
    with serve(backend_settings, rate_limit="2/minute") as client:
        ada, grace = keyed_user(backend_settings, "ada"), keyed_user(backend_settings, "grace")
        with Session(engine_for(backend_settings)) as db:
            ada_second = _bearer(issue_key(db, user_id=ada.id))
            db.commit()
        assert client.get("/api/questions", headers=ada.bearer).status_code == 200
        assert client.get("/api/questions", headers=ada_second).status_code == 200
        assert client.get("/api/questions", headers=ada.bearer).status_code == 429
        assert client.get("/api/questions", headers=ada_second).status_code == 429
        assert client.get("/api/questions", headers=grace.bearer).status_code == 200
        # Without a (known) key the bucket is the client address: local mode, unknown keys.
        assert client.get("/api/questions").status_code == 200
        bogus = client.get("/api/questions", headers=_bearer("tk_not-a-key"))
        assert bogus.status_code == 401  # an unknown key is refused, but it counted first
        assert client.get("/api/questions").status_code == 429


def test_an_invalid_limit_refuses_to_start(app_settings: Settings) -> None:
    with pytest.raises(RuntimeError, match="TRADEOFF_RATE_LIMIT='lots' is not a rate limit"):
        create_app(app_settings.model_copy(update={"rate_limit": "lots"}))


def test_an_unreachable_redis_does_not_take_the_api_down(
    app_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with serve(app_settings, redis_url="redis://127.0.0.1:1/0", rate_limit="1/minute") as client:
        for _ in range(3):
            assert client.get("/api/questions").status_code == 200
    assert "rate limiting degraded" in caplog.text


# -- two real server processes sharing one limit through Redis ---------------------------------


@pytest.fixture
def redis_db():  # type: ignore[no-untyped-def]
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({type(exc).__name__}); .ci/run starts one")
    yield client
    client.close()


def test_two_servers_share_one_limit_through_redis(
    backend_settings: Settings, redis_db, tmp_path: Path
) -> None:
    settings = backend_settings
    prepare(settings)  # migrate and index once, as `tradeoff serve` does before its workers
    key = keyed_user(settings, "shared").key
    prefix = key_prefix(settings)  # unique per run: it hashes this run's database URL
    assert not list(redis_db.scan_iter(f"{prefix}*"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADEOFF_")},
        "TRADEOFF_DATA_DIR": str(settings.data_dir),
        "TRADEOFF_DATABASE_URL": settings.effective_database_url,
        "TRADEOFF_LLM": "offline",
        "TRADEOFF_MODEL_CACHE": os.environ["TRADEOFF_MODEL_CACHE"],
        "TRADEOFF_REDIS_URL": REDIS_URL,
        "TRADEOFF_RATE_LIMIT": "10/minute",
        "_TRADEOFF_PREPARED": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    logs = [tmp_path / "server-a.log", tmp_path / "server-b.log"]
    try:
        with ExitStack() as stack:
            servers = []
            for log in logs:  # both start at once, then each gets 180 s from its start
                port = free_port()
                servers.append(Server(app_cmd(port), env, port, log))
                stack.callback(servers[-1].stop)
            for server in servers:
                server.wait_ready(timeout=180)
            urls = [server.base_url for server in servers]
            with httpx.Client(headers=_bearer(key), timeout=30) as http:
                answers = [http.get(f"{urls[i % 2]}/api/questions") for i in range(12)]
        codes = [r.status_code for r in answers]
        assert codes == [200] * 10 + [429, 429], codes
        for res in answers[10:]:  # refused by each server in turn
            assert 1 <= int(res.headers["retry-after"]) <= 60
            assert "rate limit exceeded" in res.json()["detail"]
        assert list(redis_db.scan_iter(f"{prefix}*")), "the limit was not kept in Redis"
    finally:
        for stale in redis_db.scan_iter(f"{prefix}*"):
            redis_db.delete(stale)
    output = "".join(log.read_text(errors="replace") for log in logs)
    assert '"logger": "tradeoff.request"' in output and '"path": "/api/questions"' in output
    assert key not in output and key[:12] not in output  # a real server never logs the key
