"""Users and API keys: keys are shown once and stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from core.models import ApiKey, User, utcnow

LOCAL_USER = "local"
KEY_PREFIX = "tk_"


class UserError(ValueError):
    pass


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_user(db: Session, *, name: str) -> tuple[User, str]:
    """Creates a user and its first key; returns the key in clear text (the only time it exists)."""
    name = name.strip()
    if not name or len(name) > 80:
        raise UserError("a user name needs 1-80 characters")
    if db.exec(select(User).where(User.name == name)).first():
        raise UserError(f"user {name!r} already exists")
    user = User(name=name)
    db.add(user)
    db.flush()
    key = issue_key(db, user_id=user.id)
    db.commit()
    return user, key


def issue_key(db: Session, *, user_id: str) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    db.add(ApiKey(user_id=user_id, prefix=key[:10], key_hash=hash_key(key)))
    return key


def user_for_key(db: Session, *, key: str) -> User | None:
    row = db.exec(
        select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))  # type: ignore[union-attr]
    ).first()
    return db.get(User, row.user_id) if row else None


def revoke_user_keys(db: Session, *, name: str) -> int:
    user = db.exec(select(User).where(User.name == name)).first()
    if user is None:
        raise UserError(f"no user {name!r}")
    keys = db.exec(
        select(ApiKey).where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))  # type: ignore[union-attr]
    ).all()
    for k in keys:
        k.revoked_at = utcnow()
        db.add(k)
    db.commit()
    return len(keys)


def local_user(db: Session) -> User:
    """The implicit user of local mode (loopback bind, auth not required)."""
    user = db.exec(select(User).where(User.name == LOCAL_USER)).first()
    if user is None:
        user = User(name=LOCAL_USER)
        db.add(user)
        try:
            db.commit()
        except Exception:  # another worker created it first
            db.rollback()
            user = db.exec(select(User).where(User.name == LOCAL_USER)).one()
    return user
