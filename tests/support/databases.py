"""Real databases for the persistence tests: a temp SQLite file and a throwaway Postgres database.

The Postgres URL comes from TRADEOFF_TEST_DATABASE_URL (set by .ci/run); each test session creates
its own database there and drops it at the end, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ENV = "TRADEOFF_TEST_DATABASE_URL"


def postgres_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@contextmanager
def throwaway_postgres(base_url: str) -> Iterator[str]:
    """Creates `tradeoff_test_<random>` next to the base database; yields its URL; drops it."""
    name = f"tradeoff_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from core.db import dispose_all

        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
