"""Idempotency-Key support: a retried POST returns the original response and creates nothing.

The key is reserved (a row with status 0) before any work, so two requests with one key never
both create; the same key with a different body is refused with 409.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import HTTPException
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.models import IdempotencyRecord

MAX_KEY = 200


def body_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY:
        raise HTTPException(422, f"Idempotency-Key must be 1-{MAX_KEY} characters")
    return key


def reserve(
    db: Session, *, user_id: str, route: str, key: str, digest: str
) -> IdempotencyRecord | None:
    """None when this request owns the key now; else the existing record (a replay)."""
    existing = db.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.route == route,
            IdempotencyRecord.key == key,
        )
    ).first()
    if existing is None:
        db.add(
            IdempotencyRecord(
                user_id=user_id, route=route, key=key, body_hash=digest, status_code=0, response={}
            )
        )
        try:
            db.commit()
            return None
        except IntegrityError:  # another request took the key first
            db.rollback()
            existing = db.exec(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.user_id == user_id,
                    IdempotencyRecord.route == route,
                    IdempotencyRecord.key == key,
                )
            ).one()
    if existing.body_hash != digest:
        raise HTTPException(409, "this Idempotency-Key was used with a different request body")
    return existing


def annotate(db: Session, *, user_id: str, route: str, key: str, **values: Any) -> None:
    """Notes progress on the reservation (e.g. the candidate message a turn committed)."""
    rec = _get(db, user_id, route, key)
    if rec is not None:
        rec.response = {**rec.response, **values}
        db.add(rec)
        db.commit()


def complete(
    db: Session, *, user_id: str, route: str, key: str, status: int, response: Any
) -> None:
    rec = _get(db, user_id, route, key)
    if rec is not None:
        rec.status_code, rec.response = status, response
        db.add(rec)
        db.commit()


def release(db: Session, *, user_id: str, route: str, key: str) -> None:
    """Frees a key whose request failed before creating anything."""
    rec = _get(db, user_id, route, key)
    if rec is not None:
        db.delete(rec)
        db.commit()


def _get(db: Session, user_id: str, route: str, key: str) -> IdempotencyRecord | None:
    return db.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.route == route,
            IdempotencyRecord.key == key,
        )
    ).first()
