"""Scale-out: two server processes sharing Postgres, Redis and a `chroma run` server hold one
interview between them; `tradeoff serve --workers 2` starts and answers its health check."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.servers import BIN, Server, app_cmd, children, chroma_cmd, free_port

pytestmark = pytest.mark.slow

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/14"
FIRST_START_TIMEOUT = 300.0  # the first server indexes the bundled notes into Chroma
START_TIMEOUT = 120.0


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A throwaway Postgres database (migrated), Redis db 14 and a `chroma run` server."""
    from core.db import upgrade
    from tests.support.databases import postgres_base_url, throwaway_postgres

    for port in (5432, 6379):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            pytest.skip(f"nothing listens on 127.0.0.1:{port} (Postgres / Redis)")
    tmp = tmp_path_factory.mktemp("multi-worker")
    port = free_port()
    chroma_env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    chroma = Server(chroma_cmd(tmp / "chroma", port), chroma_env, port, tmp / "chroma.log")
    try:
        chroma.wait_ready("/api/v2/heartbeat", 90)
        with throwaway_postgres(postgres_base_url() or LOCAL_POSTGRES) as db_url:
            upgrade(db_url)
            yield {
                **{k: v for k, v in os.environ.items() if not k.startswith("TRADEOFF_")},
                "TRADEOFF_DATABASE_URL": db_url,
                "TRADEOFF_REDIS_URL": REDIS_URL,
                "TRADEOFF_CHROMA_URL": chroma.base_url,
                "TRADEOFF_LLM": "offline",
                "TRADEOFF_MODEL_CACHE": os.environ["TRADEOFF_MODEL_CACHE"],
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
            }
    finally:
        chroma.stop()


@pytest.fixture(scope="module")
def two_servers(
    shared_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server]]:
    """Two separate uvicorn processes; the second starts once the first has indexed the notes."""
    tmp = tmp_path_factory.mktemp("servers")
    started: list[Server] = []
    try:
        for name, timeout in (("p1", FIRST_START_TIMEOUT), ("p2", START_TIMEOUT)):
            port = free_port()
            env = {**shared_env, "TRADEOFF_DATA_DIR": str(tmp / f"data-{name}")}
            started.append(Server(app_cmd(port), env, port, tmp / f"{name}.log"))
            started[-1].wait_ready("/api/health", timeout)
        yield started[0], started[1]
    finally:
        for server in started:
            server.stop()


def _sse_events(response: httpx.Response) -> list[tuple[str, str]]:
    events, kind = [], ""
    for line in response.iter_lines():
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            events.append((kind, line[6:]))
    return events


def test_one_interview_alternates_between_two_processes(
    two_servers: tuple[Server, Server],
) -> None:
    p1, p2 = two_servers
    first = "Reads dominate about a hundred to one, so I would cache hot codes in Redis."
    second = "Codes come from a counter leased in blocks of ten thousand, encoded in base62."
    with httpx.Client(timeout=120) as http:
        r = http.post(
            f"{p1.base_url}/api/sessions", json={"question_id": "url-shortener", "mode": "coach"}
        )
        assert r.status_code == 201, r.text
        session = r.json()
        sid = session["id"]
        opening = session["messages"][0]

        r = http.post(f"{p2.base_url}/api/sessions/{sid}/messages", json={"content": first})
        assert r.status_code == 200, r.text
        reply1 = r.json()["reply"]

        with http.stream(
            "POST",
            f"{p1.base_url}/api/sessions/{sid}/messages",
            json={"content": second},
            headers={"Accept": "text/event-stream"},
        ) as streamed:
            assert streamed.status_code == 200
            events = _sse_events(streamed)
        assert events and events[-1][0] == "done", events
        reply2 = json.loads(events[-1][1])["reply"]

        r = http.post(f"{p2.base_url}/api/sessions/{sid}/hint")
        assert r.status_code == 200, r.text
        hint = r.json()["message"]

        r = http.post(f"{p1.base_url}/api/sessions/{sid}/finish")
        assert r.status_code == 200, r.text
        finished = r.json()

        r = http.get(f"{p2.base_url}/api/sessions/{sid}/scorecard")
        assert r.status_code == 200, r.text
        assert r.json() == finished

        r = http.get(f"{p2.base_url}/api/sessions/{sid}")
        assert r.status_code == 200, r.text
        whole = r.json()

    assert whole["status"] == "finished"
    transcript = [(m["role"], m["content"]) for m in whole["messages"]]
    assert transcript == [
        ("interviewer", opening["content"]),
        ("candidate", first),
        ("interviewer", reply1["content"]),
        ("candidate", second),
        ("interviewer", reply2["content"]),
        ("interviewer", hint["content"]),
    ]
    ids = [m["id"] for m in whole["messages"]]
    assert ids[2] == reply1["id"] and ids[4] == reply2["id"] and ids[5] == hint["id"]
    stamps = [m["created_at"] for m in whole["messages"]]
    assert stamps == sorted(stamps)


def test_serve_with_two_workers_answers_health(
    shared_env: dict[str, str], two_servers: tuple[Server, Server], tmp_path: Path
) -> None:
    """Runs after the notes are indexed (two_servers), so this start is quick."""
    port = free_port()
    cmd = [str(BIN / "tradeoff"), "serve", "--workers", "2", "--port", str(port)]
    env = {**shared_env, "TRADEOFF_DATA_DIR": str(tmp_path / "data")}
    serve = Server(cmd, env, port, tmp_path / "serve.log")
    try:
        health = serve.wait_ready("/api/health", START_TIMEOUT)
        assert health["database"] == "ok" and health["chroma"] == "ok"
        assert health["engine"] == "offline"
        deadline = time.monotonic() + 30
        while len(children(serve.proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.25)
        workers = [p for p in children(serve.proc.pid) if _is_python(p)]
        assert len(workers) >= 2, f"expected two worker processes, saw {workers}"
    finally:
        serve.stop()
    assert serve.proc.returncode is not None


def _is_python(pid: int) -> bool:
    try:
        return "python" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
