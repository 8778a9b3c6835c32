"""Builds the engines a process uses from settings: offline by default, an LLM when configured."""

from __future__ import annotations

import threading
from typing import Protocol

from agents.evaluation import Evaluation
from agents.evaluator import OfflineEvaluator, Segment
from agents.models import call_limits, get_embedder, load_chat_model, parse_spec
from content.loader import bundled_bank
from content.schema import Question
from core.settings import Settings


class Evaluator(Protocol):
    engine: str

    def grade(
        self,
        question: Question | str,
        answer: str | list[Segment],
        level: str = "senior",
        reference: str | None = None,
    ) -> Evaluation: ...


_offline: OfflineEvaluator | None = None
_lock = threading.Lock()


def offline_evaluator() -> OfflineEvaluator:
    """One offline evaluator per process: it caches rubric and question embeddings."""
    global _offline
    with _lock:
        if _offline is None:
            _offline = OfflineEvaluator(get_embedder(), bundled_bank())
        return _offline


def build_evaluator(settings: Settings, spec: str | None = None) -> Evaluator:
    parsed = parse_spec(spec or settings.llm_spec)
    if parsed.is_offline:
        return offline_evaluator()
    from agents.llm_evaluator import LLMEvaluator

    chat = load_chat_model(settings, spec)
    limits = call_limits(settings, "judgement", spec)
    return LLMEvaluator(chat, offline_evaluator(), parsed.model, limits=limits)
