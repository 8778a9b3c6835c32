"""`make bench`: runs every benchmark once, prints one table, writes bench/results.json.

Each module measures its figures and their baselines in the same run; the load average is
recorded next to every benchmark, because this machine's cores are shared.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import diagram_parse, embedding, eval_time, grading, runtimes, sse, startup, turns
from bench import retrieval as retrieval_bench
from bench.harness import MODEL_CACHE, build_notes_index, figure, loadavg
from core.settings import get_settings

RESULTS = Path(__file__).resolve().parent / "results.json"
COMMAND = "python -m bench.run_all"


def _retrieval() -> dict[str, Any]:
    d = retrieval_bench.run(rounds=1, echo=False)
    return {
        "details": d,
        "figures": [
            figure(
                "retrieval p50 / raw embed+query p50",
                d["latency_ratio"],
                "x",
                "≤ 1.3",
                d["latency_ok"],
                f"{d['search_p50_ms']} vs {d['raw_query_p50_ms']} ms",
            ),
            figure(
                "ingest / raw encode throughput",
                d["ingest_throughput_ratio"],
                "x",
                "≥ 0.8",
                d["ingest_ok"],
                f"{d['ingest_chunks_per_s']} vs "
                f"{d['raw_encode_chunks_per_s']} chunks/s, {d['chunks']} chunks",
            ),
        ],
    }


def _benchmarks(notes: Path, work: Path) -> list[tuple[str, Callable[[], dict[str, Any]]]]:
    return [
        ("startup", lambda: startup.run(notes, work)),
        ("embedding", embedding.run),
        ("runtimes", lambda: runtimes.run(notes, work)),
        ("turns", lambda: turns.run(notes, work)),
        ("sse", lambda: sse.run(notes, work)),
        ("grading", lambda: grading.run(work)),
        ("retrieval", _retrieval),
        ("eval_time", lambda: eval_time.run(work)),
        ("diagram_parse", diagram_parse.run),
    ]


def run_all(only: list[str] | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="tradeoff-bench-"))
    # What runs in this process writes under the work dir too, never the user's data dir.
    os.environ["TRADEOFF_DATA_DIR"] = str(work / "in-process")
    os.environ["TRADEOFF_MODEL_CACHE"] = str(MODEL_CACHE)
    get_settings.cache_clear()
    results: dict[str, Any] = {
        "command": COMMAND,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "machine": f"{platform.machine()} {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "loadavg_start": loadavg(),
        "benchmarks": {},
        "figures": [],
    }
    try:
        notes = build_notes_index(work / "notes")
        for name, bench in _benchmarks(notes, work):
            if only and name not in only:
                continue
            entry: dict[str, Any] = {"loadavg_before": loadavg()}
            t0 = time.perf_counter()
            try:
                out = bench()
                entry.update(details=out["details"])
                for row in out["figures"]:
                    results["figures"].append({**row, "bench": name, "loadavg": loadavg()})
            except Exception as exc:  # noqa: BLE001 - one broken bench must not lose the others
                entry["error"] = f"{type(exc).__name__}: {exc}"
                entry["traceback"] = traceback.format_exc()[-2000:]
                results["figures"].append(
                    {
                        **figure(f"{name} (failed)", None, "", "", False, entry["error"][:200]),
                        "bench": name,
                        "loadavg": loadavg(),
                    }
                )
            entry["seconds"] = round(time.perf_counter() - t0, 1)
            results["benchmarks"][name] = entry
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["loadavg_end"] = loadavg()
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    return results


def print_table(results: dict[str, Any], console: Console) -> None:
    table = Table(
        "figure",
        "value",
        "target",
        "met?",
        "load 1/5/15",
        "note",
        title=f"Tradeoff benchmarks, {results['date']}, {results['cores']} cores",
    )
    marks = {True: "[green]yes[/]", False: "[red]no[/]", None: "-"}
    for row in results["figures"]:
        value = "-" if row["value"] is None else f"{row['value']} {row['unit']}".strip()
        table.add_row(
            row["figure"],
            value,
            row["target"] or "-",
            marks[row["met"]],
            row["loadavg"],
            row["note"],
        )
    console.print(table)
    console.print(
        f"command: {results['command']}; total {results['total_seconds']} s; "
        f"load average {results['loadavg_start']} at start, {results['loadavg_end']} at end"
    )


def main() -> None:
    only = sys.argv[1:] or None
    results = run_all(only)
    print_table(results, Console(width=200))
    # A partial run never overwrites the full results; it goes beside them, untracked.
    out = RESULTS if not only else RESULTS.with_name("results.local.json")
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    Console().print(f"wrote {out}")


if __name__ == "__main__":
    main()
