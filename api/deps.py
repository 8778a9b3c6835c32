"""FastAPI dependencies: the app's container and its parts, a database session, the current user."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
from sqlmodel import Session

from core.models import User
from core.settings import Settings, get_settings
from core.users import local_user, user_for_key
from wiring import Container


def container_of(app: FastAPI) -> Container:
    """The container the app's lifespan built (one per app; its parts are built at first use)."""
    container: Container | None = getattr(app.state, "container", None)
    if container is None:
        raise RuntimeError("the app has no container: start it (`with TestClient(app)`) first")
    return container


def container_dep(request: Request) -> Container:
    return container_of(request.app)


ContainerDep = Annotated[Container, Depends(container_dep)]


def settings_dep(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or get_settings()


SettingsDep = Annotated[Settings, Depends(settings_dep)]


def db_dep(container: ContainerDep) -> Iterator[Session]:
    with Session(container.db, expire_on_commit=False) as session:
        yield session


DbDep = Annotated[Session, Depends(db_dep)]


def _loopback_client(request: Request) -> bool:
    host = request.client.host if request.client else ""
    if host in ("testclient", "localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def current_user(request: Request, settings: SettingsDep, db: DbDep) -> User:
    user = resolve_user(request, settings, db)
    request.state.user_id = user.id  # for the request log
    return user


def serves_locally(request: Request, settings: Settings) -> bool:
    """Local mode: auth not required, bound to loopback, and the caller on this machine."""
    return settings.auth != "required" and settings.binds_loopback and _loopback_client(request)


def resolve_user(
    request: Request, settings: Settings, db: Session, *, any_key_locally: bool = False
) -> User:
    """The key's user; in local mode the local user without a key. `any_key_locally` lets a key
    that matches no user stand for the local user too, for clients that insist on sending one
    (OpenAI SDKs, MCP clients) where local mode needs none."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "use 'Authorization: Bearer <key>'")
        user = user_for_key(db, key=key.strip())
        if user is not None:
            return user
        if not (any_key_locally and serves_locally(request, settings)):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown or revoked API key")
    # Local mode serves only this machine, even if the server was bound wider by mistake.
    if serves_locally(request, settings):
        return local_user(db)
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "an API key is required: 'Authorization: Bearer <key>'",
        headers={"WWW-Authenticate": "Bearer"},
    )


UserDep = Annotated[User, Depends(current_user)]
