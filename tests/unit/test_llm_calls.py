"""Retry policy around model calls: which errors are retried, how long we wait, what escapes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import openai
import pytest

from agents.llm_calls import MAX_RETRY_AFTER, ProviderError, call_with_retries

REQUEST = httpx.Request("POST", "http://model.test/v1/chat/completions")


def status(code: int, retry_after: str | None = None) -> openai.APIStatusError:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    response = httpx.Response(code, headers=headers, request=REQUEST)
    return openai.APIStatusError(f"status {code}", response=response, body=None)


def failing(errors: list[BaseException], result: str = "ok") -> Callable[[], str]:
    """A provider call that raises `errors` in turn, then answers."""
    queue = list(errors)

    def call() -> str:
        if queue:
            raise queue.pop(0)
        return result

    return call


@pytest.mark.parametrize(
    ("errors", "retries", "outcome", "sleeps"),
    [
        ([], 2, "ok", 0),
        ([status(429)], 2, "ok", 1),
        ([status(503), status(500)], 2, "ok", 2),
        ([openai.APITimeoutError(request=REQUEST)], 1, "ok", 1),
        ([openai.APIConnectionError(request=REQUEST)], 1, "ok", 1),
        ([status(503), status(503), status(503)], 2, ProviderError, 2),  # retries run out
        ([status(400)], 3, ProviderError, 0),  # a bad request is never retried
        ([status(401)], 3, ProviderError, 0),
        ([ValueError("unparseable reply")], 3, ValueError, 0),  # not the provider's fault
    ],
)
def test_retry_policy(
    errors: list[BaseException], retries: int, outcome: object, sleeps: int
) -> None:
    slept: list[float] = []
    call = failing(errors)
    if outcome == "ok":
        assert call_with_retries(call, retries=retries, sleep=slept.append) == "ok"
    else:
        assert isinstance(outcome, type)
        with pytest.raises(outcome):
            call_with_retries(call, retries=retries, sleep=slept.append)
    assert len(slept) == sleeps


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("600", MAX_RETRY_AFTER), ("-4", 0.0)],
)
def test_retry_after_is_honoured_and_capped(header: str, expected: float) -> None:
    slept: list[float] = []
    call_with_retries(failing([status(429, header)]), retries=1, sleep=slept.append)
    assert slept == [expected]


def test_backoff_grows_without_a_retry_after() -> None:
    slept: list[float] = []
    call = failing([status(503)] * 4)
    call_with_retries(call, retries=4, base_delay=1.0, sleep=slept.append)
    assert len(slept) == 4
    # Exponential with at most one base delay of jitter: 1, 2, 4, 8 (+ up to 1 each).
    for n, delay in enumerate(slept):
        assert 2**n <= delay <= 2**n + 1.0


def test_an_unreadable_retry_after_falls_back_to_backoff() -> None:
    slept: list[float] = []
    call_with_retries(failing([status(429, "soon")]), retries=1, base_delay=0.5, sleep=slept.append)
    assert 0.5 <= slept[0] <= 1.0


# -- the deadline: one budget for a whole call, streaming included ------------------------------


def test_a_source_that_never_stops_is_cut_at_the_deadline() -> None:
    import itertools
    import time

    from agents.llm_calls import Deadline, DeadlineExceeded, before_deadline

    def forever() -> Iterator[str]:
        for n in itertools.count():
            time.sleep(0.005)  # a token every 5 ms: never silent, never done
            yield f"tok{n} "

    started = time.monotonic()
    got: list[str] = []
    with pytest.raises(DeadlineExceeded):
        for item in before_deadline(forever, Deadline(0.3)):
            got.append(item)
    assert time.monotonic() - started < 0.6
    assert len(got) > 10  # tokens were arriving the whole time


def test_a_silent_source_is_cut_at_the_deadline() -> None:
    import threading
    import time

    from agents.llm_calls import Deadline, DeadlineExceeded, before_deadline

    release = threading.Event()

    def silent() -> Iterator[str]:
        release.wait(5)  # a server that accepted the request and says nothing
        yield "late"

    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        next(before_deadline(silent, Deadline(0.2)))
    release.set()
    assert time.monotonic() - started < 0.5


def test_stopping_early_closes_the_source() -> None:
    import threading

    from agents.llm_calls import Deadline, before_deadline

    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.set()

    gen = before_deadline(source, Deadline(5))
    assert next(gen) == 1
    gen.close()
    assert closed.wait(2)


def test_no_retry_whose_wait_outlives_the_deadline() -> None:
    from agents.llm_calls import Deadline

    slept: list[float] = []
    with pytest.raises(ProviderError):
        call_with_retries(
            failing([status(429, "5")]), retries=3, sleep=slept.append, deadline=Deadline(1.0)
        )
    assert slept == []  # waiting 5 s would pass a 1 s deadline: the call gives up at once


def test_a_deadline_is_not_retried() -> None:
    from agents.llm_calls import Deadline, DeadlineExceeded

    slept: list[float] = []
    with pytest.raises(ProviderError):
        call_with_retries(
            failing([DeadlineExceeded("late")]), retries=3, sleep=slept.append, deadline=Deadline(9)
        )
    assert slept == []


# -- tolerant JSON --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', [{"a": 1}]),
        ('Sure! The JSON:\n```json\n{"a": {"b": 2}}\n```\nHope it helps.', [{"a": {"b": 2}}]),
        ('{"a": 1 and then {"b": 2} trailing', [{"b": 2}]),  # a broken one, then a good one
        ('{"items": [{"id": "x", "status": "cov', []),  # truncated: nothing valid
        ("no json at all {", []),
        ('{"a": 1}{"b": 2}', [{"a": 1}, {"b": 2}]),
    ],
)
def test_json_objects_are_found_in_prose(text: str, expected: list[dict]) -> None:
    from agents.llm_calls import json_objects

    assert list(json_objects(text)) == expected
