"""Eval suite wall time: `tradeoff eval --suite all --engine offline` as a subprocess, in a
fresh data dir (so the retrieval suite's indexing is part of what a developer waits for)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.harness import BIN, REPO, base_env, figure

TARGET_S = 120.0
COMMAND = ["eval", "--suite", "all", "--engine", "offline"]


def run(workdir: Path) -> dict[str, Any]:
    out = workdir / "eval.json"
    data = workdir / "eval-data"
    data.mkdir(exist_ok=True)
    cmd = [str(BIN / "tradeoff"), *COMMAND, "--json-out", str(out)]
    started = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        env=base_env(TRADEOFF_DATA_DIR=str(data)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = round(time.perf_counter() - started, 1)
    metrics = json.loads(out.read_text()).get("metrics", {}) if out.exists() else {}
    details = {
        "command": "tradeoff " + " ".join(COMMAND) + " --json-out <tmp>",
        "exit_code": proc.returncode,
        "wall_seconds": wall,
        "metrics": len(metrics),
        "stderr_tail": proc.stderr[-400:] if proc.returncode else "",
    }
    ok = proc.returncode == 0 and wall <= TARGET_S
    note = f"exit {proc.returncode}, {len(metrics)} metrics"
    rows = [figure("eval suite wall time (offline, all)", wall, "s", f"≤ {TARGET_S:g}", ok, note)]
    return {"details": details, "figures": rows}
