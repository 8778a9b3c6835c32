"""Incremental ingest into a real (temp-dir) Chroma: only new or changed chunks are embedded."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.ingest import IngestError, ingest_paths
from retrieval.store import get_collection, open_client, stamp_of


class CountingEmbedder:
    """The real embedder, counting how many texts it was asked to encode."""

    def __init__(self, inner):  # type: ignore[no-untyped-def]
        self.inner = inner
        self.count = 0

    def name(self) -> str:
        return self.inner.name()

    def encode(self, texts):  # type: ignore[no-untyped-def]
        self.count += len(texts)
        return self.inner.encode_uncached(texts)

    encode_uncached = encode


def write_tree(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cache.md").write_text(
        "---\nid: cache\ntopics: [caching]\n---\n# Cache\n\n## Write-through\n\n"
        "Writes go to the cache and the database synchronously.\n\n## Cache-aside\n\n"
        "Load from the database on a miss, then fill the cache.\n"
    )
    (root / "queues.md").write_text(
        "---\nid: queues\ntopics: [messaging]\n---\n# Queues\n\n## Back pressure\n\n"
        "Limit the queue size and return 503 when it is full.\n"
    )
    (root / "plain.txt").write_text("Consistent hashing places keys on a ring of virtual nodes.\n")
    return root


def _stored(settings, corpus="docs"):  # type: ignore[no-untyped-def]
    col = get_collection(open_client(settings), corpus)
    return col, col.get(include=["metadatas"])


def test_unchanged_tree_embeds_nothing(settings, embedder, tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "tree")
    counting = CountingEmbedder(embedder)
    first = ingest_paths([tree], "docs", settings, counting)
    assert first.files == 3 and first.embedded == first.chunks == counting.count > 0
    col, _ = _stored(settings)
    stamp = stamp_of(col)

    again = ingest_paths([tree], "docs", settings, counting)
    assert again.embedded == 0 and again.deleted == 0 and again.unchanged == first.chunks
    assert counting.count == first.chunks
    assert "nothing to embed" in str(again)
    col, _ = _stored(settings)
    assert stamp_of(col) == stamp  # readers keep their BM25 index


def test_editing_one_file_reembeds_only_its_chunks(settings, embedder, tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "tree")
    counting = CountingEmbedder(embedder)
    ingest_paths([tree], "docs", settings, counting)
    before = counting.count
    (tree / "queues.md").write_text(
        "---\nid: queues\ntopics: [messaging]\n---\n# Queues\n\n## Back pressure\n\n"
        "Bound the queue; clients retry with exponential backoff.\n"
    )
    report = ingest_paths([tree], "docs", settings, counting)
    assert report.embedded == counting.count - before == 1
    _, got = _stored(settings)
    texts = {m["doc_id"]: m for m in got["metadatas"]}
    assert texts["queues"]["topics"] == ["messaging"]
    meta = got["metadatas"][0]
    assert {"source", "heading", "doc_id", "chunk_index", "content_hash"} <= set(meta)


def test_deleting_a_file_deletes_its_chunks(settings, embedder, tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "tree")
    ingest_paths([tree], "docs", settings, embedder)
    (tree / "cache.md").unlink()
    report = ingest_paths([tree], "docs", settings, embedder)
    assert report.deleted >= 1 and report.embedded == 0
    assert report.removed_files == [str((tree / "cache.md").resolve())]
    _, got = _stored(settings)
    assert {m["doc_id"] for m in got["metadatas"]} == {
        "queues",
        str((tree / "plain.txt").resolve()),
    }


def test_bad_input_writes_nothing(settings, embedder, tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "tree")
    (tree / "broken.md").write_text("---\nid: [unclosed\n---\n# x\n")
    with pytest.raises(IngestError, match="broken.md"):
        ingest_paths([tree], "docs", settings, embedder)
    with pytest.raises(IngestError, match="no such file"):
        ingest_paths([tmp_path / "missing"], "docs", settings, embedder)
    (tmp_path / "data.csv").write_text("a,b\n")
    with pytest.raises(IngestError, match="unsupported file type"):
        ingest_paths([tmp_path / "data.csv"], "docs", settings, embedder)
    assert "docs" not in [c.name for c in open_client(settings).list_collections()]


def test_ensure_notes_indexed_is_incremental(settings, embedder, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import retrieval.ingest as ingest_module

    notes = write_tree(tmp_path / "notes")
    (notes / "plain.txt").unlink()  # notes are Markdown; the rest is skipped by suffix anyway
    monkeypatch.setattr(ingest_module, "NOTES_DIR", notes)
    first = ingest_module.ensure_notes_indexed(settings, embedder)
    assert first.corpus == "notes" and first.files == 2 and first.embedded == first.chunks
    assert ingest_module.ensure_notes_indexed(settings, embedder).embedded == 0
