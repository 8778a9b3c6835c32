"""Calls to a chat model with a time limit and bounded retries that honour Retry-After."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

import openai

log = logging.getLogger("tradeoff.llm")
T = TypeVar("T")
MAX_RETRY_AFTER = 20.0  # never sleep longer than this on a server's word


class ProviderError(RuntimeError):
    """The model provider failed after every retry; the caller falls back or reports it."""


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("retry-after") if hasattr(headers, "get") else None
    try:
        return min(float(value), MAX_RETRY_AFTER) if value is not None else None
    except ValueError:
        return None


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return isinstance(exc, openai.APITimeoutError | openai.APIConnectionError | TimeoutError)


def call_with_retries(
    fn: Callable[[], T],
    *,
    retries: int,
    base_delay: float = 0.25,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Runs `fn`, retrying transient provider errors up to `retries` times with backoff."""
    attempt = 0
    while True:
        try:
            return fn()
        except Exception as exc:
            if not isinstance(exc, openai.OpenAIError | TimeoutError):
                raise  # not the provider's fault (e.g. a reply we could not parse)
            if not is_retryable(exc) or attempt >= retries:
                raise ProviderError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
            delay = _retry_after(exc)
            if delay is None:
                delay = base_delay * (2**attempt) * (1 + random.random() / 2)
            log.warning(
                "llm call failed, retrying",
                extra={
                    "attempt": attempt + 1,
                    "delay": round(delay, 2),
                    "error": type(exc).__name__,
                },
            )
            sleep(delay)
            attempt += 1
