"""The model factory's ChatOpenAI talks to an OpenAI-compatible server over real HTTP."""

from __future__ import annotations

from agents.models import load_chat_model
from core.settings import Settings
from tests.support.openai_server import Reply


def test_factory_chat_model_round_trip_and_streaming(openai_server) -> None:
    settings = Settings(llm="openai-compatible:test-model", llm_base_url=openai_server.base_url)
    chat = load_chat_model(settings)
    openai_server.enqueue(Reply("Why that store?"), Reply("Which shard key would you pick?"))
    assert chat.invoke("hello").content == "Why that store?"
    pieces = [c.content for c in chat.stream("again")]
    assert len(pieces) > 2 and "".join(pieces) == "Which shard key would you pick?"
    first, second = openai_server.chat_requests
    assert first["json"]["model"] == "test-model" and second["json"]["stream"] is True
    assert first["headers"]["authorization"] == "Bearer not-needed"


def test_openai_spec_uses_the_configured_key(openai_server, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    settings = Settings(llm="openai:gpt-4.1-mini", llm_base_url=openai_server.base_url)
    openai_server.enqueue(Reply("ok"))
    assert load_chat_model(settings).invoke("hi").content == "ok"
    assert openai_server.last_request["headers"]["authorization"].endswith("not-a-real-key")
