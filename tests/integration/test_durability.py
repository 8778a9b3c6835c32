"""Kill -9 during a slow model reply: every acknowledged message and the session survive, in
SQLite and in Postgres."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

import httpx
import pytest
from sqlmodel import Session, select

from core.db import engine_for
from core.models import Message
from tests.support.openai_server import FakeOpenAIServer, Reply
from tests.support.servers import Server, app_cmd, free_port


@pytest.mark.slow
def test_sigkill_during_a_slow_reply_loses_nothing(backend_settings) -> None:
    with FakeOpenAIServer(default=Reply.delayed("Why that store?", 60)) as llm:
        port = free_port()
        env = {
            **os.environ,
            "TRADEOFF_DATA_DIR": str(backend_settings.data_dir),
            "TRADEOFF_DATABASE_URL": backend_settings.effective_database_url,
            "TRADEOFF_LLM": "openai-compatible:test-model",
            "TRADEOFF_LLM_BASE_URL": llm.base_url,
            "TRADEOFF_LLM_TIMEOUT": "90",
            "HF_HUB_OFFLINE": "1",
        }
        logs = backend_settings.data_dir
        server = Server(app_cmd(port), env, port, logs / "server-1.log")
        base = server.base_url
        try:
            server.wait_ready()
            s = httpx.post(
                f"{base}/api/sessions", json={"question_id": "url-shortener"}, timeout=30
            ).json()
            sent = "We keep every link in Cassandra keyed by the short code."
            worker = threading.Thread(
                target=lambda: _swallow(
                    lambda: httpx.post(
                        f"{base}/api/sessions/{s['id']}/messages",
                        json={"content": sent},
                        timeout=120,
                    )
                ),
                daemon=True,
            )
            worker.start()
            deadline = time.monotonic() + 60
            while not llm.chat_requests and time.monotonic() < deadline:
                time.sleep(0.1)  # the model was called, so the message was committed
            assert llm.chat_requests, "the model was never called"
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait(timeout=10)
        finally:
            server.stop()
        llm.default = Reply("Fair enough. Why Cassandra rather than Postgres here?")
        server = Server(app_cmd(port), env, port, logs / "server-2.log")
        try:
            server.wait_ready()
            after = httpx.get(f"{base}/api/sessions/{s['id']}", timeout=30).json()
            roles = [(m["role"], m["content"]) for m in after["messages"]]
            assert roles[-1] == ("candidate", sent)  # acknowledged, and no half reply
            assert after["status"] == "active"
            retried = httpx.post(f"{base}/api/sessions/{s['id']}/retry", timeout=60)
            assert retried.status_code == 200 and retried.json()["reply"]["content"]
            more = httpx.post(
                f"{base}/api/sessions/{s['id']}/messages",
                json={"content": "Because writes dominate."},
                timeout=60,
            )
            assert more.status_code == 200
        finally:
            server.stop()
    with Session(engine_for(backend_settings)) as db:  # the servers wrote the database under test
        rows = db.exec(select(Message).where(Message.session_id == s["id"])).all()
    assert {sent, "Because writes dominate."} <= {m.content for m in rows}


def _swallow(fn) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(httpx.HTTPError):  # the server was killed under it: expected
        fn()
