"""Settings defaults and the model factory's spec parsing."""

from __future__ import annotations

import pytest

from agents.models import ModelSpecError, load_chat_model, parse_spec
from core.settings import Settings


def test_llm_defaults_to_offline_without_a_key(monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert Settings().llm_spec == "offline"


def test_llm_defaults_to_openai_with_a_key(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    assert Settings().llm_spec == "openai:gpt-4.1-mini"


def test_data_dir_holds_sqlite_and_chroma(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TRADEOFF_DATA_DIR", str(tmp_path))
    s = Settings()
    assert s.effective_database_url == f"sqlite:///{tmp_path / 'tradeoff.db'}"
    assert s.chroma_dir == tmp_path / "chroma"


@pytest.mark.parametrize(
    ("spec", "kind", "model"),
    [
        ("offline", "offline", ""),
        ("openai:gpt-4.1-mini", "openai", "gpt-4.1-mini"),
        ("openai-compatible:llama3.1:8b", "openai-compatible", "llama3.1:8b"),
    ],
)
def test_parse_spec(spec: str, kind: str, model: str) -> None:
    parsed = parse_spec(spec)
    assert (parsed.kind, parsed.model) == (kind, model)


@pytest.mark.parametrize(
    "spec", ["", "gpt-4", "anthropic:claude", "openai:", "openai-compatible: "]
)
def test_bad_specs_are_refused_with_a_message(spec: str) -> None:
    with pytest.raises(ModelSpecError, match="spec|offline"):
        parse_spec(spec)


def test_openai_compatible_needs_a_base_url(monkeypatch) -> None:
    monkeypatch.delenv("TRADEOFF_LLM_BASE_URL", raising=False)
    with pytest.raises(ModelSpecError, match="BASE_URL"):
        load_chat_model(Settings(), "openai-compatible:qwen")


def test_loopback_detection() -> None:
    assert Settings(host="127.0.0.1").binds_loopback
    assert Settings(host="::1").binds_loopback
    assert not Settings(host="0.0.0.0").binds_loopback


def test_the_thread_pool_is_sized_by_settings(app_settings) -> None:
    """An open SSE stream holds a worker thread while the model is slow: the pool is sized by
    TRADEOFF_THREADS, not anyio's default of 40."""
    from anyio import to_thread
    from fastapi.testclient import TestClient

    from api.main import create_app

    app = create_app(app_settings.model_copy(update={"threads": 321}))
    with TestClient(app) as client:
        assert client.portal is not None
        limiter = client.portal.call(to_thread.current_default_thread_limiter)
        assert limiter.total_tokens == 321
