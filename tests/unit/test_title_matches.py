"""A section whose title is what the user typed ranks before sections that only mention it."""

from __future__ import annotations

from typing import Any

import numpy as np

from retrieval.lexical import LexicalIndex, tokenize


def _index(headings: list[str], terms: dict[int, str] | None = None) -> LexicalIndex:
    """Rows with these headings; `terms` gives some rows their search terms ("a; b")."""
    ids = [f"c{i}" for i in range(len(headings))]
    metas: list[dict[str, str]] = [{"heading": h} for h in headings]
    for row, joined in (terms or {}).items():
        metas[row]["terms"] = joined
    return LexicalIndex("s", ids, ["text"] * len(ids), metas, None)


def test_the_section_named_for_the_query_comes_first() -> None:
    index = _index(
        [
            "Partitioning and consistent hashing > Alternatives",
            "Partitioning and consistent hashing > Consistent hashing",
            "Partitioning and consistent hashing",
            "Caching > Consistent reads",
        ]
    )
    # The note itself ("Partitioning and consistent hashing") matches too, but its subsection
    # named for the query is the more specific answer: only that counts.
    assert index.title_matches("consistent hashing", 5) == [1]
    # A long question shares too little with any one title to count.
    assert index.title_matches("how do I spread keys over nodes with consistent hashing", 5) == []
    # Topic filters apply here as in the other rankings.
    assert index.title_matches("consistent hashing", 5, np.array([1, 0, 1, 1], bool)) == [2]
    # A whole title named inside a longer query counts when the path names half the query.
    assert index.title_matches("partitioning alternatives", 5) == [0]
    assert index.title_matches("alternatives to caching locks quickly", 5) == []
    assert index.title_matches("the", 5) == []


def test_word_forms_meet_through_the_stemmer() -> None:
    # Snowball stems rotating/rotation and caches/caching alike; the old suffix stripper did not.
    index = _index(["Keys > Rotating keys", "Keys > Caching keys", "Keys > Storage"])
    assert index.title_matches("key rotation", 5) == [0]
    assert index.title_matches("caches of keys", 5) == [1]


def test_british_and_american_spellings_meet() -> None:
    # Our notes are British ("noisy neighbours"); a searcher types "noisy neighbor".
    index = _index(
        ["Tenancy > Performance isolation: noisy neighbours", "Tenancy > Noise in metrics"]
    )
    assert index.title_matches("noisy neighbor tenants", 5) == [0]
    assert tokenize("prioritized serialization") == tokenize("prioritised serialisation")


def test_clipped_and_plural_forms_and_layer_names() -> None:
    index = _index(
        [
            "Replication > Synchronous versus asynchronous",
            "CDNs and edge > Purge",
            "Load balancing at layer 4 and layer 7",
            "Load balancing at layer 4 and layer 7 > L4 versus L7",
            "Replication > Sync points",
        ]
    )
    assert index.title_matches("sync vs async replication", 5) == [0]
    assert index.title_matches("purging cdn content", 5) == [1]
    # "layer 4" is "L4"; the subsection wins over the note that holds it.
    assert index.title_matches("layer 4 vs layer 7 load balancer", 5) == [3]
    # A clipped form needs four letters: "syn" names nothing.
    assert index.title_matches("syn points", 5) == []


def test_a_section_is_found_by_its_other_names() -> None:
    index = _index(
        [
            "CDNs > Origin protection > Origin shield",
            "Databases > The families > Wide-column (Cassandra, ScyllaDB, Bigtable)",
            "CDNs > Purge",
        ],
        {0: "tiered caching; mid-tier cache", 2: "cache invalidation"},
    )
    # A search term names the section as its title would.
    assert index.title_matches("tiered caching between pops and origin", 5) == [0]
    # The bracketed aside is examples, not the name: the title without it counts on its own.
    assert index.title_matches("wide column databases", 5) == [1]
    # A term, like a title, must share most of its words with the query.
    assert index.title_matches("what caching tier for cold starts and invalidation races", 5) == []


def test_a_title_outranks_another_name_and_a_partial_name_does_not_count() -> None:
    index = _index(
        ["Partitioning > Consistent hashing", "Partitioning > Consistent hashing > Alternatives"],
        {1: "jump consistent hash; rendezvous hashing"},
    )
    # "jump consistent hash" is another thing: the section named for the query stays first.
    assert index.title_matches("consistent hashing", 5) == [0]
    assert index.title_matches("rendezvous hashing", 5) == [1]


def test_a_compound_meets_its_hyphenated_form_either_way() -> None:
    """'nonfunctional' finds a title that writes 'Non-functional'; 'pre-signed' finds chunks that
    write 'presigned'; a word the chunks never hyphenate stays one word."""
    index = _index(
        ["Requirements > Non-functional requirements", "Requirements > Functional scope"]
    )
    assert index.title_matches("nonfunctional requirements", 5) == [0]
    assert index.query_tokens("nonfunctional") == ["nonfunct", "non", "function"]
    assert index.query_tokens("nonsense") == ["nonsens"]
    text = _built(["Uploads use presigned URLs.", "Signed cookies."])
    assert "presign" in text.query_tokens("pre-signed urls")
    assert "presign" not in _built(["Uploads are signed.", "URLs"]).query_tokens("pre-signed urls")


def _built(documents: list[str]) -> LexicalIndex:
    """An index built as search builds it (BM25 included) over chunks with these texts."""

    class Collection:
        def get(self, include: list[str]) -> dict[str, list[Any]]:
            ids = [f"c{i}" for i in range(len(documents))]
            return {"ids": ids, "documents": documents, "metadatas": [{} for _ in documents]}

    return LexicalIndex.build(Collection(), "s")


def test_words_for_the_kind_of_text_wanted_are_not_its_subject() -> None:
    # "basics" and "in brief" say how much is wanted, not about what: the query names Raft.
    index = _index(["Consensus > What consensus gives you", "Consensus > Raft in brief"])
    assert index.title_matches("raft basics", 5) == [1]
    assert index.title_matches("raft overview", 5) == [1]
    assert index.title_matches("basics", 5) == []
