"""`tradeoff eval`: run the offline (or live) eval suites, report, and gate on the baseline."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        suite: str = typer.Option(
            "all", help="grading | retrieval | interviewer | injection | drills | all"
        ),
        engine: str = typer.Option("offline", help="offline, or an LLM spec like openai:gpt-4.1"),
        baseline: Path = typer.Option(None, help="Fail when a metric regresses past this."),
        update_baseline: bool = typer.Option(
            False, "--update-baseline", help="Rewrite evals/baseline.json with this run."
        ),
        report: Path = typer.Option(None, help="Write an HTML report with plots into this dir."),
        json_out: Path = typer.Option(None, "--json-out", help="Write every metric as JSON."),
    ) -> None:
        """Measure grading, retrieval, interviewer, injection resistance and drill grading; gate
        regressions."""
        from agents.models import ModelSpecError, parse_spec
        from core.settings import get_settings
        from evals import runner

        suites = list(runner.SUITES) if suite == "all" else [suite]
        if any(s not in runner.SUITES for s in suites):
            err.print(
                f"[red]error:[/red] unknown suite {suite!r}; use {', '.join(runner.SUITES)} or all"
            )
            raise typer.Exit(2)
        try:
            parse_spec(engine)
        except ModelSpecError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        base = None
        if baseline is not None:
            try:
                base = runner.load_baseline(baseline)
            except ValueError as exc:
                err.print(f"[red]error:[/red] {exc}")
                raise typer.Exit(2) from exc
        if json_out is not None and not json_out.parent.is_dir():
            err.print(f"[red]error:[/red] no directory {json_out.parent} for --json-out")
            raise typer.Exit(2)
        settings = get_settings()
        settings.ensure_dirs()
        with Progress(
            TextColumn("{task.description:12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        ) as progress:
            tasks: dict[str, TaskID] = {}

            def on_progress(name: str, done: int, total: int) -> None:
                if name not in tasks:
                    tasks[name] = progress.add_task(name, total=total)
                progress.update(tasks[name], completed=done, total=total)

            run = runner.run_suites(suites, settings, engine, on_progress)
        table = Table("metric", "value", "baseline", title=f"eval: {run.engine}")
        for name, value in sorted(run.metrics.items()):
            ref = (base or {}).get(name, {}).get("value", "")
            table.add_row(name, f"{value:g}" if isinstance(value, float) else str(value), str(ref))
        Console().print(table)
        Console().print(f"wall time {run.seconds:.1f} s for suites: {', '.join(suites)}")
        failures = runner.gate(run, base) if base is not None else None
        if json_out is not None:
            runner.write_json(
                json_out,
                {
                    "engine": run.engine,
                    "metrics": run.metrics,
                    "prompt_hashes": run.prompt_hashes,
                    "suites": suites,
                    "failures": failures,
                },
            )
        if report is not None:
            from evals.report import write_report

            path = write_report(run, report, failures)
            Console().print(f"report: {path}")
        if update_baseline:
            old = None
            if runner.BASELINE_PATH.exists():
                old = runner.load_baseline(runner.BASELINE_PATH)
            runner.write_json(runner.BASELINE_PATH, runner.updated_baseline(run, old))
            Console().print(f"baseline updated: {runner.BASELINE_PATH}")
        if failures:
            for line in failures:
                err.print(f"[red]regressed:[/red] {line}")
            raise typer.Exit(1)
        if failures is not None:
            Console().print("baseline gate: passed")
