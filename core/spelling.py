"""One spelling per word, so British and American text match each other.

Our notes and rubrics are written in British English ("noisy neighbours", "prioritise",
"serialisation"); most candidates and searchers write American English. Word matching on both
sides (BM25 and title matches in retrieval, rubric signals in grading) reads each word through
`one_spelling` first: "neighbors" then finds "neighbours". The word pairs come from breame's
table (about 1,700 British spellings, inflected forms included); a word it does not list is
returned as it is.
"""

from __future__ import annotations

from functools import lru_cache

from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS


@lru_cache(maxsize=65536)
def one_spelling(word: str) -> str:
    """The American spelling of a lower-case British word ("neighbours" -> "neighbors")."""
    return str(BRITISH_ENGLISH_SPELLINGS.get(word, word))
