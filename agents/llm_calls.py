"""Calls to a chat model with a time limit and bounded retries that honour Retry-After.

The retry loop is tenacity's; what is ours is which errors are transient and how long a
server may ask us to wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import openai
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

log = logging.getLogger("tradeoff.llm")
T = TypeVar("T")
MAX_RETRY_AFTER = 20.0  # never sleep longer than this on a server's word


class ProviderError(RuntimeError):
    """The model provider failed after every retry; the caller falls back or reports it."""


def retry_after(exc: BaseException | None) -> float | None:
    """The server's Retry-After in seconds (capped), when it sent one we can read."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("retry-after") if hasattr(headers, "get") else None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER) if value is not None else None
    except ValueError:
        return None


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return isinstance(exc, openai.APITimeoutError | openai.APIConnectionError | TimeoutError)


def _provider_fault(exc: BaseException) -> bool:
    return isinstance(exc, openai.OpenAIError | TimeoutError)


def _wait(base_delay: float) -> Callable[[RetryCallState], float]:
    backoff = wait_exponential_jitter(multiplier=base_delay, max=MAX_RETRY_AFTER, jitter=base_delay)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        told = retry_after(exc)
        delay = told if told is not None else backoff(state)
        log.warning(
            "llm call failed, retrying",
            extra={
                "attempt": state.attempt_number,
                "delay": round(delay, 2),
                "error": type(exc).__name__,
            },
        )
        return delay

    return wait


def call_with_retries(
    fn: Callable[[], T],
    *,
    retries: int,
    base_delay: float = 0.25,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Runs `fn`, retrying transient provider errors up to `retries` times with backoff; a
    provider failure that outlives them is a ProviderError, anything else propagates as is."""
    retrying = Retrying(
        stop=stop_after_attempt(retries + 1),
        retry=retry_if_exception(is_retryable),
        wait=_wait(base_delay),
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(fn)
    except Exception as exc:
        if not _provider_fault(exc):
            raise  # not the provider's fault (e.g. a reply we could not parse)
        raise ProviderError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
