"""The offline interviewer's words: templates from `prompts/interviewer_phrases.yaml`, chosen with
deterministic variety (the same session and turn always read the same)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from content.schema import RubricItem

PHRASES_PATH = Path(__file__).resolve().parents[2] / "prompts" / "interviewer_phrases.yaml"


class Phrases(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    opening: list[str] = Field(min_length=1)
    transition: list[str] = Field(min_length=1)
    overrun: list[str] = Field(min_length=1)
    covered_ack: str
    phase_covered: str
    you_said: str
    embedded_answer: str
    number_probe: list[str] = Field(min_length=1)
    number_working: str
    scale_probe: str
    contradiction: str
    mistake: list[str] = Field(min_length=1)
    phase_opening: dict[str, str]
    item_question: list[str] = Field(min_length=1)
    concept_fallback: str
    clarify: list[str] = Field(min_length=1)
    clarify_unknown: str
    redirect: list[str] = Field(min_length=1)
    dont_know: list[str] = Field(min_length=1)
    off_topic: str
    wrap_up_done: str
    hint: dict[int, str]
    notice_offline: str
    notice_guard: str


@lru_cache(maxsize=1)
def phrases() -> Phrases:
    return Phrases.model_validate(yaml.safe_load(PHRASES_PATH.read_text(encoding="utf-8")))


def pick(options: list[str], seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return options[digest[0] % len(options)]


def topic(item: RubricItem) -> str:
    """What the interviewer asks about for an item ('what a throttled client receives'): it says
    what to talk about without giving away what a strong answer says."""
    return item.topic


def one_question(text: str) -> str:
    """Keeps everything up to and including the first question mark (one question per reply)."""
    first = text.find("?")
    return text if first < 0 else text[: first + 1]
