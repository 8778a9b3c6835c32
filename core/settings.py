"""The one settings object: every `TRADEOFF_` environment variable, documented in `.env.example`."""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_OPENAI_MODEL = "openai:gpt-4.1-mini"
QUESTION_MAX_TOKENS = 80  # an interviewer turn: one to three short sentences
JUDGEMENT_MAX_TOKENS = 800  # a grade: one short JSON entry per rubric item (15-17 of them)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRADEOFF_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("tradeoff", appauthor=False)),
        description="Everything the service writes goes under it: database, Chroma, reports.",
    )
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty = SQLite file in the data dir."
    )
    chroma_url: str = Field(
        default="",
        description="Empty = embedded Chroma in the data dir; http://host:port = server.",
    )
    llm: str = Field(
        default="",
        description="offline | openai:<model> | openai-compatible:<model>; "
        "empty = openai:gpt-4.1-mini when OPENAI_API_KEY is set, else offline.",
    )
    llm_base_url: str = Field(default="", description="Base URL of an OpenAI-compatible server.")
    llm_api_key: SecretStr = Field(
        default=SecretStr(""), description="Key for the LLM server; falls back to OPENAI_API_KEY."
    )
    llm_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds for a whole LLM call (a turn's phrasing or a grade): every retry, "
        "wait and streamed token included.",
    )
    llm_max_retries: int = Field(default=2, ge=0, le=6, description="Retries per LLM call.")
    llm_max_tokens_question: int = Field(
        default=QUESTION_MAX_TOKENS,
        ge=8,
        le=4096,
        description="Tokens an interviewer turn may generate (one short question).",
    )
    llm_max_tokens_judgement: int = Field(
        default=JUDGEMENT_MAX_TOKENS,
        ge=64,
        le=16384,
        description="Tokens a grading call may generate (a JSON object, one entry per item).",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    auth: Literal["auto", "required"] = Field(
        default="auto", description="required = every API call needs a bearer key."
    )
    redis_url: str = Field(default="", description="Redis for shared rate limits; empty = memory.")
    rate_limit: str = Field(default="120/minute", description="Per-key request limit.")
    cors_origins: str = Field(
        default="", description="Comma-separated allowed origins; empty = off."
    )
    log_level: str = "INFO"
    threads: int = Field(
        default=1000,
        ge=8,
        le=10_000,
        description="Worker threads per process; each open SSE stream holds one while it waits.",
    )

    embedder: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="MiniLM runtime: onnx (exported once into the data dir, checked against "
        "torch) or torch (sentence-transformers); same vectors.",
    )
    model_cache: Path | None = Field(
        default=None,
        description="Where the exported ONNX model is kept (keyed by the weights' hash); "
        "empty = <data dir>/models.",
    )
    embed_threads: int = Field(
        default=0,
        ge=0,
        le=256,
        description="Threads per forward pass; 0 = one per core, and in a server worker half the"
        " cores it has (server_embed_threads).",
    )
    queue_limit: int = Field(
        default=200,
        ge=1,
        le=100_000,
        description="Requests a worker holds waiting for their first byte; past it, 503 with "
        "Retry-After.",
    )

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser()

    @field_validator("model_cache", mode="before")
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if v == "" else v

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "tradeoff.db"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.model_cache or self.data_dir / "models"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def llm_spec(self) -> str:
        if self.llm:
            return self.llm
        return DEFAULT_OPENAI_MODEL if os.environ.get("OPENAI_API_KEY") else "offline"

    @property
    def api_key(self) -> str:
        return self.llm_api_key.get_secret_value() or os.environ.get("OPENAI_API_KEY", "")

    @property
    def binds_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def ensure_dirs(self) -> None:
        for d in (self.data_dir, self.chroma_dir, self.reports_dir):
            d.mkdir(parents=True, exist_ok=True)


# A server worker answers requests (reading, judging, storing) on some cores while its embedding
# pass runs on others. One thread per pass on this 2-core machine served 33.4 offline turns/s
# against 29.9 with one per core, p99 at 50 sessions 2.0 s against 2.6 s, and a paced p99 of
# 229 ms against 409 ms (`python -m bench.run_all runtimes`, 2026-12-05).
def server_embed_threads(workers: int = 1) -> int:
    """Threads per embedding pass in each of `workers` server workers: half the cores each
    worker has, at least one."""
    return max(1, (os.cpu_count() or 1) // max(1, workers) // 2)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
