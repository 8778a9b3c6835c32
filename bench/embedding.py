"""The embedding model's own cost, which bounds a turn: milliseconds per sentence of MiniLM on
distinct eval sentences, one sentence per call against the embedder's batch size, and the
in-process queue that lets concurrent callers share forward passes."""

from __future__ import annotations

import threading
import time
from typing import Any

from bench.harness import figure

SENTENCES = 320
COMPARE = 1000  # sentences on which the two runtimes' vectors are compared
THREADS = 40


def _sentences() -> list[str]:
    from agents.text import split_sentences
    from evals.datasets import graded_answers

    out = dict.fromkeys(
        s.text
        for a in graded_answers()
        for p in a.answer.split("\n\n")
        for s in split_sentences(" ".join(p.split()))
    )
    return list(out)[: 2 * SENTENCES]


def _concurrent(embedder: Any, groups: list[list[str]]) -> float:
    """`THREADS` callers encode their messages at once through the memoising, batching path."""
    chunks = [groups[i::THREADS] for i in range(THREADS)]
    started = time.perf_counter()
    threads = [threading.Thread(target=lambda c=c: [embedder.encode(g) for g in c]) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def run() -> dict[str, Any]:
    from core.settings import get_settings
    from wiring import Container

    embedder = Container(get_settings()).embedder
    texts = _sentences()
    first, second = texts[:SENTENCES], texts[SENTENCES:]
    embedder.encode_uncached(first[:16])  # warm up
    started = time.perf_counter()
    for t in first[:80]:
        embedder.encode_uncached([t])
    single_ms = (time.perf_counter() - started) * 1000 / 80
    started = time.perf_counter()
    embedder.encode_uncached(first)
    batch_ms = (time.perf_counter() - started) * 1000 / len(first)
    # Five-sentence "messages" sent by 40 threads at once, against one call per message in turn.
    groups = [second[i : i + 5] for i in range(0, len(second), 5)]
    started = time.perf_counter()
    for g in groups:
        embedder.encode_uncached(g)
    serial_s = time.perf_counter() - started
    concurrent_s = _concurrent(embedder, groups)
    details = {
        "sentences": len(first),
        "single_ms_per_sentence": round(single_ms, 2),
        "batch_ms_per_sentence": round(batch_ms, 2),
        "batch_size": embedder.batch_size,
        "messages": len(groups),
        "one_call_per_message_s": round(serial_s, 2),
        "concurrent_queue_s": round(concurrent_s, 2),
    }
    details["runtimes"] = _runtimes()
    rows = [
        *_runtime_rows(details["runtimes"]),
        figure(
            "MiniLM ms per sentence, alone / in batches",
            round(batch_ms, 2),
            "ms",
            "",
            None,
            f"{single_ms:.2f} ms a sentence alone; batches of {embedder.batch_size}",
        ),
        figure(
            f"{THREADS} concurrent callers vs one call per message",
            round(serial_s / concurrent_s, 2),
            "x throughput",
            "",
            None,
            f"{len(groups)} five-sentence messages: {concurrent_s:.1f} s vs {serial_s:.1f} s",
        ),
    ]
    return {"details": details, "figures": rows}


def _runtimes() -> dict[str, Any]:
    """Both runtimes on the same distinct eval sentences: the cost per sentence alone and in
    batches, and the lowest cosine between their vectors."""
    from core.settings import get_settings
    from retrieval.minilm import TorchRuntime, prepare_onnx

    texts = _sentences_all()[:COMPARE]
    runtimes = {"torch": TorchRuntime(), "onnx": prepare_onnx(get_settings().models_dir)}
    out: dict[str, Any] = {"sentences": len(texts)}
    vecs = {}
    for name, rt in runtimes.items():
        rt.encode(texts[:16], 16)  # warm up
        started = time.perf_counter()
        for t in texts[:80]:
            rt.encode([t], 16)
        single = (time.perf_counter() - started) * 1000 / 80
        started = time.perf_counter()
        vecs[name] = rt.encode(texts, 16)
        batch = (time.perf_counter() - started) * 1000 / len(texts)
        out[name] = {"single_ms": round(single, 2), "batch_ms": round(batch, 2)}
    out["lowest_cosine"] = float((vecs["torch"] * vecs["onnx"]).sum(axis=1).min())
    return out


def _runtime_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    torch, onnx = r["torch"], r["onnx"]
    return [
        figure(
            "MiniLM ms per sentence alone, ONNX / PyTorch",
            onnx["single_ms"],
            "ms",
            "",
            None,
            f"PyTorch {torch['single_ms']} ms ({torch['single_ms'] / onnx['single_ms']:.2f}x)",
        ),
        figure(
            "MiniLM ms per sentence in batches of 16, ONNX / PyTorch",
            onnx["batch_ms"],
            "ms",
            "",
            None,
            f"PyTorch {torch['batch_ms']} ms ({torch['batch_ms'] / onnx['batch_ms']:.2f}x)",
        ),
        figure(
            f"lowest cosine, ONNX vs PyTorch vectors ({r['sentences']} distinct sentences)",
            round(r["lowest_cosine"], 7),
            "",
            "≥ 0.9999",
            r["lowest_cosine"] >= 0.9999,
        ),
    ]


def _sentences_all() -> list[str]:
    from agents.text import split_sentences
    from content.loader import bundled_bank
    from evals.datasets import graded_answers

    bank = bundled_bank()
    out = dict.fromkeys(
        [
            s.text
            for a in graded_answers()
            for p in a.answer.split("\n\n")
            for s in split_sentences(" ".join(p.split()))
        ]
        + [i.text for q in bank.questions.values() for i in q.rubric]
    )
    return list(out)
