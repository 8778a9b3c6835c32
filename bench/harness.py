"""Shared parts of the benchmarks: server subprocesses, ports, percentiles, the indexed notes.

Every server a benchmark measures is a real subprocess on loopback, started from this repo with
the venv's Python and an environment stripped of the shell's `TRADEOFF_` variables.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.servers import (  # noqa: F401 - the benchmarks' server kit, shared with tests
    BIN,
    REPO,
    Server,
    app_cmd,
    free_port,
    serving,
)

PG_BASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# The ONNX export of MiniLM, made once per machine and shared by every benchmark server (as an
# image's baked-in export would be), so no server's start includes the one-time export.
MODEL_CACHE = Path(tempfile.gettempdir()) / "tradeoff-bench-models"


def figure(
    name: str, value: float | int | None, unit: str, target: str, met: bool | None, note: str = ""
) -> dict[str, Any]:
    """One row of the results table; `met` is None for figures reported without a target."""
    return {
        "figure": name,
        "value": value,
        "unit": unit,
        "target": target,
        "met": met,
        "note": note,
    }


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation): p99 of 200 samples is the 198th smallest."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def raise_open_file_limit(wanted: int = 8192) -> int:
    """Raises the soft RLIMIT_NOFILE (children inherit it); returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def base_env(**overrides: str) -> dict[str, str]:
    """The parent's environment without TRADEOFF_* / OPENAI_API_KEY, plus `overrides`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TRADEOFF_") and k != "OPENAI_API_KEY"
    }
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    env["TRADEOFF_MODEL_CACHE"] = str(MODEL_CACHE)
    env.update(overrides)
    return env


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (the peak resident set) of a live process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def uvicorn_cmd(app: str, port: int) -> list[str]:
    """One uvicorn worker serving an app factory, as `tradeoff serve` would (no access log)."""
    return app_cmd(port, app, "--workers", "1", "--no-access-log", "--log-level", "warning")


@contextmanager
def fake_llm(chunk_delay: float = 0.0) -> Iterator[str]:
    """A FakeOpenAIServer in its own process (so its work never shares the load generator's
    GIL); yields its base URL."""
    code = (
        "import sys, time\n"
        "from tests.support.openai_server import FakeOpenAIServer, Reply\n"
        "reply = Reply('Thanks, that is clear. What happens to your design when traffic "
        f"doubles?', chunk_delay={chunk_delay!r})\n"
        "with FakeOpenAIServer(default=reply) as server:\n"
        "    print(server.base_url, flush=True)\n"
        "    sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [str(BIN / "python"), "-c", code],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError("the fake OpenAI server did not start")
        yield url
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway Postgres database (created, yielded as a URL, dropped)."""
    from core.db import upgrade
    from tests.support.databases import throwaway_postgres

    with throwaway_postgres(PG_BASE_URL) as url:
        upgrade(url)
        yield url


def build_notes_index(root: Path) -> Path:
    """Indexes the bundled notes once into `root`; servers get copies of the Chroma dir."""
    from core.settings import Settings
    from wiring import Container

    Container(Settings(data_dir=root, chroma_url="")).index_notes()
    return root / "chroma"


def data_dir_with_notes(notes_chroma: Path, parent: Path) -> Path:
    """A fresh data dir under `parent` that already holds the indexed notes."""
    data = Path(tempfile.mkdtemp(prefix="data-", dir=parent))
    shutil.copytree(notes_chroma, data / "chroma")
    return data


def candidate_messages() -> list[str]:
    """Realistic candidate turns: the paragraphs of the graded URL-shortener answers."""
    from evals.datasets import graded_answers

    paragraphs = [
        " ".join(p.split())
        for a in graded_answers()
        if a.question == "url-shortener"
        for p in a.answer.split("\n\n")
        if len(p.split()) >= 12
    ]
    return paragraphs
