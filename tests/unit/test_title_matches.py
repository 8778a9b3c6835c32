"""A section whose title is what the user typed ranks before sections that only mention it."""

from __future__ import annotations

import numpy as np

from retrieval.lexical import LexicalIndex


def _index(headings: list[str]) -> LexicalIndex:
    ids = [f"c{i}" for i in range(len(headings))]
    metas = [{"heading": h} for h in headings]
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
    assert index.title_matches("consistent hashing", 5) == [1, 2]
    # A long question shares too little with any one title to count.
    assert index.title_matches("how do I spread keys over nodes with consistent hashing", 5) == []
    # Topic filters apply here as in the other rankings.
    assert index.title_matches("consistent hashing", 5, np.array([1, 0, 1, 1], bool)) == [2]
    assert index.title_matches("the", 5) == []


def test_word_forms_meet_through_the_stemmer() -> None:
    # Snowball stems rotating/rotation and caches/caching alike; the old suffix stripper did not.
    index = _index(["Keys > Rotating keys", "Keys > Caching keys", "Keys > Storage"])
    assert index.title_matches("key rotation", 5) == [0]
    assert index.title_matches("caches of keys", 5) == [1]
