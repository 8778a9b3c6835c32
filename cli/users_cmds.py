"""`tradeoff users create|list|revoke`: accounts and their API keys (a key is shown only once)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func
from sqlmodel import Session, col, select

from core.models import ApiKey, User
from core.settings import get_settings
from core.users import UserError, create_user, revoke_user_keys

users_app = typer.Typer(help="Users and their API keys.", no_args_is_help=True)
err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(2)


@contextmanager
def _database() -> Iterator[Session]:
    """The configured database, migrated to the newest schema first."""
    from core.db import engine_for, upgrade

    settings = get_settings()
    settings.ensure_dirs()
    try:
        upgrade(settings.effective_database_url)
    except Exception as exc:  # noqa: BLE001 - one clear line for any driver error
        _fail(f"could not open the database: {type(exc).__name__}: {exc}".splitlines()[0])
    with Session(engine_for(settings), expire_on_commit=False) as db:
        yield db


@users_app.command("create")
def create(name: str = typer.Argument(..., help="A unique name, 1-80 characters.")) -> None:
    """Creates a user and prints its API key; the key is stored only as a hash."""
    with _database() as db:
        try:
            user, key = create_user(db, name=name)
        except UserError as exc:
            _fail(str(exc))
    typer.echo(f"created user {user.name!r}; its API key (shown once, store it now):")
    typer.echo(key)


def _rows(db: Session) -> list[dict[str, object]]:
    active = col(ApiKey.revoked_at).is_(None)
    counts = dict(
        db.exec(
            select(ApiKey.user_id, func.count()).where(active).group_by(col(ApiKey.user_id))
        ).all()
    )
    prefixes: dict[str, list[str]] = {}
    for user_id, prefix in db.exec(
        select(ApiKey.user_id, ApiKey.prefix).where(active).order_by(col(ApiKey.created_at))
    ).all():
        prefixes.setdefault(user_id, []).append(prefix + "…")
    return [
        {
            "name": user.name,
            "created": user.created_at.isoformat(timespec="seconds"),
            "active_keys": counts.get(user.id, 0),
            "key_prefixes": prefixes.get(user.id, []),
        }
        for user in db.exec(select(User).order_by(col(User.name))).all()
    ]


@users_app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Users with their number of active keys and the keys' prefixes (never the keys)."""
    with _database() as db:
        rows = _rows(db)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("no users yet: 'tradeoff users create NAME'")
        return
    table = Table("name", "created", "active keys", "key prefixes")
    for row in rows:
        prefixes = ", ".join(row["key_prefixes"]) or "-"  # type: ignore[arg-type]
        table.add_row(str(row["name"]), str(row["created"]), str(row["active_keys"]), prefixes)
    Console(width=120).print(table)


@users_app.command("revoke")
def revoke(name: str = typer.Argument(..., help="The user whose keys to revoke.")) -> None:
    """Revokes every active key of a user; requests with those keys then answer 401."""
    with _database() as db:
        try:
            count = revoke_user_keys(db, name=name.strip())
        except UserError as exc:
            _fail(str(exc))
    typer.echo(f"revoked {count} key{'' if count == 1 else 's'} of {name!r}")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
