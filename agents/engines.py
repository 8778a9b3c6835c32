"""Builds the engines a process uses from settings: offline by default, an LLM when configured."""

from __future__ import annotations

import threading
from typing import Protocol

from agents.evaluation import Evaluation
from agents.evaluator import OfflineEvaluator, Segment
from agents.models import call_limits, get_embedder, load_chat_model, parse_spec
from agents.text import split_sentences
from content.loader import bundled_bank
from content.schema import Question
from core.settings import Settings
from retrieval.vector_cache import strings_in


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
            bank, embedder = bundled_bank(), get_embedder()
            # The bank's vectors go to the data dir's cache: the next process loads them.
            embedder.keep_on_disk(strings_in(bank))
            for q in bank.questions.values():  # texts built from it, as the judges build them
                embedder.keep_on_disk([f"{q.title}. {q.prompt}"])
                embedder.keep_on_disk(s.text for s in split_sentences(q.prompt))
            _offline = OfflineEvaluator(embedder, bank)
        return _offline


def build_evaluator(settings: Settings, spec: str | None = None) -> Evaluator:
    parsed = parse_spec(spec or settings.llm_spec)
    if parsed.is_offline:
        return offline_evaluator()
    from agents.llm_evaluator import LLMEvaluator

    chat = load_chat_model(settings, spec)
    limits = call_limits(settings, "judgement", spec)
    return LLMEvaluator(chat, offline_evaluator(), parsed.model, limits=limits)
