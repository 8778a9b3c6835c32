"""Retrieval benchmark: ingest throughput and search latency on the System Design Primer.

`python -m bench.retrieval` prints a table; `run()` returns the figures for `make bench`.
Each figure is measured against its raw baseline in the same run, on the same machine:
ingest vs encoding the same chunks with the bare sentence-transformers model, and hybrid search
vs embedding the query plus one raw `collection.query`.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from core.settings import Settings
from evals.retrieval_metrics import (
    DATA_DIR,
    PRIMER_CORPUS,
    PRIMER_DIR,
    flash_card_cases,
    load_query_set,
)
from retrieval.chunking import chunk_sections
from retrieval.ingest import collect_files, ingest_paths
from retrieval.loaders import load_file
from retrieval.search import Retriever
from retrieval.store import get_collection

K = 5


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def _raw_encode_seconds(embedder: Any, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.runtime.encode(texts, embedder.batch_size)
    return time.perf_counter() - started


def _ingest_figures(settings: Settings, embedder: Any) -> dict[str, Any]:
    files, _ = collect_files([PRIMER_DIR])
    texts = [c.embed_text for f in files for c in chunk_sections(load_file(f).sections)]
    # The baseline runs before and after ingest and is averaged: drift in machine load between
    # the two measurements then cancels instead of favouring one side.
    raw_before = _raw_encode_seconds(embedder, texts)
    started = time.perf_counter()
    report = ingest_paths([PRIMER_DIR], PRIMER_CORPUS, settings, embedder)
    ingest_s = time.perf_counter() - started
    raw_s = (raw_before + _raw_encode_seconds(embedder, texts)) / 2
    return {
        "chunks": report.chunks,
        "embedded": report.embedded,
        "ingest_s": round(ingest_s, 2),
        "raw_encode_s": round(raw_s, 2),
        "ingest_chunks_per_s": round(report.chunks / ingest_s, 2),
        "raw_encode_chunks_per_s": round(len(texts) / raw_s, 2),
        "ingest_throughput_ratio": round(raw_s / ingest_s, 3),
    }


def _latency_figures(settings: Settings, embedder: Any, rounds: int) -> dict[str, Any]:
    queries = [c.q for c in flash_card_cases()]
    queries += [c.q for c in load_query_set(DATA_DIR / "primer_paraphrased.yaml")]
    retriever = Retriever(settings, embedder)
    collection = get_collection(retriever.client, PRIMER_CORPUS)
    for q in queries[:5]:  # warm up: BM25 index, HNSW pages, torch kernels
        retriever.search(q, k=K, corpus=PRIMER_CORPUS)
    hybrid: list[float] = []
    raw: list[float] = []
    for _ in range(rounds):
        for q in queries:  # interleaved, so load from other processes hits both sides alike
            started = time.perf_counter()
            retriever.search(q, k=K, corpus=PRIMER_CORPUS)
            hybrid.append(time.perf_counter() - started)
            started = time.perf_counter()
            collection.query(query_embeddings=embedder.encode_uncached([q]), n_results=K)
            raw.append(time.perf_counter() - started)
    return {
        "queries": len(hybrid),
        "search_p50_ms": round(_ms(hybrid), 2),
        "raw_query_p50_ms": round(_ms(raw), 2),
        "latency_ratio": round(_ms(hybrid) / _ms(raw), 3),
    }


def run(settings: Settings | None = None, *, rounds: int = 2, echo: bool = True) -> dict[str, Any]:
    """Runs both measurements in a fresh data dir (unless `settings` names one)."""
    from core.settings import get_settings
    from wiring import Container

    embedder = Container(get_settings()).embedder
    embedder.encode(["warm up the model before timing anything"])
    with tempfile.TemporaryDirectory(prefix="tradeoff-bench-") as tmp:
        settings = settings or Settings(data_dir=Path(tmp), chroma_url="")
        figures = {
            **_ingest_figures(settings, embedder),
            **_latency_figures(settings, embedder, rounds),
        }
    figures["ingest_ok"] = figures["ingest_throughput_ratio"] >= 0.8
    figures["latency_ok"] = figures["latency_ratio"] <= 1.3
    if echo:
        table = Table("retrieval benchmark (System Design Primer)", "value")
        for key, value in figures.items():
            table.add_row(key, str(value))
        Console().print(table)
    return figures


if __name__ == "__main__":
    run()
