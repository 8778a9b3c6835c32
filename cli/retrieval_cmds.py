"""`tradeoff ingest` and `tradeoff search`: the command-line face of the retrieval layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.settings import get_settings

err = Console(stderr=True)
DEFAULT_CORPUS = "docs"


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders (.md, .txt, .pdf, .html)."),
    corpus: str = typer.Option(DEFAULT_CORPUS, "--corpus", help="Collection to ingest into."),
) -> None:
    """Index documents into a corpus; unchanged chunks are not embedded again."""
    from retrieval.ingest import IngestError, ingest_paths
    from retrieval.store import InvalidCorpusName
    from wiring import Container

    parts = Container(get_settings())
    with Progress(
        TextColumn("embedding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("embedding", total=None)

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            # The model loads only if some chunk is new.
            report = ingest_paths(
                paths, corpus, parts.settings, parts.deferred_embedder, progress=on_progress
            )
        except (IngestError, InvalidCorpusName) as exc:
            _fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - the store being down is one clear line too
            _fail(f"ingest failed: {type(exc).__name__}: {exc}".splitlines()[0], code=1)
    for skipped in report.skipped:
        err.print(f"[yellow]skipped:[/yellow] {skipped}", highlight=False)
    typer.echo(str(report))


def _read_batch(path: Path) -> list[str]:
    if not path.is_file():
        _fail(f"{path}: no such file")
    queries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)["q"]
        except (json.JSONDecodeError, KeyError, TypeError):
            _fail(f"{path}:{n}: expected a JSON object with a 'q' field")
        if not isinstance(q, str) or not q.strip():
            _fail(f"{path}:{n}: 'q' must be a non-empty string")
        queries.append(q)
    return queries


def search(
    query: str = typer.Argument(None, help="What to look for."),
    k: int = typer.Option(5, "--k", min=1, max=50, help="Results to return."),
    corpus: str = typer.Option(None, "--corpus", help="Search one corpus (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print the citations as JSON."),
    batch: Path = typer.Option(None, "--batch", help="JSONL file with a 'q' per line."),
) -> None:
    """Hybrid (dense + BM25) search; prints cited chunks."""
    from retrieval.store import InvalidCorpusName, UnknownCorpus
    from wiring import Container

    if batch is not None and query:
        _fail("give either a QUERY or --batch FILE, not both")
    queries = _read_batch(batch) if batch is not None else [query or ""]
    if not all(q.strip() for q in queries):
        _fail("empty query: say what to look for")
    retriever = Container(get_settings()).retriever  # one embedder for the whole batch
    try:
        for q in queries:
            results = retriever.search(q, k=k, corpus=corpus)
            if batch is not None:
                typer.echo(json.dumps({"q": q, "results": [c.model_dump() for c in results]}))
            elif as_json:
                typer.echo(json.dumps([c.model_dump() for c in results], indent=2))
            else:
                _print_results(results)
    except (UnknownCorpus, InvalidCorpusName) as exc:
        _fail(str(exc))


def _print_results(results: list) -> None:  # type: ignore[type-arg]
    out = Console()
    if not results:
        out.print("no results")
    for i, c in enumerate(results, 1):
        out.print(
            f"[bold]{i}. {c.heading}[/bold]  [dim]{c.corpus}:{c.source}[/dim]", highlight=False
        )
        snippet = " ".join(c.text.split())
        out.print(f"   {snippet[:300]}{'…' if len(snippet) > 300 else ''}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("search")(search)
