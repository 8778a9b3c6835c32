"""Ingest and search against a real `chroma run` server through TRADEOFF_CHROMA_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import get_settings
from retrieval.ingest import ingest_paths
from retrieval.search import Retriever
from retrieval.store import open_client
from tests.support.servers import chroma_cmd, free_port, serving


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    cmd = chroma_cmd(tmp_path / "server", port)
    with serving(cmd, env, port, tmp_path / "chroma.log", "/api/v2/heartbeat", 60) as server:
        yield server.base_url


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
