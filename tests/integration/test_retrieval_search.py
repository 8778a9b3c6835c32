"""Hybrid search over a small ingested tree: citations, filters, and the BM25 cache's stamp."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.ingest import ingest_paths
from retrieval.search import Citation, Retriever
from retrieval.store import UnknownCorpus


def _tree(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cache.md").write_text(
        "---\nid: cache\ntopics: [caching]\n---\n# Cache\n\n## When to update the cache\n\n"
        "### Write-through\n\nThe application stores data in the cache, which persists it to "
        "the database synchronously before returning.\n\n### Refresh-ahead\n\n"
        "Entries that were read recently are reloaded before they expire.\n"
    )
    (root / "sharding.md").write_text(
        "---\nid: sharding\ntopics: [databases]\n---\n# Sharding\n\n"
        "Distribute rows across databases so each holds a subset of the users; pick a shard key "
        "with an even spread.\n"
    )
    return root


@pytest.fixture
def retriever(settings, embedder, tmp_path: Path) -> Retriever:
    ingest_paths([_tree(tmp_path / "tree")], "docs", settings, embedder)
    return Retriever(settings, embedder)


def test_search_returns_citations_with_heading_paths(retriever: Retriever) -> None:
    results = retriever.search("persist to the database before returning", k=3, corpus="docs")
    assert results and isinstance(results[0], Citation)
    top = results[0]
    assert top.heading == "Cache > When to update the cache > Write-through"
    assert top.doc_id == "cache" and top.corpus == "docs" and top.source.endswith("cache.md")
    assert top.score > 0 and "synchronously" in top.text
    assert set(top.model_dump()) == {"source", "heading", "text", "score", "doc_id", "corpus"}


def test_topic_filter_and_all_corpora(retriever: Retriever) -> None:
    only_db = retriever.search("cache entries", k=5, corpus="docs", topics=["databases"])
    assert only_db and {c.doc_id for c in only_db} == {"sharding"}
    everywhere = retriever.search("shard key", k=2, corpus=None)
    assert everywhere[0].doc_id == "sharding"


def test_bad_queries_and_unknown_corpus(retriever: Retriever) -> None:
    with pytest.raises(ValueError, match="empty query"):
        retriever.search("   ", corpus="docs")
    with pytest.raises(UnknownCorpus):
        retriever.search("x", corpus="nothing-here")


def test_lexical_index_is_rebuilt_only_after_the_collection_changes(
    retriever: Retriever, settings, embedder, tmp_path: Path
) -> None:
    retriever.search("shard key", corpus="docs")
    key = (retriever._store_key, "docs")
    built = retriever.lexical._indexes[key]
    retriever.search("refresh entries", corpus="docs")
    assert retriever.lexical._indexes[key] is built  # same stamp: reused

    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "bloom.md").write_text("# Bloom filter\n\nA bloom filter answers 'maybe present'.\n")
    ingest_paths([extra], "docs", settings, embedder)  # as another process would
    results = retriever.search("bloom filter", k=1, corpus="docs")
    assert retriever.lexical._indexes[key] is not built
    assert results[0].heading == "Bloom filter"
