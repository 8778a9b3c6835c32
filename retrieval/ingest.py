"""Incremental ingest: files → chunks → vectors → Chroma, embedding only what the store lacks.

A chunk whose content hash is stored already reuses its vector; a chunk that is stored unchanged
is not written at all; chunks of removed files (under an ingested folder) are deleted. Everything
is loaded and embedded before the first write, so a bad file leaves the store untouched.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, Field

from content.loader import bundled_bank, notes_search_terms
from core.settings import Settings
from retrieval.chunking import Chunk, chunk_sections
from retrieval.lexical import TERM_SEPARATOR
from retrieval.loaders import (
    HEADING_SEPARATOR,
    SUFFIXES,
    LoadedDocument,
    LoaderError,
    load_file,
    section_key,
)
from retrieval.store import (
    NOTES_CORPUS,
    batched,
    bump_stamp,
    get_or_create_collection,
    open_client,
    validate_corpus,
)

NOTES_DIR = Path(__file__).resolve().parents[1] / "content" / "notes"
EMBED_BATCH = 128
WRITE_BATCH = 1000

Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)


class Embedder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...

    def encode_uncached(self, texts: list[str]) -> np.ndarray: ...


class IngestError(ValueError):
    """Bad input to ingest (missing path, unsupported or unreadable file): nothing was written."""


class IngestReport(BaseModel):
    corpus: str
    files: int = 0
    chunks: int = Field(default=0, description="Chunks the ingested files consist of now.")
    embedded: int = Field(default=0, description="Chunks sent to the embedder.")
    reused: int = Field(default=0, description="Chunks written with a vector already in the store.")
    unchanged: int = Field(default=0, description="Chunks already stored exactly as they are.")
    deleted: int = Field(default=0, description="Stale chunks removed (edited or deleted files).")
    removed_files: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list, description="Files skipped with the reason.")
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.embedded or self.reused or self.deleted)

    def __str__(self) -> str:
        head = f"corpus {self.corpus!r}: {self.files} files, {self.chunks} chunks"
        if not self.changed:
            return f"{head}; nothing to embed, the index is up to date"
        return (
            f"{head}; embedded {self.embedded}, reused {self.reused}, unchanged {self.unchanged}, "
            f"deleted {self.deleted} ({len(self.removed_files)} files removed) "
            f"in {self.seconds:.1f}s"
        )


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(files to ingest, folders whose removed files should be dropped); raises IngestError."""
    files: list[Path] = []
    folders: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise IngestError(f"{path}: no such file or directory")
        if path.is_dir():
            folders.append(path.resolve())
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.suffix.lower() not in SUFFIXES:
            raise IngestError(f"{path}: unsupported file type (use {', '.join(sorted(SUFFIXES))})")
        else:
            files.append(path)
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, folders


# Search terms by heading path below the title: other names a reader may know a section by,
# which the lexical index matches as it matches section titles (LexicalIndex.title_matches).
SectionTerms = Mapping[str, Sequence[str]]


def chunk_records(
    doc: LoadedDocument, model: str, terms: SectionTerms | None = None
) -> list[tuple[str, Chunk, dict[str, Any]]]:
    out = []
    for chunk in chunk_sections(doc.sections):
        meta: dict[str, Any] = {
            "source": doc.source,
            "doc_id": doc.doc_id,
            "title": doc.title,
            "heading": chunk.heading,
            "chunk_index": chunk.index,
            "content_hash": chunk.content_hash(model),
        }
        if doc.topics:  # Chroma rejects empty lists
            meta["topics"] = doc.topics
        if terms and (names := _terms_of(chunk, terms, section_key(doc, chunk.path))):
            meta["terms"] = TERM_SEPARATOR.join(names)
        out.append((f"{doc.doc_id}#{chunk.index}", chunk, meta))
    return out


def _terms_of(chunk: Chunk, terms: SectionTerms, key: str) -> tuple[str, ...]:
    """The search terms of the chunk's own section (`key`) and, when it holds the whole
    subtree, of each of its sub-sections."""
    prefix = f"{key}{HEADING_SEPARATOR}" if key else ""
    found = list(terms.get(key, ()))
    if chunk.subtree:
        found += [t for s, words in terms.items() if s.startswith(prefix) for t in words]
    return tuple(dict.fromkeys(found))


def _model_name(embedder: Any) -> str:
    name = getattr(embedder, "name", None)
    return str(name() if callable(name) else name or type(embedder).__name__)


def ingest_paths(
    paths: Sequence[Path | str],
    corpus: str,
    settings: Settings,
    embedder: Embedder,
    progress: Progress | None = None,
    *,
    skip_errors: bool = False,
    section_terms: Mapping[str, SectionTerms] | None = None,
) -> IngestReport:
    """Ingests files and folders into `corpus`; skip_errors reports bad files instead of failing.

    `section_terms` gives, by document id, search terms for its sections (see chunk_records)."""
    validate_corpus(corpus)
    files, folders = collect_files(Path(p) for p in paths)
    docs: list[LoadedDocument] = []
    skipped: list[str] = []
    for f in files:
        try:
            docs.append(load_file(f))
        except LoaderError as exc:
            if not skip_errors:
                raise IngestError(str(exc)) from exc
            skipped.append(str(exc))
    if not docs and not folders:
        raise IngestError("nothing to ingest: no .md, .txt, .pdf or .html files")
    report = ingest_documents(
        docs, corpus, settings, embedder, progress, folders=folders, section_terms=section_terms
    )
    report.skipped = skipped
    return report


def ensure_notes_indexed(
    settings: Settings, embedder: Embedder, progress: Progress | None = None
) -> IngestReport:
    """Brings the `notes` corpus in line with content/notes/*.md (and each note's search terms,
    content/search_terms/); cheap when nothing changed."""
    if not NOTES_DIR.is_dir():
        return IngestReport(corpus=NOTES_CORPUS)
    return ingest_paths(
        [NOTES_DIR],
        NOTES_CORPUS,
        settings,
        embedder,
        progress,
        skip_errors=True,
        section_terms=notes_search_terms(bundled_bank()),
    )


def ingest_documents(
    docs: Sequence[LoadedDocument],
    corpus: str,
    settings: Settings,
    embedder: Embedder,
    progress: Progress | None = None,
    *,
    folders: Sequence[Path] = (),
    section_terms: Mapping[str, SectionTerms] | None = None,
) -> IngestReport:
    started = time.perf_counter()
    ids_seen: dict[str, str] = {}
    for doc in docs:
        if doc.doc_id in ids_seen:
            raise IngestError(
                f"{doc.source}: document id {doc.doc_id!r} is also used by {ids_seen[doc.doc_id]}"
            )
        ids_seen[doc.doc_id] = doc.source
    model = _model_name(embedder)
    terms = section_terms or {}
    records = [r for doc in docs for r in chunk_records(doc, model, terms.get(doc.doc_id))]
    collection = get_or_create_collection(open_client(settings), corpus)
    stored = collection.get(include=["metadatas"])
    stored_meta: dict[str, dict[str, Any]] = {
        sid: dict(meta) for sid, meta in zip(stored["ids"], stored["metadatas"] or [], strict=True)
    }

    report = IngestReport(corpus=corpus, files=len(docs), chunks=len(records))
    to_write = [(i, c, m) for i, c, m in records if stored_meta.get(i) != m]
    report.unchanged = len(records) - len(to_write)
    vectors = _vectors_for(collection, to_write, stored_meta, embedder, progress, report)

    new_ids = {i for i, _, _ in records}
    folder_prefixes = tuple(f"{f}/" for f in (str(p) for p in folders))
    stale = [
        sid
        for sid, meta in stored_meta.items()
        if sid not in new_ids
        and (
            meta.get("doc_id") in ids_seen
            or str(meta.get("source", "")).startswith(folder_prefixes)
        )
    ]
    report.removed_files = sorted(
        {
            str(stored_meta[s].get("source"))
            for s in stale
            if stored_meta[s].get("doc_id") not in ids_seen
        }
    )
    for batch in batched(list(range(len(to_write))), WRITE_BATCH):
        collection.upsert(
            ids=[to_write[j][0] for j in batch],
            embeddings=vectors[batch],
            documents=[to_write[j][1].text for j in batch],
            metadatas=[to_write[j][2] for j in batch],
        )
    for ids in batched(stale, WRITE_BATCH):
        collection.delete(ids=ids)
    report.deleted = len(stale)
    if report.changed:
        bump_stamp(collection)
    report.seconds = time.perf_counter() - started
    return report


def _vectors_for(
    collection: Any,
    to_write: list[tuple[str, Chunk, dict[str, Any]]],
    stored_meta: dict[str, dict[str, Any]],
    embedder: Embedder,
    progress: Progress | None,
    report: IngestReport,
) -> np.ndarray:
    """Vectors for the chunks to write: stored ones by content hash, the rest from the embedder."""
    if not to_write:
        return np.zeros((0, 384), dtype=np.float32)
    wanted = {m["content_hash"] for _, _, m in to_write}
    holder: dict[str, str] = {}  # content hash -> a stored id carrying that vector
    for sid, meta in stored_meta.items():
        if meta.get("content_hash") in wanted:
            holder.setdefault(meta["content_hash"], sid)
    known: dict[str, np.ndarray] = {}
    if holder:
        got = collection.get(ids=list(holder.values()), include=["embeddings", "metadatas"])
        for meta, vec in zip(got["metadatas"], got["embeddings"], strict=True):
            known[meta["content_hash"]] = np.asarray(vec, dtype=np.float32)
    texts: dict[str, str] = {}  # content hash -> text, once per distinct chunk
    for _, chunk, meta in to_write:
        if meta["content_hash"] not in known:
            texts.setdefault(meta["content_hash"], chunk.embed_text)
    report.embedded = len(texts)
    report.reused = len(to_write) - sum(m["content_hash"] not in known for _, _, m in to_write)
    fresh: dict[str, np.ndarray] = {}
    if texts:
        # Longest first, as sentence-transformers does inside one call: batches of alike length
        # pad little, so batching for the progress bar costs no throughput.
        ordered = sorted(texts, key=lambda h: len(texts[h]), reverse=True)
        if progress:
            progress(0, len(texts))
        for batch in batched(ordered, EMBED_BATCH):
            vecs = embedder.encode_uncached([texts[h] for h in batch])
            fresh.update(zip(batch, vecs, strict=True))
            if progress:
                progress(len(fresh), len(texts))
    rows = [
        known[h] if h in known else fresh[h] for h in (m["content_hash"] for _, _, m in to_write)
    ]
    return np.vstack(rows).astype(np.float32)
