"""The composition root builds each part at first use, once, and only the parts a use needs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import wiring.container
from agents.engines import build_evaluator
from core.settings import Settings
from tests.support.engines import offline_evaluator, shared_embedder
from wiring import Container
from wiring.container import DeferredEmbedder

# What a command touches -> the parts it builds. `tradeoff grade` must never open the store.
USES: list[tuple[str, Callable[[Container], Any], set[str]]] = [
    ("nothing", lambda c: c.settings, set()),
    ("the bank", lambda c: c.bank, {"bank"}),
    ("the database", lambda c: c.db, {"db"}),
    ("grade", lambda c: c.evaluator, {"embedder", "bank", "offline_evaluator", "evaluator"}),
    ("search", lambda c: c.retriever, {"embedder", "retriever"}),
    (
        "interview",
        lambda c: c.interview_service,
        {"embedder", "bank", "offline_evaluator", "retriever", "interview_service"},
    ),
]


@pytest.mark.parametrize(("use", "touch", "parts"), USES, ids=[u[0] for u in USES])
def test_a_use_builds_only_the_parts_it_needs(
    settings: Settings, use: str, touch: Callable[[Container], Any], parts: set[str]
) -> None:
    container = Container(settings)
    touch(container)
    assert set(container.built()) == parts


@pytest.mark.parametrize("part", ["bank", "db", "embedder", "retriever", "evaluator"])
def test_a_part_is_built_once_per_container_and_anew_per_container(
    settings: Settings, part: str
) -> None:
    one, other = Container(settings), Container(settings)
    assert getattr(one, part) is getattr(one, part)
    if part in ("retriever", "evaluator"):  # the shared embedder and bank are process-wide
        assert getattr(one, part) is not getattr(other, part)


def test_an_embedder_handed_in_is_the_one_every_part_uses(settings: Settings) -> None:
    embedder = shared_embedder()
    container = Container(settings, embedder=embedder)
    assert container.built() == ["embedder"]
    assert container.retriever.embedder is embedder
    assert container.offline_evaluator.embedder is embedder


def test_the_deferred_embedder_loads_nothing_until_it_encodes() -> None:
    loads: list[int] = []

    def load() -> Any:
        loads.append(1)
        return shared_embedder()

    deferred = DeferredEmbedder(load)
    assert deferred.name() == shared_embedder().name() and loads == []
    assert deferred.encode(["consistent hashing"]).shape == (1, 384)
    assert deferred.encode_uncached(["consistent hashing"]).shape == (1, 384)
    assert len(loads) == 2


@pytest.mark.parametrize(
    ("spec", "engine"),
    [("offline", "offline"), ("openai-compatible:test-model", "llm:test-model")],
)
def test_build_evaluator_gives_the_engine_the_spec_names(
    settings: Settings, spec: str, engine: str
) -> None:
    offline = offline_evaluator()
    llm = settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1"})
    evaluator = build_evaluator(llm, offline, spec)
    assert evaluator.engine == engine
    assert (evaluator is offline) == (spec == "offline")


def test_a_slow_part_holds_up_only_its_own_callers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_embedder(_: Settings) -> Any:
        started.set()
        release.wait(30)
        return shared_embedder()

    monkeypatch.setattr(wiring.container, "load_embedder", slow_embedder)
    container = Container(settings)
    loading = threading.Thread(target=lambda: container.embedder)
    loading.start()
    try:
        assert started.wait(30)
        assert container.bank.questions and container.db is container.db  # not held up
        assert "embedder" not in container.built()
    finally:
        release.set()
        loading.join(30)
    assert container.embedder is shared_embedder()


def test_concurrent_first_uses_build_a_part_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[Settings] = []

    def counting(s: Settings) -> Any:
        loads.append(s)
        return shared_embedder()

    monkeypatch.setattr(wiring.container, "load_embedder", counting)
    container = Container(settings)
    with ThreadPoolExecutor(8) as pool:
        evaluators = list(pool.map(lambda _: container.evaluator, range(16)))
    assert len(loads) == 1 and all(e is evaluators[0] for e in evaluators)
