"""Retry policy around model calls: which errors are retried, how long we wait, what escapes."""

from __future__ import annotations

from collections.abc import Callable

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
