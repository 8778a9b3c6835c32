"""Builds the interview service once per app (engine, phraser, clock) for the routes."""

from __future__ import annotations

import threading
import time
from typing import Annotated, Any

from fastapi import Depends, Request

from agents.engines import build_evaluator, offline_evaluator
from agents.interviewer.engine import InterviewEngine, OfflinePhraser
from agents.interviewer.service import InterviewService
from agents.models import parse_spec
from content.loader import bundled_bank
from core.models import InterviewSession
from core.settings import Settings

_lock = threading.Lock()


def build_service(settings: Settings, clock=time.time) -> InterviewService:  # type: ignore[no-untyped-def]
    from retrieval.search import Retriever

    spec = parse_spec(settings.llm_spec)
    engine = InterviewEngine(offline_evaluator(), Retriever(settings))
    if spec.is_offline:

        def phraser_for(_: InterviewSession) -> OfflinePhraser:
            return OfflinePhraser()
    else:
        from agents.interviewer.llm_phraser import LLMPhraser
        from agents.models import call_limits, load_chat_model

        chat = load_chat_model(settings)
        phraser = LLMPhraser(chat, engine, limits=call_limits(settings, "question"))

        def phraser_for(_: InterviewSession) -> LLMPhraser:  # type: ignore[misc]
            return phraser

    return InterviewService(
        bank=bundled_bank(),
        engine=engine,
        clock=clock,
        phraser_for=phraser_for,
        evaluator_for=lambda: build_evaluator(settings),
        engine_name=spec.engine_name,
    )


def service_for_app(app: Any) -> InterviewService:
    """The app's one interview service, built at first use (after tests set `state.clock`)."""
    with _lock:
        service = getattr(app.state, "interview_service", None)
        if service is None:
            service = build_service(app.state.settings, getattr(app.state, "clock", time.time))
            app.state.interview_service = service
    return service


def service_dep(request: Request) -> InterviewService:
    return service_for_app(request.app)


ServiceDep = Annotated[InterviewService, Depends(service_dep)]
