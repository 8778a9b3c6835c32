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


def test_a_failed_pass_fails_its_callers_and_the_queue_recovers(embedder, monkeypatch):
    raw = embedder._encode_raw
    calls = {"n": 0}
    first_pass = threading.Event()

    def flaky(texts: list[str]) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] == 1:
            first_pass.set()
            time.sleep(0.2)  # the others queue up behind it
            raise RuntimeError("the model failed")
        return raw(texts)

    monkeypatch.setattr(embedder, "_encode_raw", flaky)
    results: dict[int, object] = {}

    def call(i: int) -> None:
        if i:
            first_pass.wait(10)
        try:
            results[i] = embedder.encode([f"recovery check {i}", f"recovery check {i}b"]).shape
        except RuntimeError as exc:
            results[i] = str(exc)

    _run_threads(call, 8)
    assert results[0] == "the model failed"
    assert [results[i] for i in range(1, 8)] == [(2, 384)] * 7
    assert embedder.encode(["recovery check 0"]).shape == (1, 384)  # its texts can be retried
    assert not embedder._pending


def test_requests_are_served_in_arrival_order_in_bounded_passes(embedder, monkeypatch):
    """A request that arrives before a burst is not held back by it, and one that arrives
    after it waits its turn; no pass is larger than MAX_PASS."""
    from agents.models import MAX_PASS

    raw = embedder._encode_raw
    passes: list[int] = []

    def slow_raw(texts: list[str]) -> np.ndarray:
        passes.append(len(texts))
        time.sleep(0.05)
        return raw(texts)

    monkeypatch.setattr(embedder, "_encode_raw", slow_raw)
    done: list[str] = []
    requests = {
        "before": ["fifo check: the request before the burst"],
        "burst": [f"fifo check: burst sentence {n}" for n in range(2 * MAX_PASS)],
        "after": ["fifo check: the request after the burst"],
    }

    def call(name: str) -> None:
        embedder.encode(requests[name])
        done.append(name)

    threads = []
    for name in requests:
        threads.append(threading.Thread(target=call, args=(name,)))
        threads[-1].start()
        time.sleep(0.02)
    for t in threads:
        t.join(timeout=60)
    assert done == ["before", "burst", "after"]
    assert max(passes) <= MAX_PASS
    assert passes[0] == 1  # the first request did not wait for the burst's passes


def test_memo_returns_the_same_vector_without_the_model(embedder, monkeypatch):
    first = embedder.encode(["memo check: the same sentence twice"])

    def no_model(texts: list[str]) -> np.ndarray:
        pytest.fail(f"re-encoded {texts}")

    monkeypatch.setattr(embedder, "_encode_raw", no_model)
    again = embedder.encode(["memo check: the same sentence twice"])
    assert np.array_equal(first, again)
