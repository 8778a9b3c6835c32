"""Study search over HTTP: hybrid search, document upload into a corpus, the bundled notes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, UploadFile, status
from pydantic import BaseModel
from sqlmodel import Session, col, select

from api.deps import ContainerDep, DbDep, SettingsDep, UserDep, current_user
from content.loader import CONTENT_DIR, ContentError, parse_note
from core.models import Document, User, utcnow
from core.users import LOCAL_USER
from retrieval.ingest import ingest_documents
from retrieval.loaders import MAX_BYTES, LoaderError, UnsupportedFileType, kind_of, load_bytes
from retrieval.search import MAX_K, Citation
from retrieval.store import (
    NOTES_CORPUS,
    InvalidCorpusName,
    UnknownCorpus,
    validate_corpus,
)

router = APIRouter(tags=["search"], dependencies=[Depends(current_user)])
MAX_CORPUS_NAME = 40
NOTES_DIR = CONTENT_DIR / "notes"
_NOTE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class SearchResponse(BaseModel):
    q: str
    corpus: str | None
    results: list[Citation]


class DocumentIngested(BaseModel):
    corpus: str
    doc_id: str
    chunks: int
    embedded: int


class NoteSummary(BaseModel):
    id: str
    title: str
    topics: list[str]


class NoteDetail(NoteSummary):
    related_questions: list[str]
    body: str


def _public_name(corpus: str) -> str:
    try:
        validate_corpus(corpus)
    except InvalidCorpusName as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    if len(corpus) > MAX_CORPUS_NAME:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"corpus names have at most {MAX_CORPUS_NAME} characters",
        )
    return corpus


def storage_name(user: User, corpus: str) -> str:
    """Uploaded corpora belong to their owner: each user's live under a prefix of their own.
    The local user of local mode shares the operator's corpora (`tradeoff ingest`)."""
    if corpus == NOTES_CORPUS or user.name == LOCAL_USER:
        return corpus
    return f"u-{user.id[:12]}-{corpus}"


def _own_corpora(db: Session, user: User) -> list[str]:
    rows = db.exec(select(Document.corpus).where(Document.user_id == user.id).distinct())
    return sorted(set(rows.all()))


@router.get("/api/search", response_model=SearchResponse)
def search(
    parts: ContainerDep,
    user: UserDep,
    db: DbDep,
    q: Annotated[str, Query(max_length=1000, description="What to look for.")],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 5,
    corpus: Annotated[
        str | None, Query(description="One corpus; default: the notes and your own corpora.")
    ] = None,
) -> SearchResponse:
    if not q.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "empty query")
    if corpus is not None:
        _public_name(corpus)
        if (
            corpus != NOTES_CORPUS
            and user.name != LOCAL_USER
            and corpus not in _own_corpora(db, user)
        ):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no corpus {corpus!r}")
    names = [corpus] if corpus else [NOTES_CORPUS, *_own_corpora(db, user)]
    if corpus is None and user.name == LOCAL_USER:
        names = [None]  # type: ignore[list-item]  # local mode: every operator corpus
    retriever = parts.retriever  # one per app: client, embedder, BM25 cache
    results: list[Citation] = []
    for name in dict.fromkeys(names):
        try:
            found = retriever.search(q, k=k, corpus=storage_name(user, name) if name else None)
        except UnknownCorpus as exc:
            if corpus is not None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
            continue
        results += [c.model_copy(update={"corpus": name}) if name else c for c in found]
    results.sort(key=lambda c: -c.score)
    return SearchResponse(q=q, corpus=corpus, results=results[:k])


@router.post("/api/documents", response_model=DocumentIngested, status_code=status.HTTP_201_CREATED)
def upload_document(
    parts: ContainerDep,
    settings: SettingsDep,
    user: UserDep,
    db: DbDep,
    file: Annotated[UploadFile, File(description="A .md, .txt, .pdf or .html file, ≤ 5 MB.")],
    corpus: Annotated[str, Form(description="The corpus to add it to (yours alone).")],
) -> DocumentIngested:
    _public_name(corpus)
    if corpus == NOTES_CORPUS:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "the 'notes' corpus holds the bundled notes only"
        )
    name = Path(file.filename or "").name
    try:
        kind = kind_of(name)
    except UnsupportedFileType as exc:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, str(exc)) from exc
    data = file.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB",
        )
    try:
        doc = load_bytes(data, source=f"upload/{name}", kind=kind)
    except LoaderError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    report = ingest_documents([doc], storage_name(user, corpus), settings, parts.embedder)
    row = db.exec(
        select(Document).where(
            Document.user_id == user.id,
            Document.corpus == corpus,
            col(Document.source) == doc.source,
        )
    ).first()
    row = row or Document(user_id=user.id, corpus=corpus, source=doc.source, content_hash="")
    row.content_hash = hashlib.sha256(data).hexdigest()
    row.chunks, row.created_at = report.chunks, utcnow()
    db.add(row)
    db.commit()
    return DocumentIngested(
        corpus=corpus, doc_id=doc.doc_id, chunks=report.chunks, embedded=report.embedded
    )


_notes_cache: dict[Path, tuple[float, Any]] = {}


def _note(path: Path) -> Any:
    """The parsed note, re-read only when the file changed; None when it does not parse."""
    mtime = path.stat().st_mtime
    cached = _notes_cache.get(path)
    if cached is None or cached[0] != mtime:
        try:
            note = parse_note(path.read_text(encoding="utf-8"), f"content/notes/{path.name}")
        except (ContentError, UnicodeDecodeError):
            note = None
        if note is not None and note.id != path.stem:
            note = None  # the content checker reports it; the URL must stay the file name
        _notes_cache[path] = (mtime, note)
    return _notes_cache[path][1]


@router.get("/api/notes", response_model=list[NoteSummary])
def list_notes() -> list[NoteSummary]:
    notes = [_note(p) for p in sorted(NOTES_DIR.glob("*.md"))]
    return sorted(
        (NoteSummary(id=n.id, title=n.meta.title, topics=list(n.meta.topics)) for n in notes if n),
        key=lambda n: n.title.lower(),
    )


@router.get("/api/notes/{note_id}", response_model=NoteDetail)
def get_note(note_id: str) -> NoteDetail:
    path = NOTES_DIR / f"{note_id}.md"
    note = _note(path) if _NOTE_ID.match(note_id) and path.is_file() else None
    if note is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no note {note_id!r}")
    return NoteDetail(
        id=note.id,
        title=note.meta.title,
        topics=list(note.meta.topics),
        related_questions=list(note.meta.related_questions),
        body=note.body,
    )
