"""`tradeoff users create|list|revoke` against the configured database (SQLite and Postgres)."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli.main import app
from core.db import get_engine
from core.settings import get_settings

runner = CliRunner()


@pytest.fixture
def configured_db(settings, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI's get_settings() points at the parametrized database."""
    monkeypatch.setenv("TRADEOFF_DATABASE_URL", database_url)
    get_settings.cache_clear()
    return database_url


@pytest.fixture
def alice() -> str:
    """Unique names: the Postgres database is shared by the whole test session."""
    return f"alice-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def bob() -> str:
    return f"bob-{uuid.uuid4().hex[:8]}"


def _users(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["users", *args])


def _key_from(output: str) -> str:
    keys = [line for line in output.splitlines() if line.startswith("tk_")]
    assert len(keys) == 1, output
    return keys[0]


def test_create_prints_a_key_once_and_stores_only_its_hash(configured_db: str, alice: str) -> None:
    from core.users import hash_key

    res = _users("create", alice)
    assert res.exit_code == 0, res.output
    key = _key_from(res.stdout)
    assert len(key) > 40
    query = 'SELECT k.* FROM api_key k JOIN "user" u ON u.id = k.user_id WHERE u.name = :n'
    with get_engine(configured_db).connect() as conn:
        rows = conn.execute(text(query), {"n": alice}).mappings().all()
    assert [(r["prefix"], r["key_hash"]) for r in rows] == [(key[:10], hash_key(key))]
    assert key not in json.dumps([dict(r) for r in rows], default=str)  # never in clear


def test_list_shows_counts_and_prefixes_never_keys(configured_db: str, alice, bob) -> None:
    alice_key = _key_from(_users("create", alice).stdout)
    bob_key = _key_from(_users("create", bob).stdout)

    res = _users("list")
    assert res.exit_code == 0, res.output
    assert alice in res.stdout and bob in res.stdout
    assert alice_key[:10] in res.stdout and bob_key[:10] in res.stdout
    assert alice_key not in res.stdout and bob_key not in res.stdout
    assert alice_key[:11] not in res.stdout  # only the stored prefix, not a character more

    rows = {r["name"]: r for r in json.loads(_users("list", "--json").stdout)}
    assert rows[alice]["active_keys"] == rows[bob]["active_keys"] == 1
    assert rows[alice]["key_prefixes"] == [alice_key[:10] + "…"]
    assert rows[alice]["created"]


def test_revoke_disables_every_key_of_the_user(configured_db: str, alice, bob) -> None:
    from sqlmodel import Session

    from core.users import issue_key, user_for_key

    key = _key_from(_users("create", alice).stdout)
    other = _key_from(_users("create", bob).stdout)
    with Session(get_engine(configured_db)) as db:  # a second key, so "all keys" is tested
        second = issue_key(db, user_id=user_for_key(db, key=key).id)
        db.commit()
    res = _users("revoke", alice)
    assert res.exit_code == 0, res.output
    assert f"revoked 2 keys of {alice!r}" in res.stdout

    rows = {r["name"]: r for r in json.loads(_users("list", "--json").stdout)}
    assert rows[alice]["active_keys"] == 0 and rows[alice]["key_prefixes"] == []
    assert rows[bob]["active_keys"] == 1
    with Session(get_engine(configured_db)) as db:
        assert user_for_key(db, key=key) is None and user_for_key(db, key=second) is None
        still = user_for_key(db, key=other)
        assert still is not None and still.name == bob


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "{alice}"], "user '{alice}' already exists"),
        (["revoke", "nobody-{alice}"], "no user 'nobody-{alice}'"),
        (["create", "x" * 81], "a user name needs 1-80 characters"),
    ],
)
def test_refusals_are_one_clear_line_and_a_non_zero_exit(
    configured_db: str, alice: str, args: list[str], message: str
) -> None:
    assert _users("create", alice).exit_code == 0
    res = _users(*(a.format(alice=alice) for a in args))
    message = message.format(alice=alice)
    assert res.exit_code != 0
    assert res.stderr.strip().splitlines() == [f"error: {message}"], res.output
    assert "tk_" not in res.stdout


def test_list_on_an_empty_database(settings) -> None:
    res = _users("list")  # the fresh SQLite file of this test's data dir
    assert res.exit_code == 0 and "no users yet" in res.stdout
