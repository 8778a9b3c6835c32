"""Concurrent SSE streams held by one server process: N interviews each post a message with
`Accept: text/event-stream` at once; the model (a FakeOpenAIServer in its own process) streams
its reply slowly, so every stream stays open for seconds. Counts errors and the peak of streams
open at the same moment (headers received, `done` not yet)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx

from bench.harness import (
    base_env,
    candidate_messages,
    data_dir_with_notes,
    fake_llm,
    figure,
    free_port,
    peak_rss_mb,
    percentile,
    postgres_database,
    raise_open_file_limit,
    serving,
    uvicorn_cmd,
)
from bench.turns import unique

STREAMS = 500
CHUNK_DELAY = 0.15  # seconds between the model's words: ~2 s per reply
TARGET = 500
DEADLINE_S = 90.0


async def _create(client: httpx.AsyncClient, base: str, n: int) -> list[str]:
    sem = asyncio.Semaphore(8)

    async def one() -> str:
        async with sem:
            r = await client.post(f"{base}/api/sessions", json={"question_id": "url-shortener"})
            r.raise_for_status()
            return str(r.json()["id"])

    return list(await asyncio.gather(*(one() for _ in range(n))))


async def _streams(base: str, n: int) -> dict[str, Any]:
    messages = candidate_messages()
    limits = httpx.Limits(max_connections=n + 50, max_keepalive_connections=n + 50)
    timeout = httpx.Timeout(300.0, connect=60.0)
    open_now = peak = 0
    errors: list[str] = []
    first_event: list[float] = []
    durations: list[float] = []
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        ids = await _create(client, base, n)

        async def stream(k: int, session_id: str) -> None:
            nonlocal open_now, peak
            url = f"{base}/api/sessions/{session_id}/messages"
            body = {"content": unique(messages[k % len(messages)])}
            headers = {"Accept": "text/event-stream"}
            started = time.perf_counter()
            events: list[str] = []
            try:
                async with client.stream("POST", url, json=body, headers=headers) as r:
                    if r.status_code != 200:
                        errors.append(f"http {r.status_code}")
                        return
                    open_now += 1
                    peak = max(peak, open_now)
                    try:
                        async for line in r.aiter_lines():
                            if line.startswith("event: "):
                                if not events:
                                    first_event.append(time.perf_counter() - started)
                                events.append(line[7:])
                    finally:
                        open_now -= 1
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
                return
            durations.append(time.perf_counter() - started)
            if not events or events[-1] != "done" or "error" in events:
                errors.append("stream ended without done: " + json.dumps(events[-3:]))

        started = time.perf_counter()
        tasks = [asyncio.create_task(stream(k, i)) for k, i in enumerate(ids)]
        _, pending = await asyncio.wait(tasks, timeout=DEADLINE_S)
        for task in pending:  # a stall is an error, and the bench stays bounded
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        errors.extend([f"unfinished after {DEADLINE_S:g} s"] * len(pending))
        wall = time.perf_counter() - started
    return {
        "streams": n,
        "completed": len(durations),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "peak_open": peak,
        "wall_s": round(wall, 2),
        "first_event_p50_ms": round(percentile(first_event, 50) * 1000, 1) if first_event else None,
        "first_event_p99_ms": round(percentile(first_event, 99) * 1000, 1) if first_event else None,
        "stream_p50_s": round(percentile(durations, 50), 2) if durations else None,
    }


def _one(
    engine: str, notes_chroma: Path, workdir: Path, db_url: str, llm_url: str, streams: int
) -> dict[str, Any]:
    env = base_env(
        TRADEOFF_DATABASE_URL=db_url,
        TRADEOFF_DATA_DIR=str(data_dir_with_notes(notes_chroma, workdir)),
        TRADEOFF_LLM=engine,
        TRADEOFF_LLM_BASE_URL=llm_url,
        TRADEOFF_LLM_API_KEY="test",
        TRADEOFF_RATE_LIMIT="1000000/minute",
        TRADEOFF_LOG_LEVEL="WARNING",
    )
    port = free_port()
    log = workdir / f"sse-{engine.split(':')[0]}-server.log"
    with serving(uvicorn_cmd("api.main:app_from_env", port), env, port, log) as server:
        details = asyncio.run(_streams(server.base_url, streams))
        details["server_peak_rss_mb"] = peak_rss_mb(server.proc.pid)
    details["pool_timeouts_in_server_log"] = log.read_text(errors="replace").count(
        "QueuePool limit"
    )
    return details


def run(notes_chroma: Path, workdir: Path, *, streams: int = STREAMS) -> dict[str, Any]:
    """The LLM engine with a slow model: every stream stays open for seconds."""
    nofile = raise_open_file_limit(8192)  # the server inherits it: 3 sockets per stream
    details: dict[str, Any] = {"open_file_limit": nofile}
    rows = []
    with postgres_database() as db_url, fake_llm(chunk_delay=CHUNK_DELAY) as llm_url:
        # The LLM engine with a slow model is what holds streams open; the offline engine's
        # streams end as soon as the message is read, so they never pile up the same way.
        for label, engine in (("slow LLM", "openai-compatible:test-model"),):
            d = _one(engine, notes_chroma, workdir, db_url, llm_url, streams)
            details[label] = d
            ok = d["errors"] == 0 and d["peak_open"] >= TARGET
            note = (
                f"{d['errors']} errors of {streams} ({', '.join(d['error_kinds'])}); "
                f"{d['pool_timeouts_in_server_log']} DB-pool timeouts; wall {d['wall_s']} s; "
                f"first event p50 {d['first_event_p50_ms']} / p99 {d['first_event_p99_ms']} ms"
            )
            name = f"SSE streams open at once, {label} engine"
            rows.append(figure(name, d["peak_open"], "streams", f"≥ {TARGET}, 0 errors", ok, note))
    return {"details": details, "figures": rows}
