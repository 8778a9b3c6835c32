"""Ingest and search against a real `chroma run` server through TRADEOFF_CHROMA_URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.settings import get_settings
from retrieval.ingest import ingest_paths
from retrieval.search import Retriever
from retrieval.store import open_client

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "chroma.log").open("w")
    proc = subprocess.Popen(
        [
            str(CHROMA),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not come up: {(tmp_path / 'chroma.log').read_text()}")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_ingest_and_search_through_a_chroma_server(
    settings, embedder, chroma_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEOFF_CHROMA_URL", chroma_url)
    get_settings.cache_clear()
    remote = get_settings()
    assert remote.chroma_url == chroma_url
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "dns.md").write_text(
        "# DNS\n\nTranslates names to IP addresses; A and CNAME records.\n"
    )
    (tree / "cdn.md").write_text("# CDN\n\nEdge servers cache static files near users.\n")

    first = ingest_paths([tree], "server-docs", remote, embedder)
    assert first.embedded == 2
    assert ingest_paths([tree], "server-docs", remote, embedder).embedded == 0
    top = Retriever(remote, embedder).search("CNAME record", k=1, corpus="server-docs")[0]
    assert top.heading == "DNS"
    # The data went to the server, not to the embedded store in the data dir.
    assert open_client(remote).heartbeat() > 0
    assert not any(settings.chroma_dir.iterdir())
