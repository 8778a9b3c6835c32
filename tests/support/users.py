"""Users with a key for API tests. Names are unique because the Postgres database is shared by
the whole test session (user names are unique there)."""

from __future__ import annotations

import uuid
from typing import NamedTuple

from sqlmodel import Session

from core.db import engine_for
from core.settings import Settings
from core.users import create_user


class KeyedUser(NamedTuple):
    id: str
    name: str
    key: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def keyed_user(settings: Settings, base: str) -> KeyedUser:
    """A new user named `base-<random>` with its first key, in the settings' database."""
    with Session(engine_for(settings)) as db:
        user, key = create_user(db, name=f"{base}-{uuid.uuid4().hex[:8]}")
        return KeyedUser(user.id, user.name, key)
