"""Heading-aware chunking and the Markdown loader: paths, sizes, overlap, front matter."""

from __future__ import annotations

from retrieval.chunking import MAX_TOKENS, chunk_sections, count_tokens, split_windows
from retrieval.loaders import Section, load_bytes

DOC = """---
id: caching-notes
title: Caching notes
topics: [caching, databases]
---
# Cache

Caches keep hot data close to the reader.

## When to update the cache

### Write-through

The application writes to the cache, which writes to the database synchronously.
Read more in [the docs](https://example.com/docs) ![diagram](img.png).

### Cache-aside

The application reads the cache first and loads from the database on a miss.

```python
# not a heading: a comment in code
cache.set(key, value)
```

# Queues

Queues decouple producers from consumers.
"""


def _doc():
    return load_bytes(DOC.encode(), source="notes/caching.md")


def test_front_matter_becomes_metadata_and_id() -> None:
    doc = _doc()
    assert doc.doc_id == "caching-notes"
    assert doc.topics == ["caching", "databases"]
    assert doc.title == "Caching notes"


def test_sections_keep_their_heading_path_and_skip_code_comments() -> None:
    paths = [s.path for s in _doc().sections]
    assert ("Cache", "When to update the cache", "Write-through") in paths
    assert ("Cache", "When to update the cache", "Cache-aside") in paths
    assert ("Queues",) in paths
    assert not any("not a heading" in " ".join(p) for p in paths)


def test_links_and_images_are_reduced_to_their_text() -> None:
    text = next(s.text for s in _doc().sections if s.path[-1] == "Write-through")
    assert "the docs" in text and "https://" not in text and "img.png" not in text


def test_a_small_subtree_is_one_chunk_under_its_heading() -> None:
    chunks = chunk_sections(_doc().sections)
    headings = [c.heading for c in chunks]
    assert headings == ["Cache", "Queues"]  # each top-level section fits in one chunk
    assert "Write-through" in chunks[0].text and "Queues" not in chunks[0].text


def test_large_sections_split_by_heading_and_never_cross_top_level() -> None:
    para = "The write-through cache persists every update before it acknowledges. " * 40
    sections = [
        Section(("Cache",), "Intro."),
        Section(("Cache", "When to update the cache"), ""),
        Section(("Cache", "When to update the cache", "Write-through"), para),
        Section(("Cache", "When to update the cache", "Refresh-ahead"), "Reload before expiry."),
        Section(("Queues",), "Back pressure. " * 5),
    ]
    chunks = chunk_sections(sections)
    wt = [c for c in chunks if c.heading == "Cache > When to update the cache > Write-through"]
    assert len(wt) >= 3
    assert all(count_tokens(c.text) <= MAX_TOKENS for c in chunks)
    assert any(c.heading.endswith("Refresh-ahead") for c in chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert c.path[0] in ("Cache", "Queues")
        assert ("Back pressure" in c.text) == (c.path[0] == "Queues")


def test_windows_overlap_a_little() -> None:
    text = "\n".join(f"Sentence number {i} talks about sharding keys." for i in range(60))
    windows = split_windows(text, max_tokens=60, overlap=12)
    assert len(windows) > 3
    for a, b in zip(windows, windows[1:], strict=False):
        assert a.splitlines()[-1] == b.splitlines()[0]  # the last line is carried over
        assert count_tokens(a) <= 60


def test_content_hash_changes_with_heading_or_text() -> None:
    a, b = (
        chunk_sections([Section(("A",), "same text")]),
        chunk_sections([Section(("B",), "same text")]),
    )
    assert a[0].content_hash() != b[0].content_hash()
    assert a[0].content_hash() == chunk_sections([Section(("A",), "same text")])[0].content_hash()


def test_search_terms_go_with_their_section_and_with_a_chunk_that_holds_it() -> None:
    from retrieval.ingest import chunk_records

    terms = {
        "When to update the cache": ["cache update policy"],
        "When to update the cache > Cache-aside": ["lazy loading"],
    }
    doc = load_bytes(DOC.replace("# Queues", "## Queues").encode(), source="notes/c.md")
    (_, chunk, meta), *_ = chunk_records(doc, "m", terms)
    # The whole "Cache" note fits in one chunk: it carries its sub-sections' terms.
    assert chunk.heading == "Cache" and chunk.subtree
    assert meta["terms"] == "cache update policy; lazy loading"
    # Terms are names to match, not text to embed: the same vector serves with or without them.
    (_, _, plain), *_ = chunk_records(doc, "m")
    assert "terms" not in plain and plain["content_hash"] == meta["content_hash"]


def test_a_section_split_from_its_parent_keeps_only_its_own_terms() -> None:
    from retrieval.ingest import chunk_records

    long = " ".join(["Caches keep hot data close to the reader."] * 40)
    text = DOC.replace("Caches keep hot data close to the reader.", long)
    doc = load_bytes(text.encode(), source="c.md")
    terms = {
        "When to update the cache > Cache-aside": ["lazy loading"],
        "When to update the cache > Write-through": ["synchronous cache write"],
    }

    def got(given: dict[str, list[str]]) -> dict[str, str]:
        return {c.heading: m.get("terms", "") for _, c, m in chunk_records(doc, "m", given)}

    # Two H1s ("Cache", "Queues"): keys are whole heading paths, not paths below a title.
    assert set(got(terms).values()) == {""}
    keyed = got({f"Cache > {k}": v for k, v in terms.items()})
    assert keyed["Cache"] == ""  # the parent's own windows hold neither sub-section
    assert keyed["Cache > When to update the cache > Write-through"] == "synchronous cache write"
    assert keyed["Cache > When to update the cache > Cache-aside"] == "lazy loading"
