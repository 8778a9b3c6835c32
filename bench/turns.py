"""Turn latency: `POST /api/sessions/{id}/messages` on a real one-worker server, next to a bare
FastAPI route doing one database write under the same closed-loop load, plus the offline engine.

Both servers share one throwaway Postgres database; the LLM engine talks to a FakeOpenAIServer
(own process) that answers instantly, so what is measured is Tradeoff's own overhead per turn.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

from bench import profile
from bench.harness import (
    base_env,
    candidate_messages,
    data_dir_with_notes,
    fake_llm,
    figure,
    free_port,
    percentile,
    postgres_database,
    serving,
    uvicorn_cmd,
)

LEVELS = (1, 50)
TURNS_PER_SESSION = {1: 15, 50: 4}  # per round: 15 sequential turns, or 50 x 4 = 200
ROUNDS = 2
PACED_SESSIONS, PACED_TURNS, THINK_S = 50, 4, 10.0
P50_TARGET_MS, P99_TARGET_MS, OFFLINE_TARGET_MS = 15.0, 60.0, 60.0
QUESTION = "url-shortener"


class _Message(BaseModel):
    content: str


def bare_app() -> FastAPI:
    """The baseline: one route, one INSERT and commit, nothing else (uvicorn factory)."""
    from sqlalchemy import text

    from core.db import get_engine

    engine = get_engine(os.environ["TRADEOFF_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS bench_bare_writes (id BIGSERIAL PRIMARY KEY, "
                "session_id TEXT NOT NULL, content TEXT NOT NULL, "
                "created_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
        )
    app = FastAPI()

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/bare/{session_id}/messages")
    def write(session_id: str, body: _Message) -> dict[str, Any]:
        with engine.begin() as conn:
            row = conn.execute(
                text(
                    "INSERT INTO bench_bare_writes (session_id, content) VALUES (:s, :c) "
                    "RETURNING id"
                ),
                {"s": session_id, "c": body.content},
            ).one()
        return {"id": row.id, "session_id": session_id}

    return app


_SENT = re.compile(r"(?<=[.!?])\s+")
_SEQ = itertools.count()


def unique(message: str) -> str:
    """The message with a request number in every sentence: a real candidate never sends the
    same sentence twice, so the embedder's memo must not flatter the figures."""
    n = next(_SEQ)
    out = []
    for sentence in _SENT.split(message):
        body, end = (sentence[:-1], sentence[-1]) if sentence[-1:] in ".!?" else (sentence, ".")
        out.append(f"{body} (#{n}){end}")
    return " ".join(out)


async def _closed_loop(
    client: httpx.AsyncClient,
    urls: list[str],
    turns: int,
    messages: list[str],
    think_s: float = 0.0,
) -> dict[str, Any]:
    """Every URL gets its own worker sending `turns` messages, back to back, or with a think
    time drawn around `think_s` between a reply and the next message (paced sessions)."""
    latencies: list[float] = []
    errors: list[str] = []
    kinds: Counter[str] = Counter()
    pace = random.Random(7)

    async def worker(url: str, offset: int) -> None:
        if think_s:  # sessions start spread out, as real candidates do
            await asyncio.sleep(pace.uniform(0, think_s))
        for i in range(turns):
            if think_s and i:
                await asyncio.sleep(pace.uniform(0.5 * think_s, 1.5 * think_s))
            content = unique(messages[(offset + i) % len(messages)])
            started = time.perf_counter()
            try:
                r = await client.post(url, json={"content": content})
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
                continue
            latencies.append(time.perf_counter() - started)
            if r.status_code != 200:
                errors.append(str(r.status_code))
            elif "reply" in (body := r.json()):
                kinds[str(body["reply"].get("kind"))] += 1
                if body.get("status") == "completed":  # the interview ended: a candidate starts
                    base = url.split("/api/sessions/")[0]  # another, untimed
                    url = f"{base}/api/sessions/{(await _sessions(client, base, 1))[0]}/messages"

    started = time.perf_counter()
    await asyncio.gather(*(worker(u, k * 3) for k, u in enumerate(urls)))
    seconds = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "seconds": seconds, "kinds": kinds}


async def _sessions(
    client: httpx.AsyncClient, base: str, n: int, timeout: float = 120.0
) -> list[str]:
    ids = []
    for _ in range(n):
        body = {"question_id": QUESTION, "mode": "mock"}
        r = await client.post(f"{base}/api/sessions", json=body, timeout=timeout)
        r.raise_for_status()
        ids.append(r.json()["id"])
    return ids


def _summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    lat = [x for s in samples for x in s["latencies"]]
    seconds = sum(s["seconds"] for s in samples)
    kinds: Counter[str] = sum((s["kinds"] for s in samples), Counter())
    return {
        "requests": len(lat),
        "errors": sum(len(s["errors"]) for s in samples),
        "error_kinds": dict(Counter(e for s in samples for e in s["errors"])),
        "p50_ms": round(percentile(lat, 50) * 1000, 2) if lat else None,
        "p99_ms": round(percentile(lat, 99) * 1000, 2) if lat else None,
        "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else None,
        "per_s": round(len(lat) / seconds, 1) if seconds else None,
        "reply_kinds": dict(kinds),
    }


async def _measure(real: str, bare: str, rounds: int) -> dict[str, Any]:
    messages = candidate_messages()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=120.0, limits=limits) as client:
        await _closed_loop(client, [f"{bare}/bare/warm/messages"], 5, messages)
        warm = await _sessions(client, real, 1, timeout=300)  # builds the service: slow
        await _closed_loop(client, [f"{real}/api/sessions/{warm[0]}/messages"], 5, messages)
        for c in LEVELS:
            real_samples, bare_samples = [], []
            for _ in range(rounds):  # interleaved, so drift in machine load hits both alike
                ids = await _sessions(client, real, c)
                urls = [f"{real}/api/sessions/{i}/messages" for i in ids]
                real_samples.append(
                    await _closed_loop(client, urls, TURNS_PER_SESSION[c], messages)
                )
                urls = [f"{bare}/bare/{i}/messages" for i in ids]
                bare_samples.append(
                    await _closed_loop(client, urls, TURNS_PER_SESSION[c], messages)
                )
            out[f"llm_c{c}"] = _summary(real_samples)
            out[f"bare_c{c}"] = _summary(bare_samples)
        # 50 sessions at a candidate's pace (a message every THINK_S seconds on average, several
        # times faster than anyone types an answer), the same sessions as concurrent users.
        ids = await _sessions(client, real, PACED_SESSIONS)
        urls = [f"{real}/api/sessions/{i}/messages" for i in ids]
        paced = await _closed_loop(client, urls, PACED_TURNS, messages, think_s=THINK_S)
        out["llm_paced"] = _summary([paced])
        urls = [f"{bare}/bare/{i}/messages" for i in ids]
        out["bare_paced"] = _summary(
            [await _closed_loop(client, urls, PACED_TURNS, messages, think_s=THINK_S)]
        )
    return out


async def _profile_load(real: str) -> None:
    messages = candidate_messages()
    async with httpx.AsyncClient(timeout=120.0, limits=httpx.Limits(max_connections=100)) as c:
        ids = await _sessions(c, real, 50)
        urls = [f"{real}/api/sessions/{i}/messages" for i in ids]
        await _closed_loop(c, urls, TURNS_PER_SESSION[50], messages)


def _offline_in_process(notes_chroma: Path, workdir: Path) -> dict[str, Any]:
    """`InterviewEngine.turn()` on realistic messages, in this process (no HTTP, no database)."""
    from agents.interviewer.engine import InterviewEngine
    from core.settings import Settings
    from wiring import Container

    settings = Settings(data_dir=data_dir_with_notes(notes_chroma, workdir), chroma_url="")
    parts = Container(settings)
    engine = InterviewEngine(parts.offline_evaluator, parts.retriever)
    question = parts.bank.questions[QUESTION]
    messages = candidate_messages()
    seconds = []
    for n in range(3):  # three interviews over every paragraph; the first turns warm up
        state, _ = engine.open(question, "senior", f"bench-{n}", time.time())
        for m in messages:
            m = unique(m)
            started = time.perf_counter()
            engine.turn(question, state, "senior", f"bench-{n}", m, time.time())
            seconds.append(time.perf_counter() - started)
    timed = seconds[3:]
    return {
        "turns": len(timed),
        "p50_ms": round(percentile(timed, 50) * 1000, 2),
        "p99_ms": round(percentile(timed, 99) * 1000, 2),
    }


def _offline_api(env: dict[str, str], workdir: Path, notes_chroma: Path) -> dict[str, Any]:
    port = free_port()
    env = {**env, "TRADEOFF_LLM": "offline"}
    env["TRADEOFF_DATA_DIR"] = str(data_dir_with_notes(notes_chroma, workdir))
    cmd = uvicorn_cmd("api.main:app_from_env", port)
    with serving(cmd, env, port, workdir / "offline-server.log") as server:

        async def go() -> dict[str, Any]:
            async with httpx.AsyncClient(timeout=120.0) as client:
                ids = await _sessions(client, server.base_url, 4, timeout=300)
                url = f"{server.base_url}/api/sessions"
                messages = candidate_messages()
                await _closed_loop(client, [f"{url}/{ids[0]}/messages"], 5, messages)
                samples = [  # an interview ends after its wrap-up: ten turns per session
                    await _closed_loop(client, [f"{url}/{i}/messages"], 10, messages)
                    for i in ids[1:]
                ]
                return _summary(samples)

        return asyncio.run(go())


def run(notes_chroma: Path, workdir: Path, *, rounds: int = ROUNDS) -> dict[str, Any]:
    with postgres_database() as db_url, fake_llm() as llm_url:
        env = base_env(
            TRADEOFF_DATABASE_URL=db_url,
            TRADEOFF_RATE_LIMIT="1000000/minute",  # the bench measures turns, not the limiter
            TRADEOFF_LOG_LEVEL="WARNING",
        )
        llm_env = {
            **env,
            "TRADEOFF_DATA_DIR": str(data_dir_with_notes(notes_chroma, workdir)),
            "TRADEOFF_LLM": "openai-compatible:test-model",
            "TRADEOFF_LLM_BASE_URL": llm_url,
            "TRADEOFF_LLM_API_KEY": "test",
        }
        real_port, bare_port = free_port(), free_port()
        real_cmd = uvicorn_cmd("api.main:app_from_env", real_port)
        with (
            serving(real_cmd, llm_env, real_port, workdir / "llm-server.log") as real,
            serving(
                uvicorn_cmd("bench.turns:bare_app", bare_port),
                env,
                bare_port,
                workdir / "bare-server.log",
            ) as bare,
        ):
            details = asyncio.run(_measure(real.base_url, bare.base_url, rounds))
            details["llm_server_peak_rss_mb"] = profile.peak_rss_of(real)
        details["offline_api"] = _offline_api(env, workdir, notes_chroma)
        details["offline_in_process"] = _offline_in_process(notes_chroma, workdir)
        llm50 = details["llm_c50"]
        missed = not (llm50["p50_ms"] <= P50_TARGET_MS and llm50["p99_ms"] <= P99_TARGET_MS)
        if missed and profile.available():
            run_load = lambda url: asyncio.run(_profile_load(url))  # noqa: E731
            details["profile"] = profile.record_server(real_cmd, llm_env, workdir, run_load)
    return {"details": details, "figures": _figures(details)}


def _figures(d: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    loads = (
        ("c1", "1 session, back to back", False),
        ("c50", "50 sessions, back to back", True),
        ("paced", f"50 sessions, one message per ~{THINK_S:g} s each", True),
    )
    for key, label, targeted in loads:
        llm, bare = d[f"llm_{key}"], d[f"bare_{key}"]
        note = (
            f"bare write p50 {bare['p50_ms']} / p99 {bare['p99_ms']} ms; "
            f"{llm['requests']} turns, {llm['errors']} errors, {llm['per_s']} turns/s"
        )
        p50_met = llm["p50_ms"] <= P50_TARGET_MS if targeted else None
        p99_met = llm["p99_ms"] <= P99_TARGET_MS if targeted else None
        target50, target99 = (
            (f"≤ {P50_TARGET_MS:g}", f"≤ {P99_TARGET_MS:g}") if targeted else ("", "")
        )
        rows.append(
            figure(f"turn p50, LLM engine, {label}", llm["p50_ms"], "ms", target50, p50_met, note)
        )
        rows.append(
            figure(f"turn p99, LLM engine, {label}", llm["p99_ms"], "ms", target99, p99_met)
        )
        ratio = round(llm["p50_ms"] / bare["p50_ms"], 2)
        rows.append(figure(f"turn / bare-write p50 ratio, {label}", ratio, "x", "", None))
    off, api = d["offline_in_process"], d["offline_api"]
    rows.append(
        figure(
            "offline engine turn() p50 (in-process)",
            off["p50_ms"],
            "ms",
            "≤ 60",
            off["p50_ms"] <= OFFLINE_TARGET_MS,
            f"p99 {off['p99_ms']} ms",
        )
    )
    rows.append(
        figure(
            "offline turn p50 via API (1 session)",
            api["p50_ms"],
            "ms",
            "≤ 60",
            api["p50_ms"] <= OFFLINE_TARGET_MS,
            f"p99 {api['p99_ms']} ms",
        )
    )
    return rows


if __name__ == "__main__":
    import json
    import tempfile

    from bench.harness import build_notes_index

    root = Path(tempfile.mkdtemp(prefix="tradeoff-bench-"))
    print(json.dumps(run(build_notes_index(root / "notes"), root), indent=2))
