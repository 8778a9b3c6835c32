"""Pytest fixtures for the scripted OpenAI-compatible server.

`openai_server` is function-scoped: every test gets its own `FakeOpenAIServer` on a fresh
ephemeral port (starting and stopping one takes milliseconds), so queued replies, recorded
requests and in-flight delayed responses can never leak from one test into the next. The server
is always stopped at teardown, even when the test fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agents.llm_evaluator import forget_refused_formats
from tests.support.openai_server import FakeOpenAIServer


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    """A running FakeOpenAIServer; point clients at `openai_server.base_url`.

    The judge remembers, per server address, which response formats a server refused; an
    ephemeral port can come back, so a test's server starts with nothing remembered."""
    forget_refused_formats()
    with FakeOpenAIServer() as server:
        yield server
