"""The embedder's queue: concurrent callers share forward passes, and nobody waits forever."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest


def _run_threads(target, n: int) -> None:  # type: ignore[no-untyped-def]
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a caller is stuck waiting on the queue"


def test_concurrent_callers_share_batches_and_get_their_own_vectors(embedder, monkeypatch):
    raw = embedder._encode_raw
    passes: list[int] = []

    def slow_raw(texts: list[str]) -> np.ndarray:
        passes.append(len(texts))
        time.sleep(0.2)  # the first pass holds the model while the others queue up
        return raw(texts)

    monkeypatch.setattr(embedder, "_encode_raw", slow_raw)
    texts = {
        i: [f"batching check {i}: shard the ids by hash", "batching check: shared"]
        for i in range(10)
    }
    out: dict[int, np.ndarray] = {}
    _run_threads(lambda i: out.__setitem__(i, embedder.encode(texts[i] + texts[i][:1])), 10)

    assert sum(passes) == 11  # ten distinct texts and one shared, each encoded once
    assert len(passes) <= 3, passes  # not one pass per caller
    for i, vecs in out.items():
        expected = raw(texts[i])
        assert vecs.shape == (3, 384)
        assert np.allclose(vecs[:2], expected, atol=1e-4)
        assert np.allclose(vecs[2], vecs[0])


def test_a_failed_pass_fails_its_caller_and_the_others_recover(embedder, monkeypatch):
    raw = embedder._encode_raw
    calls = {"n": 0}

    def flaky(texts: list[str]) -> np.ndarray:
        calls["n"] += 1
        time.sleep(0.1)
        if calls["n"] == 1:
            raise RuntimeError("the model failed")
        return raw(texts)

    monkeypatch.setattr(embedder, "_encode_raw", flaky)
    results: dict[int, object] = {}

    def call(i: int) -> None:
        try:
            results[i] = embedder.encode([f"recovery check {i}", "recovery check: shared"]).shape
        except RuntimeError as exc:
            results[i] = str(exc)

    _run_threads(call, 8)
    assert sorted(map(str, results.values())).count("the model failed") == 1
    assert list(results.values()).count((2, 384)) == 7
    assert not embedder._queue


def test_memo_returns_the_same_vector_without_the_model(embedder, monkeypatch):
    first = embedder.encode(["memo check: the same sentence twice"])

    def no_model(texts: list[str]) -> np.ndarray:
        pytest.fail(f"re-encoded {texts}")

    monkeypatch.setattr(embedder, "_encode_raw", no_model)
    again = embedder.encode(["memo check: the same sentence twice"])
    assert np.array_equal(first, again)
