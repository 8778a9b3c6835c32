"""The `tradeoff` command line: serve, db, content, and the commands each layer registers."""

from __future__ import annotations

import json
import os

import typer
from rich.console import Console
from rich.table import Table

from core.settings import get_settings, server_embed_threads

app = typer.Typer(
    help="Tradeoff: a coach for system-design interviews.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
content_app = typer.Typer(help="The question bank and study notes.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(content_app, name="content")
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


@app.command()
def serve(
    host: str = typer.Option(None, help="Bind address (default TRADEOFF_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default TRADEOFF_PORT, 8000)."),
    workers: str = typer.Option(
        None,
        help="Worker processes: a number, or auto (one per core). Default: auto on a "
        "non-loopback address, 1 on loopback.",
    ),
) -> None:
    """Serve the web UI and the HTTP API."""
    import uvicorn

    from api.security import exposure_refusal
    from core.logging import configure_logging
    from wiring import Container

    if host:
        os.environ["TRADEOFF_HOST"] = host
    if port:
        os.environ["TRADEOFF_PORT"] = str(port)
    get_settings.cache_clear()
    settings = get_settings()
    refusal = exposure_refusal(settings)
    if refusal:
        fail(refusal)
    count = worker_count(workers, settings.binds_loopback)
    if "TRADEOFF_EMBED_THREADS" not in os.environ:  # workers share the cores (api.main)
        os.environ["TRADEOFF_EMBED_THREADS"] = str(server_embed_threads(count))
    configure_logging(settings.log_level)
    Container(settings).prepare()  # once, before any worker answers
    if settings.embedder == "onnx":  # exported once here, not by each worker
        from retrieval.minilm import ensure_export

        try:
            ensure_export(settings.models_dir)
        except Exception:  # noqa: BLE001 - each worker then falls back to PyTorch, loudly
            err.print("[yellow]warning:[/yellow] could not export MiniLM to ONNX; using PyTorch")
    os.environ["_TRADEOFF_PREPARED"] = "1"  # workers skip what serve just did
    uvicorn.run(
        "api.main:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=count,
        log_config=None,
        access_log=False,  # api/request_log.py logs each request, without query strings
    )


def worker_count(option: str | None, loopback: bool) -> int:
    """`--workers`: a number from 1 to 64, or auto (one per core, the default off loopback)."""
    if option is None:
        option = "1" if loopback else "auto"
    if option == "auto":
        return max(1, min(64, os.cpu_count() or 1))
    if not option.isdigit() or not 1 <= int(option) <= 64:
        fail(f"--workers must be a number from 1 to 64, or auto (not {option!r})")
    return int(option)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database at TRADEOFF_DATABASE_URL to the newest schema."""
    from core.db import upgrade

    settings = get_settings()
    settings.ensure_dirs()
    try:
        upgrade(settings.effective_database_url)
    except Exception as exc:  # noqa: BLE001 - one clear line for any driver error
        fail(f"could not upgrade the database: {type(exc).__name__}: {exc}".splitlines()[0])
    typer.echo("database is at the newest schema")


@content_app.command("check")
def content_check(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Validate the question bank, concepts and notes, and their cross-references."""
    from content.loader import ContentError, load_bank
    from diagrams.content import load_diagram_content

    bank = load_bank()
    summary = bank.summary()
    try:  # the diagram node kinds and rules (content/diagrams/)
        kinds, rules = load_diagram_content(bank=bank)
        summary |= {"diagram_node_kinds": len(kinds.kinds), "diagram_rules": len(rules.rules)}
    except ContentError as exc:
        summary["errors"] += [str(p) for p in exc.problems]
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        table = Table("what", "count")
        for key in (
            "questions",
            "notes",
            "search_terms",
            "rubric_items",
            "probes",
            "concepts",
            "diagram_rules",
        ):
            table.add_row(key, str(summary.get(key, "-")))
        Console().print(table)
        for problem in summary["errors"]:
            typer.echo(str(problem), err=True)
    if summary["errors"]:
        raise typer.Exit(1)


def _register_optional() -> None:
    """Adds the commands of each layer that provides a `register(app)`."""
    import importlib

    for module in (
        "cli.retrieval_cmds",
        "cli.grade_cmds",
        "cli.interview_cmds",
        "cli.drill_cmds",
        "cli.export_cmds",
        "cli.eval_cmds",
        "cli.users_cmds",
        "cli.mcp_cmds",
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(app)


_register_optional()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
