"""`tradeoff grade`: grade one answer (readable scorecard or JSON) or a JSONL batch."""

from __future__ import annotations

import json
import os
import tempfile
import textwrap
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from agents.evaluation import DiagramInput, Evaluation, GradeInput

err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(2)


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {what} {path}: {exc.__class__.__name__}")
    raise AssertionError


def read_diagram(path: Path) -> DiagramInput:
    """A diagram file: `.excalidraw` (or any JSON) is a drawing, anything else Mermaid source."""
    text = _read(path, "diagram file")
    drawing = path.suffix == ".excalidraw" or text.lstrip().startswith("{")
    try:
        return DiagramInput(format="excalidraw" if drawing else "mermaid", text=text)
    except ValidationError as exc:
        _fail(f"{path}: {exc.errors()[0]['msg']}")
        raise


def _load_batch(path: Path) -> list[GradeInput]:
    """Validates every line before anything is graded, so a bad line wastes no work."""
    requests = []
    for n, line in enumerate(_read(path, "batch file").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            requests.append(GradeInput.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            _fail(f"{path}:{n}: {where}: {first['msg']}")
    if not requests:
        _fail(f"{path} has no requests")
    return requests


QUOTE_CHARS = 90  # a table cell quotes this much of a sentence, cut between words


def clip(text: str, width: int = QUOTE_CHARS) -> str:
    """`text` cut at a word boundary with an ellipsis when longer than `width`."""
    return textwrap.shorten(text, width=width, placeholder=" …")


def print_scorecard(ev: Evaluation, console: Console) -> None:
    console.print(
        f"[bold]{ev.question_id or 'free-text question'}[/bold]  overall [bold]{ev.overall:.2f}[/]"
        f"  verdict [bold]{ev.verdict}[/]  engine {ev.engine}  level {ev.level}"
    )
    table = Table("dimension", "score", "evidence", "missed")
    for d in ev.dimensions:
        table.add_row(
            d.name + ("" if d.assessed else " (n/a)"),
            f"{d.score:.2f}",
            "\n".join(f"“{clip(q)}”" for q in d.evidence[:2]),
            "\n".join(clip(m) for m in d.missing[:2]),
        )
    console.print(table)
    if ev.flags:
        console.print("[yellow]flags:[/] " + ", ".join(ev.flags))
    console.print(ev.feedback)


def register(app: typer.Typer) -> None:
    @app.command()
    def grade(
        question: str = typer.Option(None, "--question", help="A bank question id."),
        question_text: str = typer.Option(None, "--question-text", help="A free-text question."),
        answer_file: Path = typer.Option(None, "--answer-file", help="The answer to grade."),
        diagram: Path = typer.Option(
            None, "--diagram", help="A Mermaid (.mmd) or Excalidraw (.excalidraw) diagram."
        ),
        reference_file: Path = typer.Option(None, "--reference-file", help="A model answer."),
        level: str = typer.Option("senior", help="mid | senior | staff"),
        as_json: bool = typer.Option(False, "--json", help="Print the Evaluation as JSON."),
        batch: Path = typer.Option(None, "--batch", help="JSONL of requests, one per line."),
        out: Path = typer.Option(None, "--out", help="With --batch: write JSONL here."),
    ) -> None:
        """Grade an answer against a rubric (bank question, free text, or a reference answer)."""
        from agents.grading import UnknownQuestion, grade_one, grade_stream
        from core.settings import get_settings
        from wiring import Container

        parts = Container(get_settings())  # grading builds no retriever and opens no database
        if batch is not None:
            requests = _load_batch(batch)
            bank = parts.bank
            for r in requests:
                if r.question and r.question not in bank.questions:
                    _fail(f"request {r.id!r}: no question {r.question!r} in the bank")
            evaluator = parts.evaluator
            with Progress(console=err, transient=True) as progress:
                task = progress.add_task("grading", total=len(requests))
                rows = grade_stream(
                    evaluator, requests, bank, progress=lambda n: progress.advance(task, n)
                )
                lines = [json.dumps(row) for row in rows]
            if out is None:
                typer.echo("\n".join(lines))
            else:  # written whole or not at all
                fd, tmp = tempfile.mkstemp(dir=out.parent if out.parent.exists() else None)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write("\n".join(lines) + "\n")
                os.replace(tmp, out)
                err.print(f"graded {len(lines)} answers -> {out}")
            return
        if answer_file is None and diagram is None:
            _fail("give --answer-file and/or --diagram (or --batch FILE)")
        try:
            req = GradeInput(
                question=question,
                question_text=question_text,
                answer=_read(answer_file, "answer file") if answer_file else "",
                diagram=read_diagram(diagram) if diagram else None,
                reference=_read(reference_file, "reference file") if reference_file else None,
                level=level,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            _fail(exc.errors()[0]["msg"])
        try:
            ev = grade_one(parts.evaluator, req, parts.bank)
        except UnknownQuestion as exc:
            _fail(str(exc))
        if as_json:
            typer.echo(ev.model_dump_json(indent=2))
        else:
            print_scorecard(ev, Console())
