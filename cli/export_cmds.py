"""`tradeoff export` and `tradeoff import`: a session as JSON or Markdown, and a JSON export
into this data dir."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console

from agents.errors import ServiceError

err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_command(
        session_id: str = typer.Argument(..., help="The session's id (see the web History)."),
        markdown: bool = typer.Option(False, "--markdown", help="Markdown instead of JSON."),
        out: Path = typer.Option(None, "--out", help="Write here instead of stdout."),
    ) -> None:
        """Export a session: JSON (imports elsewhere) or Markdown."""
        from api.session_export import export_session, to_markdown
        from cli.interview_cmds import _container, _database
        from core.users import local_user

        parts = _container()
        with _database(parts, False) as db:
            try:
                data = export_session(db, local_user(db), session_id, parts.bank, datetime.now(UTC))
            except ServiceError as exc:
                _fail(exc.message)
        text = to_markdown(data) if markdown else data.model_dump_json(indent=2) + "\n"
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")
            err.print(f"exported {session_id} -> {out}")

    @app.command("import")
    def import_command(
        path: Path = typer.Argument(..., help="A JSON export ('tradeoff export ID')."),
    ) -> None:
        """Import a JSON export as a new session of the local user; its scorecard makes cards."""
        from api.session_export import SessionExport, import_session
        from cli.interview_cmds import _container, _database
        from core.users import local_user

        try:
            data = SessionExport.model_validate_json(path.read_text(encoding="utf-8"))
        except OSError as exc:
            _fail(f"cannot read {path}: {exc.__class__.__name__}")
            raise
        except ValidationError as exc:
            first = exc.errors()[0]
            _fail(f"{path}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}")
            raise
        parts = _container()
        drills = parts.drill_service
        with _database(parts, False) as db:
            user = local_user(db)
            try:
                sid = import_session(db, user, data, drills.bank)
            except ServiceError as exc:
                _fail(exc.message)
                raise
            cards = drills.record_interview(db, user, sid) if data.scorecard else []
        typer.echo(f"imported as session {sid} ({len(cards)} drill cards)")
