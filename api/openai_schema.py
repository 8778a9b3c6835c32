"""The OpenAI chat-completions wire format, as far as Tradeoff speaks it: the request (every
documented field accepted, unknown ones refused), the completion, its stream chunks, the model
list and the error body."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

MODEL_PREFIX = "tradeoff-interviewer"
MAX_MESSAGES = 400
MetadataValue = Annotated[str, StringConstraints(max_length=512)]


class TextPart(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """One message of the client's history. Fields beyond these are ignored, not refused:
    clients echo back whole reply objects (with `refusal`, `annotations`...) as history."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[TextPart] | None = None
    name: str | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool | None = None
    include_obfuscation: bool | None = None


class ChatCompletionRequest(BaseModel):
    """POST /v1/chat/completions. Sampling and tool fields are accepted and have no effect: the
    interviewer's words come from the interview engine."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(max_length=200, description="tradeoff-interviewer[/<question id>]")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    metadata: dict[str, MetadataValue] | None = Field(
        default=None,
        max_length=16,
        description="tradeoff_session_id continues that session; tradeoff_mode, "
        "tradeoff_level and tradeoff_persona set up a new one.",
    )
    n: int | None = Field(default=None, ge=1, le=1)
    user: str | None = Field(default=None, max_length=256)
    # Documented fields that change nothing here.
    audio: JsonValue = None
    frequency_penalty: float | None = None
    function_call: JsonValue = None
    functions: JsonValue = None
    logit_bias: JsonValue = None
    logprobs: bool | None = None
    max_completion_tokens: int | None = None
    max_tokens: int | None = None
    modalities: JsonValue = None
    moderation: JsonValue = None
    parallel_tool_calls: bool | None = None
    prediction: JsonValue = None
    presence_penalty: float | None = None
    prompt_cache_key: str | None = None
    prompt_cache_options: JsonValue = None
    prompt_cache_retention: str | None = None
    reasoning_effort: str | None = None
    response_format: JsonValue = None
    safety_identifier: str | None = None
    seed: int | None = None
    service_tier: str | None = None
    stop: JsonValue = None
    store: bool | None = None
    temperature: float | None = None
    tool_choice: JsonValue = None
    tools: JsonValue = None
    top_logprobs: int | None = None
    top_p: float | None = None
    verbosity: str | None = None
    web_search_options: JsonValue = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "tradeoff"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    """Approximate: about four characters a token."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


def usage(prompt: str, completion: str) -> Usage:
    p, c = -(-len(prompt) // 4), -(-len(completion) // 4)
    return Usage(prompt_tokens=p, completion_tokens=c, total_tokens=p + c)


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: None = None
    metadata: dict[str, str] = Field(
        description="tradeoff_session_id (send it back to continue), tradeoff_phase, "
        "tradeoff_status."
    )


class Delta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    system_fingerprint: None = None
    metadata: dict[str, str] | None = None


class ErrorInfo(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorBody(BaseModel):
    error: ErrorInfo


_ERROR_TYPES = {
    401: ("authentication_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "not_found"),
    409: ("invalid_request_error", "conflict"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


def error_body(
    status: int, message: str, *, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """OpenAI's error shape, which its SDKs turn into typed exceptions."""
    kind, default_code = _ERROR_TYPES.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    info = ErrorInfo(message=message, type=kind, param=param, code=code or default_code)
    return ErrorBody(error=info).model_dump()
