"""Cold start: `tradeoff serve` on a fresh data dir that already holds the indexed notes, timed
from process start to /api/health answering ok; then the server's peak RSS (VmHWM) after one
short interview and a search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from bench.harness import BIN, Server, base_env, data_dir_with_notes, figure, free_port, peak_rss_mb

TARGET_S = 10.0


def _exercise(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60.0) as client:
        r = client.post("/api/sessions", json={"question_id": "url-shortener"})
        r.raise_for_status()
        sid = r.json()["id"]
        for text in (
            "Reads dominate, about a hundred to one, so I would cache hot codes in Redis.",
            "Codes come from a counter leased in blocks and encoded in base62.",
        ):
            client.post(f"/api/sessions/{sid}/messages", json={"content": text}).raise_for_status()
        client.get("/api/search", params={"q": "consistent hashing"})


def run(notes_chroma: Path, workdir: Path) -> dict[str, Any]:
    port = free_port()
    data = data_dir_with_notes(notes_chroma, workdir)
    env = base_env(TRADEOFF_DATA_DIR=str(data), TRADEOFF_LLM="offline")
    cmd = [str(BIN / "tradeoff"), "serve", "--port", str(port)]
    server = Server(cmd, env, port, workdir / "startup-server.log")
    try:
        server.wait_ready(timeout=120)
        assert server.ready_s is not None
        ready_s = round(server.ready_s, 2)
        rss_ready = peak_rss_mb(server.proc.pid)
        _exercise(server.base_url)
        rss_peak = peak_rss_mb(server.proc.pid)
    finally:
        server.stop()
    details = {"ready_s": ready_s, "peak_rss_mb_at_ready": rss_ready, "peak_rss_mb": rss_peak}
    rows = [
        figure(
            "cold start to /api/health ok",
            ready_s,
            "s",
            f"≤ {TARGET_S:g}",
            ready_s <= TARGET_S,
            "tradeoff serve, SQLite, pre-indexed notes",
        ),
        figure(
            "server peak RSS (VmHWM)",
            rss_peak,
            "MB",
            "",
            None,
            f"{rss_ready} MB at ready; after an interview and a search",
        ),
    ]
    return {"details": details, "figures": rows}
