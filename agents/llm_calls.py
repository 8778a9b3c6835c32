"""Calls to a chat model, bounded: a token limit per call kind, one wall-time deadline per call
that covers retries, waits and streaming, and bounded retries that honour Retry-After.

A deadline covers streaming too: the reply is read on a worker thread and handed over through a
queue, so the caller stops at the deadline even while tokens are still arriving (a per-read
timeout would not fire while a model streams thousands of tokens). The retry loop is tenacity's;
what is ours is which errors are transient and how long a server may ask us to wait.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

if TYPE_CHECKING:  # the SDK is imported on first use: a process on the offline engine never
    import openai  # loads it (~0.2 s of a cold start)

log = logging.getLogger("tradeoff.llm")
T = TypeVar("T")
MAX_RETRY_AFTER = 20.0  # never sleep longer than this on a server's word
MIN_ATTEMPT = 0.05  # seconds: less time left than this is no time for another request


class ProviderError(RuntimeError):
    """The model provider failed after every retry; the caller falls back or reports it."""


class FormatRefused(ValueError):
    """The server refused the request's `response_format` (some answer 400 or 422, llama.cpp's
    server answers 500 naming the field); never retried as is, the caller asks another way."""


class DeadlineExceeded(TimeoutError):
    """The call's wall-time budget ran out (waiting, retrying or still reading tokens)."""


class Deadline:
    """A point in time a whole call must finish by."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self.end = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self.end - self._clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def check(self) -> None:
        if self.expired:
            raise DeadlineExceeded(f"the model call passed its {self.seconds:g} s deadline")


@dataclass(frozen=True)
class CallLimits:
    """The bounds of one kind of model call (built from settings by `agents.models`)."""

    max_tokens: int
    timeout: float  # seconds for the whole call: every attempt, wait and streamed token
    retries: int = 2
    # OpenAI itself takes `max_completion_tokens`; OpenAI-compatible servers (llama.cpp, vLLM,
    # Ollama) read `max_tokens` and some silently ignore the newer name.
    token_field: str = "max_tokens"

    def request(self, deadline: Deadline) -> dict[str, Any]:
        """The per-request options of an attempt started now."""
        return {
            self.token_field: self.max_tokens,
            "timeout": max(MIN_ATTEMPT, deadline.remaining()),
        }


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
    import openai

    if isinstance(exc, DeadlineExceeded):
        return False  # the budget is spent: another attempt has no time left
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return isinstance(exc, openai.APITimeoutError | openai.APIConnectionError | TimeoutError)


def _provider_fault(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.OpenAIError | TimeoutError)


def _wait(base_delay: float) -> Callable[[RetryCallState], float]:
    backoff = wait_exponential_jitter(multiplier=base_delay, max=MAX_RETRY_AFTER, jitter=base_delay)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        told = retry_after(exc)
        return told if told is not None else backoff(state)

    return wait


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.warning(
        "llm call failed, retrying",
        extra={
            "attempt": state.attempt_number,
            "delay": round(state.upcoming_sleep, 2),
            "error": type(exc).__name__,
        },
    )


class _OutOfTime(stop_base):
    """Stops when the wait before the next attempt would leave it no time before the deadline."""

    def __init__(self, deadline: Deadline | None):
        self.deadline = deadline

    def __call__(self, state: RetryCallState) -> bool:
        if self.deadline is None:
            return False
        return state.upcoming_sleep + MIN_ATTEMPT >= self.deadline.remaining()


def call_with_retries(
    fn: Callable[[], T],
    *,
    retries: int,
    base_delay: float = 0.25,
    sleep: Callable[[float], None] = time.sleep,
    deadline: Deadline | None = None,
) -> T:
    """Runs `fn`, retrying transient provider errors up to `retries` times with backoff, never
    past `deadline` (no retry whose wait would end after it); a provider failure that outlives
    them is a ProviderError, anything else propagates as is."""

    retrying = Retrying(
        stop=stop_after_attempt(retries + 1) | _OutOfTime(deadline),
        retry=retry_if_exception(is_retryable),
        wait=_wait(base_delay),
        before_sleep=_log_retry,
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(fn)
    except Exception as exc:
        if not _provider_fault(exc):
            raise  # not the provider's fault (e.g. a reply we could not parse)
        raise ProviderError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc


# -- reading before a deadline ----------------------------------------------------------------
_ITEM, _END, _ERROR = "item", "end", "error"


def before_deadline(
    source: Callable[[], Iterator[T]], deadline: Deadline
) -> Generator[T, None, None]:
    """The items of `source()`, read on a worker thread, for as long as the deadline allows.

    Raises DeadlineExceeded when it passes, whether the source is silent or still producing.
    When the caller stops early (closes this generator) or the deadline passes, the worker stops
    at its next item and closes the source, which closes the HTTP response.
    """
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def pump() -> None:
        it: Iterator[T] | None = None
        try:
            it = source()
            for item in it:
                if stop.is_set():
                    break
                handoff.put((_ITEM, item))
            handoff.put((_END, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            handoff.put((_ERROR, exc))
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - closing a dead connection may fail too
                    log.debug("closing a model stream failed", exc_info=True)

    threading.Thread(target=pump, name="llm-read", daemon=True).start()
    try:
        while True:
            try:
                kind, value = handoff.get(timeout=deadline.remaining())
            except queue.Empty:
                deadline.check()
                continue  # the clock said "left" and then "empty": look once more
            if kind == _ITEM:
                yield value
                deadline.check()  # tokens still arriving do not extend the budget
            elif kind == _END:
                return
            else:
                raise value
    finally:
        stop.set()


# -- the two kinds of request -------------------------------------------------------------------
Messages = list[tuple[str, str]]


def _wire(messages: Messages) -> list[dict[str, str]]:
    return [{"role": role, "content": content} for role, content in messages]


def _client(chat: Any) -> Any:
    """The OpenAI SDK client behind a factory-built chat model (one connection pool)."""
    return getattr(chat, "root_client", chat)


def _model(chat: Any) -> str:
    return str(getattr(chat, "model_name", None) or getattr(chat, "model", ""))


def _deltas(stream: Any, finish: list[str | None] | None = None) -> Iterator[str]:
    """The text of a streamed completion, piece by piece; the stream is closed however the
    reading ends. `finish`, when given, receives the last finish reason seen."""
    try:
        for chunk in stream:
            for choice in getattr(chunk, "choices", None) or []:
                text = getattr(choice.delta, "content", None)
                if text:
                    yield text
                if finish is not None:
                    finish[0] = choice.finish_reason or finish[0]
    finally:
        stream.close()


def stream_text(
    chat: Any, messages: Messages, limits: CallLimits, deadline: Deadline
) -> Iterator[str]:
    """The reply's text as it streams, bounded by `limits` and `deadline`, with retries until
    the first token (after that, a failure is the caller's: part of the reply was read)."""

    def attempt() -> Iterator[str]:
        def source() -> Iterator[str]:
            stream = _client(chat).chat.completions.create(
                model=_model(chat),
                messages=_wire(messages),
                stream=True,
                temperature=0,
                **limits.request(deadline),
            )
            yield from _deltas(stream)

        return _started(before_deadline(source, deadline))

    return call_with_retries(attempt, retries=limits.retries, deadline=deadline)


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str | None


def complete(
    chat: Any,
    messages: Messages,
    limits: CallLimits,
    deadline: Deadline,
    response_format: dict[str, Any] | None = None,
) -> Completion:
    """One whole reply, bounded by `limits` and `deadline`, with retries.

    It is streamed and gathered: when the deadline cuts it, the connection closes and a server
    that watches for that (llama.cpp's does, for streams only) stops generating, instead of
    finishing an abandoned reply while the next request waits behind it.
    """

    def attempt() -> Completion:
        finish: list[str | None] = [None]

        def source() -> Iterator[str]:
            import openai

            extra = {"response_format": response_format} if response_format else {}
            try:
                stream = _client(chat).chat.completions.create(
                    model=_model(chat),
                    messages=_wire(messages),
                    stream=True,
                    temperature=0,
                    **extra,
                    **limits.request(deadline),
                )
            except openai.APIStatusError as exc:
                if response_format and _refuses_format(exc):
                    raise FormatRefused(f"{exc.status_code}: {str(exc)[:200]}") from exc
                raise
            yield from _deltas(stream, finish)

        text = "".join(before_deadline(source, deadline))
        return Completion(text=text, finish_reason=finish[0])

    return call_with_retries(attempt, retries=limits.retries, deadline=deadline)


def _refuses_format(exc: openai.APIStatusError) -> bool:
    if exc.status_code in (400, 422):
        return True
    return exc.status_code == 500 and "response_format" in str(exc)


def _started(stream: Iterator[T]) -> Iterator[T]:
    """Pulls the first item now, so connection errors surface inside the retry loop."""
    try:
        first = next(stream)
    except StopIteration:
        return iter(())

    def rest() -> Iterator[T]:
        try:
            yield first
            yield from stream
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    return rest()


# -- tolerant JSON --------------------------------------------------------------------------------
_DECODER = json.JSONDecoder()


def json_objects(text: str) -> Iterator[dict[str, Any]]:
    """Every JSON object in `text`, in order, whatever prose or code fences surround them (an
    object nested in one already found is not returned again)."""
    i = text.find("{")
    while i >= 0:
        try:
            value, end = _DECODER.raw_decode(text, i)
        except ValueError:
            i = text.find("{", i + 1)
            continue
        if isinstance(value, dict):
            yield value
            i = text.find("{", end)
        else:  # pragma: no cover - raw_decode at "{" only ever returns a dict
            i = text.find("{", i + 1)
