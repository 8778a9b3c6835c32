"""How the interview service is assembled: engine, retriever for hints, phraser, evaluator."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from agents.interviewer.engine import InterviewEngine, OfflinePhraser, Phraser
from agents.interviewer.service import InterviewService
from agents.models import ModelSpec, call_limits, load_chat_model, parse_spec
from core.models import InterviewSession
from core.settings import Settings

if TYPE_CHECKING:
    from wiring.container import Container


def build_interview_service(parts: Container) -> InterviewService:
    spec = parse_spec(parts.settings.llm_spec)
    engine = InterviewEngine(parts.offline_evaluator, parts.retriever)
    return InterviewService(
        bank=parts.bank,
        engine=engine,
        clock=parts.clock,
        phraser_for=_phrasers(parts.settings, spec, engine),
        evaluator_for=lambda: parts.evaluator,
        engine_name=spec.engine_name,
    )


def _phrasers(
    settings: Settings, spec: ModelSpec, engine: InterviewEngine
) -> Callable[[InterviewSession], Phraser]:
    """Which phraser words a session's turns: a fresh offline one each, or the one LLM phraser."""
    if spec.is_offline:
        return lambda _: OfflinePhraser()
    from agents.interviewer.llm_phraser import LLMPhraser

    chat = load_chat_model(settings)
    phraser = LLMPhraser(chat, engine, limits=call_limits(settings, "question"))
    return lambda _: phraser
