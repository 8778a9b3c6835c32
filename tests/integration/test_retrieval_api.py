"""The search router on a bare FastAPI app: search, uploads (and their refusals), notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routes import search as search_routes
from retrieval.loaders import MAX_BYTES

NOTE = """---
id: write-policies
title: Cache write policies
topics: [caching]
---
# Cache write policies

## Write-through

Write to the cache and the database in one step before acknowledging the client.
"""


@pytest.fixture
def client(settings, embedder) -> TestClient:
    from core.db import upgrade
    from wiring import Container

    upgrade(settings.effective_database_url)  # uploads are recorded per user
    app = FastAPI()
    app.state.settings = settings
    # The session embedder, so the router never loads a second model.
    app.state.container = Container(settings, embedder=embedder)
    app.include_router(search_routes.router)
    return TestClient(app)


def _upload(client: TestClient, name: str, data: bytes, corpus: str = "mydocs"):  # type: ignore[no-untyped-def]
    return client.post("/api/documents", data={"corpus": corpus}, files={"file": (name, data)})


def test_upload_then_search(client: TestClient) -> None:
    res = _upload(client, "policies.md", NOTE.encode())
    assert res.status_code == 201, res.text
    assert res.json()["doc_id"] == "write-policies" and res.json()["chunks"] >= 1
    res = client.get(
        "/api/search", params={"q": "acknowledge after both writes", "corpus": "mydocs"}
    )
    assert res.status_code == 200, res.text
    top = res.json()["results"][0]
    assert top["heading"].endswith("Write-through") and top["corpus"] == "mydocs"
    assert set(top) == {"source", "heading", "text", "score", "doc_id", "corpus"}


@pytest.mark.parametrize(
    ("name", "data", "corpus", "status", "phrase"),
    [
        ("big.md", b"x" * (MAX_BYTES + 1), "mydocs", 413, "larger than"),
        ("sheet.xlsx", b"PK\x03\x04", "mydocs", 415, "unsupported file type"),
        ("ok.md", b"# T\n\ntext\n", "Bad Name!", 422, "bad corpus name"),
        ("empty.txt", b"   ", "mydocs", 422, "no text"),
        ("broken.pdf", b"%PDF-nonsense", "mydocs", 422, "cannot parse"),
    ],
)
def test_upload_refusals_store_nothing(
    client, settings, name, data, corpus, status, phrase
) -> None:  # type: ignore[no-untyped-def]
    res = _upload(client, name, data, corpus)
    assert res.status_code == status, res.text
    assert phrase in res.json()["detail"]
    from retrieval.store import list_corpora, open_client

    assert list_corpora(open_client(settings)) == []


def test_search_errors(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "  "}).status_code == 422
    res = client.get("/api/search", params={"q": "x", "corpus": "never-ingested"})
    assert res.status_code == 404 and "never-ingested" in res.json()["detail"]
    assert client.get("/api/search", params={"q": "x", "k": 0}).status_code == 422


def test_notes_list_and_detail(client: TestClient, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "write-policies.md").write_text(NOTE)
    (notes / "broken.md").write_text("no front matter\n")
    monkeypatch.setattr(search_routes, "NOTES_DIR", notes)
    listed = client.get("/api/notes").json()
    assert listed == [
        {"id": "write-policies", "title": "Cache write policies", "topics": ["caching"]}
    ]
    detail = client.get("/api/notes/write-policies").json()
    assert detail["title"] == "Cache write policies" and "## Write-through" in detail["body"]
    assert client.get("/api/notes/missing").status_code == 404
    assert client.get("/api/notes/..%2Fsecrets").status_code == 404
