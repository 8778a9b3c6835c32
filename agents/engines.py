"""Builds the grading engines from their parts: offline by default, an LLM judge when configured.

Pure builders: the composition root (`wiring/container.py`) decides how long each one lives.
"""

from __future__ import annotations

from typing import Protocol

from agents.evaluation import Evaluation
from agents.evaluator import OfflineEvaluator, Segment
from agents.models import MiniLMEmbedder, call_limits, load_chat_model, parse_spec
from agents.text import split_sentences
from content.loader import Bank
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


def build_offline_evaluator(embedder: MiniLMEmbedder, bank: Bank) -> OfflineEvaluator:
    """The offline evaluator; it caches rubric and question embeddings, so build it once."""
    # The bank's vectors go to the data dir's cache: the next process loads them.
    embedder.keep_on_disk(strings_in(bank))
    for q in bank.questions.values():  # texts built from it, as the judges build them
        embedder.keep_on_disk([f"{q.title}. {q.prompt}"])
        embedder.keep_on_disk(s.text for s in split_sentences(q.prompt))
    return OfflineEvaluator(embedder, bank)


def build_evaluator(
    settings: Settings, offline: OfflineEvaluator, spec: str | None = None
) -> Evaluator:
    """The engine `spec` names (default: the settings'); an LLM judge falls back to `offline`."""
    parsed = parse_spec(spec or settings.llm_spec)
    if parsed.is_offline:
        return offline
    from agents.llm_evaluator import LLMEvaluator

    chat = load_chat_model(settings, spec)
    limits = call_limits(settings, "judgement", spec)
    return LLMEvaluator(chat, offline, parsed.model, limits=limits)
