"""Turns per second of one worker on the offline engine, MiniLM on ONNX Runtime against PyTorch,
in the same run: 50 sessions back to back (saturation) and 50 sessions paced at one message per
~10 s each, p50 / p99, errors, and each server's peak RSS.

Both servers are real one-worker `uvicorn` subprocesses on loopback, sharing one throwaway
Postgres database, identical but for TRADEOFF_EMBEDDER. The closed-loop rounds alternate between
them, so drift in the machine's load hits both alike.
"""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from bench.harness import (
    base_env,
    candidate_messages,
    data_dir_with_notes,
    figure,
    free_port,
    peak_rss_mb,
    postgres_database,
    serving,
    uvicorn_cmd,
)
from bench.turns import _closed_loop, _sessions, _summary

RUNTIMES = ("torch", "onnx")
SESSIONS, TURNS, ROUNDS = 50, 4, 2
PACED_TURNS, THINK_S = 4, 10.0
P99_TARGET_MS, PACED_P99_TARGET_MS = 2000.0, 250.0


async def _measure(urls: dict[str, str], rounds: int) -> dict[str, Any]:
    messages = candidate_messages()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=120.0, limits=limits) as client:
        for base in urls.values():  # the first session builds the service: untimed
            warm = await _sessions(client, base, 1, timeout=300)
            await _closed_loop(client, [f"{base}/api/sessions/{warm[0]}/messages"], 5, messages)
        samples: dict[str, list[dict[str, Any]]] = {rt: [] for rt in urls}
        for _ in range(rounds):
            for rt, base in urls.items():
                ids = await _sessions(client, base, SESSIONS)
                loop = [f"{base}/api/sessions/{i}/messages" for i in ids]
                samples[rt].append(await _closed_loop(client, loop, TURNS, messages))
        for rt, base in urls.items():
            out[f"{rt}_c{SESSIONS}"] = _summary(samples[rt])
            ids = await _sessions(client, base, SESSIONS)
            loop = [f"{base}/api/sessions/{i}/messages" for i in ids]
            paced = await _closed_loop(client, loop, PACED_TURNS, messages, think_s=THINK_S)
            out[f"{rt}_paced"] = _summary([paced])
    return out


def run(notes_chroma: Path, workdir: Path, *, rounds: int = ROUNDS) -> dict[str, Any]:
    with postgres_database() as db_url, ExitStack() as stack:
        env = base_env(
            TRADEOFF_DATABASE_URL=db_url,
            TRADEOFF_LLM="offline",
            TRADEOFF_RATE_LIMIT="1000000/minute",  # the bench measures turns, not the limiter
            TRADEOFF_LOG_LEVEL="WARNING",
        )
        servers = {}
        for rt in RUNTIMES:
            port = free_port()
            rt_env = {
                **env,
                "TRADEOFF_EMBEDDER": rt,
                "TRADEOFF_DATA_DIR": str(data_dir_with_notes(notes_chroma, workdir)),
            }
            cmd = uvicorn_cmd("api.main:app_from_env", port)
            servers[rt] = stack.enter_context(
                serving(cmd, rt_env, port, workdir / f"runtime-{rt}.log")
            )
        details = asyncio.run(_measure({rt: s.base_url for rt, s in servers.items()}, rounds))
        for rt, server in servers.items():
            details[f"{rt}_peak_rss_mb"] = peak_rss_mb(server.proc.pid)
    return {"details": details, "figures": _figures(details)}


def _figures(d: dict[str, Any]) -> list[dict[str, Any]]:
    sat = {rt: d[f"{rt}_c{SESSIONS}"] for rt in RUNTIMES}
    paced = {rt: d[f"{rt}_paced"] for rt in RUNTIMES}
    onnx, torch = sat["onnx"], sat["torch"]
    ratio = round(onnx["per_s"] / torch["per_s"], 2) if torch["per_s"] else None
    rows = [
        figure(
            f"offline turns/s, one worker, {SESSIONS} sessions back to back: ONNX / PyTorch",
            ratio,
            "x",
            "≥ 3",
            ratio is not None and ratio >= 3,
            f"{onnx['per_s']} vs {torch['per_s']} turns/s, same run",
        )
    ]
    for rt in RUNTIMES:
        s = sat[rt]
        ok = s["errors"] == 0 and s["p99_ms"] <= min(P99_TARGET_MS, 4 * s["p50_ms"])
        rows.append(
            figure(
                f"offline turn p50 / p99, {SESSIONS} sessions back to back, {rt}",
                s["p99_ms"],
                "ms p99",
                "p99 ≤ 2000 and ≤ 4×p50, 0 errors" if rt == "onnx" else "",
                ok if rt == "onnx" else None,
                f"p50 {s['p50_ms']} ms; {s['requests']} turns, {s['errors']} errors, "
                f"{s['per_s']} turns/s",
            )
        )
    for rt in RUNTIMES:
        p = paced[rt]
        rows.append(
            figure(
                f"offline turn p50 / p99, {SESSIONS} sessions paced (~{THINK_S:g} s), {rt}",
                p["p99_ms"],
                "ms p99",
                f"≤ {PACED_P99_TARGET_MS:g}" if rt == "onnx" else "",
                p["p99_ms"] <= PACED_P99_TARGET_MS if rt == "onnx" else None,
                f"p50 {p['p50_ms']} ms; {p['requests']} turns, {p['errors']} errors",
            )
        )
    for rt in RUNTIMES:
        rss = d[f"{rt}_peak_rss_mb"]
        rows.append(
            figure(
                f"worker peak RSS under the {SESSIONS}-session load, {rt}",
                rss,
                "MB",
                "≤ 600" if rt == "onnx" else "",
                rss is not None and rss <= 600 if rt == "onnx" else None,
            )
        )
    return rows


if __name__ == "__main__":
    import json
    import tempfile

    from bench.harness import build_notes_index

    root = Path(tempfile.mkdtemp(prefix="tradeoff-bench-"))
    print(json.dumps(run(build_notes_index(root / "notes"), root), indent=2))
