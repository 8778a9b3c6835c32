"""Runs the eval suites against one engine and gates the results on a stored baseline."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.settings import Settings

SUITES = ("grading", "retrieval", "interviewer", "injection", "diagrams", "drills")
BASELINE_PATH = Path(__file__).resolve().parent / "baseline.json"
DEFAULT_TOLERANCE = 0.02


@dataclass
class EvalRun:
    engine: str
    suites: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    prompt_hashes: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def eval_settings(base: Settings, spec: str) -> Settings:
    """A data dir of the eval's own: indexes persist between runs, the database starts empty."""
    data_dir = base.data_dir / "eval"
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in ("tradeoff.db", "tradeoff.db-wal", "tradeoff.db-shm"):
        (data_dir / name).unlink(missing_ok=True)
    return base.model_copy(
        update={
            "data_dir": data_dir,
            "llm": spec,
            "database_url": "",
            "rate_limit": "1000000/minute",
            "redis_url": "",
        }
    )


def run_suites(
    suites: list[str],
    base: Settings,
    spec: str,
    progress: Callable[[str, int, int], None] | None = None,
) -> EvalRun:
    """Runs `suites` with the engine `spec` ('offline' or an LLM spec)."""
    from fastapi.testclient import TestClient

    from agents.llm_evaluator import JUDGE_STATS
    from agents.models import parse_spec
    from api.main import create_app
    from evals.clock import ManualClock
    from evals.llm_metrics import judge_metrics, turn_metrics, turns_of
    from wiring import Container

    started = time.perf_counter()
    judged_before = JUDGE_STATS.copy()
    settings = eval_settings(base, spec)
    clock = ManualClock()
    # One container for the run: the suites and the app under test share its embedder.
    parts = Container(settings, clock=clock)
    bank = parts.bank
    evaluator = parts.evaluator
    run = EvalRun(
        engine=parse_spec(spec).engine_name,
        prompt_hashes=dict(getattr(evaluator, "prompt_hashes", {})),
    )

    def tick(suite: str, total: int) -> Callable[[int], None]:
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            if progress:
                progress(suite, done[0], total)

        return advance

    needs_app = {"interviewer", "injection"} & set(suites)
    client_cm = None
    client = None
    if needs_app:
        client_cm = TestClient(create_app(settings, container=parts))
        client = client_cm.__enter__()
    try:
        if "grading" in suites:
            from evals.grading_suite import grading_total, run_grading_suite

            out = run_grading_suite(evaluator, bank, tick("grading", grading_total()))
            run.metrics.update(out["metrics"])
            run.details["grading"] = out
        if "retrieval" in suites:
            from evals.retrieval_metrics import run_retrieval_suite

            if progress:
                progress("retrieval", 0, 1)
            out = run_retrieval_suite(settings, parts.embedder)
            run.metrics.update({k: v for k, v in _flat(out).items()})
            run.details["retrieval"] = out
            if progress:
                progress("retrieval", 1, 1)
        if "interviewer" in suites:
            from evals.interviewer_suite import run_interviewer_suite, suite_size

            out = run_interviewer_suite(
                client,
                clock.advance,
                settings,
                parts.offline_evaluator,
                sse=True,
                progress=tick("interviewer", suite_size()),
            )
            run.metrics.update(out["metrics"])
            run.details["interviewer"] = out
        if "injection" in suites:
            from evals.datasets import injection_attacks
            from evals.injection_suite import run_injection_suite

            out = run_injection_suite(
                evaluator, bank, client, tick("injection", len(injection_attacks()))
            )
            run.metrics.update(out["metrics"])
            run.details["injection"] = out
        if "diagrams" in suites:
            from diagrams.analysis import diagram_reader
            from evals.diagram_suite import diagram_cases, run_diagram_suite

            out = run_diagram_suite(
                diagram_reader(parts.embedder.encode),
                tick("diagrams", len(diagram_cases())),
                evaluator,
            )
            run.metrics.update(out["metrics"])
            run.details["diagrams"] = out
        if "drills" in suites:
            from evals.drills_suite import drill_total, run_drills_suite

            out = run_drills_suite(evaluator, bank, tick("drills", drill_total()))
            run.metrics.update(out["metrics"])
            run.details["drills"] = out
    finally:
        if client_cm is not None:
            client_cm.__exit__(None, None, None)
    if not parse_spec(spec).is_offline:  # what only a model has: fallbacks, JSON, latency
        run.metrics.update(judge_metrics(judged_before, JUDGE_STATS.copy()))
        run.metrics.update(turn_metrics(turns_of(run.details)))
    run.seconds = round(time.perf_counter() - started, 2)
    run.metrics["wall_seconds"] = run.seconds
    return run


def _flat(out: dict[str, Any]) -> dict[str, float]:
    """The retrieval suite's nested figures as flat metric names."""
    metrics = out.get("metrics", out)
    flat: dict[str, float] = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                if isinstance(v, int | float):
                    flat[f"retrieval_{key}_{sub}"] = v
        elif isinstance(value, int | float):
            flat[key if key.startswith("retrieval") else f"retrieval_{key}"] = value
    return flat


# -- the baseline gate -------------------------------------------------------------------------
def load_baseline(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read baseline {path}: {exc}") from exc
    metrics = data.get("metrics")
    if not isinstance(metrics, dict):
        raise ValueError(f"{path}: expected {{'metrics': {{name: {{value, tolerance, higher}}}}}}")
    return metrics


SUITE_OF_PREFIX = {
    "grading_": "grading",
    "adversarial_": "grading",
    "short_answer_": "grading",
    "freetext_": "grading",
    "resolution_": "grading",
    "retrieval_": "retrieval",
    "interviewer_": "interviewer",
    "injection_": "injection",
    "diagrams_": "diagrams",
    "drills_": "drills",
}


def suite_of(metric: str) -> str | None:
    return next((s for p, s in SUITE_OF_PREFIX.items() if metric.startswith(p)), None)


def gate(run: EvalRun, baseline: dict[str, dict[str, Any]]) -> list[str]:
    """The metrics that regressed beyond their tolerance (or vanished), each as a line."""
    failures = []
    for name, spec in sorted(baseline.items()):
        if name not in run.metrics:
            if suite_of(name) in run.suites:
                failures.append(f"{name}: missing from this run of the {suite_of(name)} suite")
            continue
        value, tol = float(spec["value"]), float(spec.get("tolerance", DEFAULT_TOLERANCE))
        current = float(run.metrics[name])
        if spec.get("higher_is_better", True):
            if current < value - tol:
                failures.append(f"{name}: {current:g} < baseline {value:g} - {tol:g}")
        elif current > value + tol:
            failures.append(f"{name}: {current:g} > baseline {value:g} + {tol:g}")
    return failures


GATED_PREFIXES = (
    "grading_",
    "adversarial_",
    "short_answer_",
    "freetext_",
    "resolution_",
    "retrieval_",
    "interviewer_",
    "injection_",
    "diagrams_",
    "drills_",
)
LOWER_IS_BETTER = (
    "interviewer_repeat_rate",
    "interviewer_leak_rate",
    "injection_success_rate",
    "grading_mae_strong",
    "grading_mae_adequate",
    "grading_mae_weak",
    "interviewer_reask_rate",
    "interviewer_number_false_alarm_rate",
    "interviewer_contradiction_false_alarm_rate",
    "resolution_outside_matched_rate",
    "freetext_weak_max_dimension_median",
    "freetext_on_topic_wrong_question_flags",
    "short_answer_rmse",
    "interviewer_mistake_pushed_strong_rate",  # a strong candidate pushed on is a false alarm
    "interviewer_vague_pushed_strong_rate",
)


def updated_baseline(run: EvalRun, old: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """New values; tolerances and directions kept from the old baseline where it had them, and
    the old entries of suites this run did not run kept as they were."""
    old = old or {}
    metrics: dict[str, dict[str, Any]] = {
        name: spec for name, spec in old.items() if suite_of(name) not in run.suites
    }
    for name, value in sorted(run.metrics.items()):
        if not name.startswith(GATED_PREFIXES) or name.endswith(
            (
                "_seconds",
                "_cases",
                "_runs",
                "_probes",
                "_attacks",
                "_queries",
                "_answers",
                "_phrasings",
                "_situations",
                "_adding_cases",
            )
        ):
            continue
        prev = old.get(name, {})
        metrics[name] = {
            "value": value,
            "tolerance": prev.get(
                "tolerance", 0.0 if name in LOWER_IS_BETTER[:3] else DEFAULT_TOLERANCE
            ),
            "higher_is_better": prev.get("higher_is_better", name not in LOWER_IS_BETTER),
        }
    return {"engine": run.engine, "metrics": metrics}


def write_json(path: Path, data: Any) -> None:
    """Written whole or not at all."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    shutil.move(str(tmp), path)
