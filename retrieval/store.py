"""The Chroma store: the client (embedded or server), one collection per corpus, its change stamp.

Collections are always opened without an embedding function: every vector is computed by our
embedder and passed in, so Chroma never loads (or downloads) a model of its own.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from core.settings import Settings

NOTES_CORPUS = "notes"
STAMP_KEY = "tradeoff_stamp"
MARKER_KEY = "tradeoff_corpus"
_CORPUS_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")


class InvalidCorpusName(ValueError):
    pass


class UnknownCorpus(LookupError):
    pass


def validate_corpus(name: str) -> str:
    if not _CORPUS_NAME.match(name or ""):
        raise InvalidCorpusName(
            f"bad corpus name {name!r}: use 3-63 lower-case letters, digits, '-' or '_', "
            "starting and ending with a letter or digit"
        )
    return name


def open_client(settings: Settings) -> ClientAPI:
    """`HttpClient` when TRADEOFF_CHROMA_URL is set, else a `PersistentClient` in the data dir."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(
                f"TRADEOFF_CHROMA_URL must be http(s)://host:port, not {url.geturl()!r}"
            )
        ssl = url.scheme == "https"
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=chroma_settings,
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def client_key(settings: Settings) -> str:
    """Names the store a client talks to, so in-memory caches never mix two stores."""
    return settings.chroma_url or str(settings.chroma_dir.resolve())


def get_collection(client: ClientAPI, corpus: str) -> Collection:
    try:
        return client.get_collection(validate_corpus(corpus), embedding_function=None)
    except (NotFoundError, ValueError) as exc:
        if isinstance(exc, InvalidCorpusName):
            raise
        raise UnknownCorpus(f"no corpus named {corpus!r} has been ingested") from exc


def get_or_create_collection(client: ClientAPI, corpus: str) -> Collection:
    return client.get_or_create_collection(
        validate_corpus(corpus),
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine"}},
        metadata={MARKER_KEY: corpus, STAMP_KEY: new_stamp()},
    )


def list_corpora(client: ClientAPI) -> list[str]:
    """Names of the collections this project created (others sharing the server are ignored)."""
    names = []
    for col in client.list_collections():
        if (col.metadata or {}).get(MARKER_KEY) == col.name:
            names.append(col.name)
    return sorted(names)


def new_stamp() -> str:
    # A random stamp, not a counter: two ingesters never race on read-modify-write.
    return uuid.uuid4().hex


def stamp_of(collection: Collection) -> str:
    return str((collection.metadata or {}).get(STAMP_KEY, ""))


def bump_stamp(collection: Collection) -> str:
    """Marks the collection changed so every process rebuilds its lexical index."""
    stamp = new_stamp()
    meta: dict[str, Any] = dict(collection.metadata or {})
    meta.update({MARKER_KEY: collection.name, STAMP_KEY: stamp})
    collection.modify(metadata=meta)
    return stamp


def batched(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
