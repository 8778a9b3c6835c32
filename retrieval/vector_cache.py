"""Vectors of the bundled content (questions, rubrics, behaviours, red flags, concepts) on disk.

One SQLite file in the data dir, keyed by the text's sha256 and the model (id, weights hash,
runtime), shared by the CLI and every server worker: a process loads the content's vectors
instead of embedding them again. Only texts the caller marks as content are written here, never
a candidate's words.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

log = logging.getLogger("tradeoff.embedder")

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS vectors ("
    " model TEXT NOT NULL, key TEXT NOT NULL, text TEXT NOT NULL, vec BLOB NOT NULL,"
    " PRIMARY KEY (model, key))"
)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    def __init__(self, path: Path, model: str, dim: int):
        self.path = path
        self.model = model
        self.dim = dim
        self._lock = threading.Lock()
        self._broken = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(SCHEMA)
        return conn

    def load(self) -> dict[str, np.ndarray]:
        """Every stored vector of this model, by text."""
        if self._broken:
            return {}
        try:
            with self._lock, self._connect() as conn:
                rows = conn.execute(
                    "SELECT key, text, vec FROM vectors WHERE model = ?", (self.model,)
                ).fetchall()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        out = {}
        for key, text, blob in rows:
            vec = np.frombuffer(blob, dtype=np.float32)
            if vec.shape == (self.dim,) and key == text_key(text):
                out[text] = vec
        return out

    def add(self, vectors: dict[str, np.ndarray]) -> None:
        if self._broken or not vectors:
            return
        rows = [
            (self.model, text_key(t), t, np.asarray(v, dtype=np.float32).tobytes())
            for t, v in vectors.items()
        ]
        try:
            with self._lock, self._connect() as conn:
                conn.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?, ?, ?)", rows)
        except (sqlite3.Error, OSError) as exc:  # the embedding thread must never stop here
            self._give_up(exc)

    def _give_up(self, exc: Exception) -> None:
        """A cache that cannot be read or written only costs time: warn once, then skip it."""
        self._broken = True
        log.warning("the vector cache %s is unusable (%s); embedding without it", self.path, exc)


def strings_in(obj: Any) -> Iterator[str]:
    """Every string inside a tree of dataclasses, pydantic models, mappings and sequences."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from strings_in(getattr(obj, name))
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from strings_in(getattr(obj, f.name))
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings_in(v)
    elif isinstance(obj, Iterable) and not isinstance(obj, bytes):
        for v in obj:
            yield from strings_in(v)
