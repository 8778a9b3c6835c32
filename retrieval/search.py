"""Hybrid search: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank fusion.

Results are citations a caller can show or quote: where the text came from and under which heading.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from chromadb.api import ClientAPI
from pydantic import BaseModel, Field

from core.settings import Settings
from retrieval.ingest import Embedder
from retrieval.lexical import LexicalCache
from retrieval.store import (
    NOTES_CORPUS,
    client_key,
    get_collection,
    list_corpora,
    open_client,
    stamp_of,
)

RRF_K = 60  # the constant from Cormack et al. (2009); damps the weight of the very top ranks
MIN_CANDIDATES = 20
MAX_K = 50


class Citation(BaseModel):
    source: str = Field(description="The file (or upload) the text came from.")
    heading: str = Field(description="Heading path, e.g. 'Cache > When to update the cache'.")
    text: str
    score: float = Field(description="Fused reciprocal-rank score; higher is better.")
    doc_id: str
    corpus: str


def _where_topics(topics: list[str] | None) -> dict[str, Any] | None:
    if not topics:
        return None
    clauses: list[dict[str, Any]] = [{"topics": {"$contains": t}} for t in topics]
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


class Retriever:
    """Searches one corpus (or all) of the store named by `settings` with one embedder."""

    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder
        self._client: ClientAPI | None = None
        self._store_key = client_key(settings)
        # BM25 indexes of the corpora this retriever searched, kept while their stamps hold:
        # one retriever per container (wiring/), so one set of indexes per app or command.
        self.lexical = LexicalCache()

    @property
    def client(self) -> ClientAPI:
        if self._client is None:
            self._client = open_client(self.settings)
        return self._client

    def corpora(self) -> list[str]:
        return list_corpora(self.client)

    def search(
        self,
        query: str,
        k: int = 5,
        corpus: str | None = NOTES_CORPUS,
        topics: list[str] | None = None,
        *,
        memo: bool = False,
    ) -> list[Citation]:
        """The `k` best chunks for `query`; corpus=None searches every corpus.

        `memo=True` keeps the query's embedding in the embedder's memo: for queries built from
        the question bank (the interviewer's own questions), which come back again and again."""
        query = query.strip()
        if not query:
            raise ValueError("empty query")
        k = max(1, min(int(k), MAX_K))
        encode = self.embedder.encode if memo else self.embedder.encode_uncached
        vector = encode([query])[0]
        names = [corpus] if corpus else self.corpora()
        results: list[Citation] = []
        for name in names:
            results.extend(self._search_corpus(name, query, vector, k, topics))
        results.sort(key=lambda c: c.score, reverse=True)
        return results[:k]

    def _search_corpus(
        self, corpus: str, query: str, vector: np.ndarray, k: int, topics: list[str] | None
    ) -> list[Citation]:
        collection = get_collection(self.client, corpus)
        lexical = self.lexical.get(self._store_key, collection, stamp_of(collection))
        if not lexical.ids:
            return []
        n = max(MIN_CANDIDATES, 4 * k)
        dense = collection.query(
            query_embeddings=[vector],
            n_results=min(n, len(lexical.ids)),
            where=_where_topics(topics),
            include=["documents", "metadatas"],
        )
        mask = lexical.topic_mask(topics) if topics else None
        scores: dict[str, float] = {}
        payload: dict[str, tuple[str, dict[str, Any]]] = {}
        dense_docs = (dense["documents"] or [[]])[0]
        dense_metas = (dense["metadatas"] or [[]])[0]
        for rank, (cid, doc, meta) in enumerate(
            zip(dense["ids"][0], dense_docs, dense_metas, strict=True), 1
        ):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + rank)
            payload[cid] = (doc, dict(meta))
        for rank, row in enumerate(lexical.top(query, n, mask), 1):
            cid = lexical.ids[row]
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + rank)
            payload.setdefault(cid, (lexical.documents[row], lexical.metadatas[row]))
        for rank, row in enumerate(lexical.title_matches(query, n, mask), 1):
            cid = lexical.ids[row]
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + rank)
            payload.setdefault(cid, (lexical.documents[row], lexical.metadatas[row]))
        best = sorted(scores, key=scores.__getitem__, reverse=True)[:k]
        return [self._citation(corpus, scores[cid], *payload[cid]) for cid in best]

    @staticmethod
    def _citation(corpus: str, score: float, text: str, meta: dict[str, Any]) -> Citation:
        return Citation(
            source=str(meta.get("source", "")),
            heading=str(meta.get("heading", "")),
            text=text,
            score=round(score, 6),
            doc_id=str(meta.get("doc_id", "")),
            corpus=corpus,
        )
