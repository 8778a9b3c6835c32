"""The BM25 side of hybrid search: an index over a collection's stored chunks, cached per retriever.

The index is rebuilt only when the collection's stamp (bumped by every ingest that changes it)
differs from the one it was built at, so worker processes sharing one Chroma server stay correct.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from core.spelling import one_spelling

_WORD = re.compile(r"[a-z0-9]+")
# "layer 4" and "L4" are one name (the OSI layer); likewise "layer-7".
_LAYER = re.compile(r"\blayer[\s-]?([1-7])\b")
_STOP = frozenset(STOPWORDS_EN) | {
    "vs",
    "use",
    "used",
    "using",
    "does",
    "do",
    "how",
    "what",
    "which",
    "versus",
    # Words for the kind of text wanted, not its subject: "raft basics" asks for the section
    # about Raft ("Raft in brief"), whatever it is called.
    "basic",
    "basics",
    "brief",
    "explained",
    "explain",
    "fundamentals",
    "intro",
    "introduction",
    "overview",
    "primer",
    "summary",
}


# Snowball's English stemmer (PyStemmer): rotating/rotation -> rotat, caches/caching -> cach.
# Measured against the crude suffix stripper it replaced (tradeoff eval --suite retrieval):
# primer flash cards recall@1 0.98 -> 1.0, paraphrased MRR 0.920 -> 0.927, notes heading set
# (tuning split) recall@1 0.80 -> 0.83, validation 0.75 -> 0.75.
_STEMMER = Stemmer.Stemmer("english")
_STEM_LOCK = threading.Lock()  # a Stemmer object is not safe to share between threads


def tokenize(text: str) -> list[str]:
    """Stems of the words that name a subject, each in one spelling ("neighbours" = "neighbors")."""
    found = _WORD.findall(_LAYER.sub(r"l\1", text.lower()))
    words = [w for w in map(one_spelling, found) if w not in _STOP]
    with _STEM_LOCK:
        return list(_STEMMER.stemWords(words))


# A hyphenated compound is one word to a reader, written either way: "non-functional" and
# "nonfunctional", "pre-signed" and "presigned".
_COMPOUND = re.compile(r"\b([a-z]+)-([a-z]+)\b")


def compounds(text: str) -> dict[str, list[str]]:
    """The hyphenated compounds of `text`: each one written as a single word, by its parts."""
    out = {}
    for a, b in _COMPOUND.findall(text.lower()):
        parts = tokenize(f"{a} {b}")
        if len(parts) == 2:
            out[tokenize(a + b)[0]] = parts
    return out


TERM_SEPARATOR = "; "  # between a chunk's search terms in its metadata (a term never holds ";")
TITLE_DICE = 0.5  # a section whose title shares more than this with the query is about it
PREFIX_MIN = 4  # "sync" names "synchronous", "async" "asynchronous": a stem that starts another


def _terms(meta: dict[str, Any]) -> list[str]:
    """A chunk's search terms (retrieval.ingest.chunk_records stores them joined)."""
    return [t for t in str(meta.get("terms") or "").split(TERM_SEPARATOR) if t.strip()]


_ASIDE = re.compile(r"\([^)]*\)")


def _other_names(meta: dict[str, Any]) -> list[str]:
    """Other names of a chunk's section than its title: the title without its asides in brackets
    ("Wide-column (Cassandra, ScyllaDB, Bigtable)" is "Wide-column"), and its search terms."""
    title = str(meta.get("heading", "")).split(">")[-1]
    bare = _ASIDE.sub(" ", title)
    return ([bare] if bare != title else []) + _terms(meta)


def _same_word(a: str, b: str) -> bool:
    """One word, as stems: equal, a plural the stemmer kept ("cdns"), or a clipped form."""
    short, long = sorted((a, b), key=len)
    return (
        short == long
        or long == f"{short}s"
        or (len(short) >= PREFIX_MIN and long.startswith(short))
    )


def _named(words: set[str], by: set[str]) -> int:
    """How many of `words` the words `by` name (equal, or one stem the start of the other)."""
    return sum(any(_same_word(w, b) for b in by) for w in words)


def _indexed(document: str, meta: dict[str, Any]) -> str:
    """What BM25 reads of a chunk: its heading path, then its text."""
    return f"{meta.get('heading', '')}\n{document}"


@dataclass
class LexicalIndex:
    stamp: str
    ids: list[str]
    documents: list[str]
    metadatas: list[dict[str, Any]]
    bm25: bm25s.BM25 | None
    # Per row, the words of its own section title and of its whole heading path.
    _words: list[tuple[set[str], set[str]]] = field(init=False, repr=False)
    # Per row, the words of each of its section's search terms (other names for the section).
    _aliases: list[list[set[str]]] = field(init=False, repr=False)
    # The hyphenated compounds the chunks use, each written as one word: its parts.
    _compounds: dict[str, list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._words = [
            (
                set(tokenize(str(m.get("heading", "")).split(">")[-1])),
                set(tokenize(str(m.get("heading", "")))),
            )
            for m in self.metadatas
        ]
        self._aliases = [
            [words for t in _other_names(m) if (words := set(tokenize(t)))] for m in self.metadatas
        ]
        self._compounds = {}
        for d, m in zip(self.documents, self.metadatas, strict=True):
            self._compounds.update(compounds(_indexed(d, m)))

    def query_tokens(self, query: str) -> list[str]:
        """The query's words, a compound the chunks hyphenate also by its parts ("nonfunctional"
        finds "non-functional"), and a hyphenated one also whole when the chunks write it so
        ("pre-signed" finds "presigned")."""
        tokens = tokenize(query)
        extra = [p for t in tokens for p in self._compounds.get(t, ())]
        vocab = self.bm25.vocab_dict if self.bm25 is not None else {}  # the chunks' words
        extra += [w for w in compounds(query) if w in vocab]
        return tokens + [w for w in dict.fromkeys(extra) if w not in tokens]

    @classmethod
    def build(cls, collection: Any, stamp: str) -> LexicalIndex:
        got = collection.get(include=["documents", "metadatas"])
        ids, docs, metas = got["ids"], got["documents"] or [], got["metadatas"] or []
        bm25 = None
        if ids:
            bm25 = bm25s.BM25()
            corpus = [tokenize(_indexed(d, m)) for d, m in zip(docs, metas, strict=True)]
            bm25.index(corpus, show_progress=False)
        return cls(stamp, list(ids), list(docs), [dict(m) for m in metas], bm25)

    def top(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[int]:
        """Row numbers of the `n` best BM25 matches with a positive score (optionally masked)."""
        tokens = self.query_tokens(query)
        if self.bm25 is None or not tokens:
            return []
        scores = self.bm25.get_scores(tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        n = min(n, len(scores))
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [int(i) for i in best if scores[i] > 0]

    def title_matches(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[int]:
        """Rows whose own section title shares most of its words with the query (Dice above 0.5),
        most fully named first, then by overlap: "consistent hashing" finds the section called
        that before sections that only mention it. Of a section and one of its subsections that
        both match, only the subsection counts: "layer 4 vs layer 7 load balancer" means the
        section "L4 versus L7", not the whole note "Load balancing at layer 4 and layer 7"."""
        q = set(self.query_tokens(query))
        if not q:
            return []
        scored: list[tuple[bool, float, float, int]] = []
        for row, (title, path) in enumerate(self._words):
            if allowed is not None and not allowed[row]:
                continue
            ranks = []
            # The section's own title, then its other names (see _other_names); a match by
            # the title ranks before any match by another name.
            for i, words in enumerate([title, *self._aliases[row]]):
                hit = _named(words, q)
                dice = 2 * hit / (len(q) + len(words)) if words else 0.0
                # Or every title word is in the query and the heading path names half the
                # query: "purging cdn content" is "CDNs and edge computing > Purge".
                whole = i == 0 and hit == len(words) and _named(q, path) >= len(q) / 2
                # Another name counts only when the query says all of it: "jump consistent
                # hash" is another thing than "consistent hashing".
                named = dice > TITLE_DICE and (i == 0 or hit == len(words))
                if words and (whole or named):
                    ranks.append((i > 0, -hit / len(words), -dice))
            if ranks:
                scored.append((*min(ranks), row))
        # A section matched by its title stands aside for a sub-section matched by its title.
        titled = {self._path(row) for by_name, *_, row in scored if not by_name}
        kept = [
            row
            for *_, row in sorted(scored)
            if not any(p.startswith(f"{self._path(row)} >") for p in titled)
        ]
        return kept[:n]

    def _path(self, row: int) -> str:
        return str(self.metadatas[row].get("heading", "")).strip()

    def topic_mask(self, topics: list[str]) -> np.ndarray:
        wanted = set(topics)
        return np.array([bool(wanted & set(m.get("topics") or [])) for m in self.metadatas])


class LexicalCache:
    """One LexicalIndex per (store, collection), rebuilt when the collection's stamp moves."""

    def __init__(self) -> None:
        self._indexes: dict[tuple[str, str], LexicalIndex] = {}
        self._lock = threading.Lock()

    def get(self, store_key: str, collection: Any, stamp: str) -> LexicalIndex:
        key = (store_key, collection.name)
        index = self._indexes.get(key)
        if index is not None and index.stamp == stamp:
            return index
        with self._lock:
            index = self._indexes.get(key)
            if index is None or index.stamp != stamp:
                index = LexicalIndex.build(collection, stamp)
                self._indexes[key] = index
        return index

    def clear(self) -> None:
        self._indexes.clear()
