"""Where a server's time goes: runs it under py-spy during a load and sums the samples.

py-spy cannot attach to a running process here (no ptrace rights), so the server is started as
py-spy's child; the summary names the functions holding the most samples (self and inclusive).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import REPO, Server, peak_rss_mb

PY_SPY = Path(sys.executable).parent / "py-spy"
TURN_BUCKETS = {  # substring of a frame -> what it means, for the inclusive shares
    "run_turn": "the turn (plan + phrase + store)",
    "Reader.read": "reading the message (embeddings)",
    "search (retrieval/search.py": "retrieval for the LLM prompt",
    "encode (": "MiniLM encode (incl. waiting for the embedding thread)",
    "LLMPhraser.stream": "LLM phrasing (incl. HTTP to the model)",
    "begin_turn": "storing the candidate message",
    "save_state": "storing reply + state",
    "RateLimitMiddleware": "rate-limit middleware",
    "current_user": "auth dependency",
}
GRADING_BUCKETS = {
    "_prepare": "preparing rubric + sentences (incl. their embeddings)",
    "encode (": "MiniLM encode (incl. waiting for the embedding thread)",
    "_finish": "judging items + scoring",
    "model_dump": "pydantic dumps",
}


def available() -> bool:
    return PY_SPY.exists() or shutil.which("py-spy") is not None


def peak_rss_of(server: Server) -> float | None:
    return peak_rss_mb(server.proc.pid)


def record_server(
    cmd: list[str], env: dict[str, str], workdir: Path, load: Callable[[str], None]
) -> dict[str, Any]:
    """Starts `cmd` under py-spy, runs `load(base_url)`, stops, and summarises the samples."""
    raw = workdir / "profile.txt"
    port = int(cmd[cmd.index("--port") + 1])
    spy = [str(PY_SPY if PY_SPY.exists() else "py-spy"), "record", "-r", "200", "-f", "raw"]
    server = Server([*spy, "-o", str(raw), "--", *cmd], env, port, workdir / "profile.log")
    try:
        server.wait_ready()
        load(server.base_url)
    finally:
        server.proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        try:
            server.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.proc.kill()
        server.stop()
    return summarise(raw, TURN_BUCKETS) if raw.exists() else {"error": server.tail(500)}


def record_call(code: str, workdir: Path, buckets: dict[str, str]) -> dict[str, Any]:
    """Runs `python -c code` under py-spy and summarises the samples."""
    raw = workdir / "profile-call.txt"
    spy = str(PY_SPY if PY_SPY.exists() else "py-spy")
    cmd = [spy, "record", "-r", "100", "-f", "raw", "-o", str(raw), "--", sys.executable, "-c"]
    proc = subprocess.run([*cmd, code], cwd=REPO, capture_output=True, text=True, timeout=600)
    if not raw.exists():
        return {"error": proc.stderr[-500:]}
    return summarise(raw, buckets)


def summarise(raw: Path, buckets: dict[str, str], top: int = 10) -> dict[str, Any]:
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        self_time[_short(frames[-1])] += n
        for label in {label for key, label in buckets.items() if any(key in f for f in frames)}:
            inclusive[label] += n
    share = lambda n: round(100 * n / total, 1) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "self_top": [(f, share(n)) for f, n in self_time.most_common(top)],
        "inclusive": {k: share(v) for k, v in inclusive.most_common() if v},
        "file": str(raw),
    }


def _short(frame: str) -> str:
    """'encode (sentence_transformers/SentenceTransformer.py:1040)' -> without the line."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    parts = path.split("/")
    return f"{name} ({'/'.join(parts[-2:])})"
