"""Builds the drill service once per app (bank, grader, the app's clock) for the routes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from agents.drills.service import DrillService
from agents.engines import build_evaluator
from content.loader import bundled_bank
from core.settings import Settings

_lock = threading.Lock()


def datetime_clock(clock: Callable[[], float]) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(clock(), UTC)


def build_drill_service(settings: Settings, clock: Callable[[], float] = time.time) -> DrillService:
    return DrillService(
        bank=bundled_bank(),
        evaluator_for=lambda: build_evaluator(settings),
        clock=datetime_clock(clock),
    )


def drill_service_for_app(app: Any) -> DrillService:
    with _lock:
        service = getattr(app.state, "drill_service", None)
        if service is None:
            clock = getattr(app.state, "clock", time.time)
            service = build_drill_service(app.state.settings, clock)
            app.state.drill_service = service
    return service


def drill_service_dep(request: Request) -> DrillService:
    return drill_service_for_app(request.app)


DrillServiceDep = Annotated[DrillService, Depends(drill_service_dep)]
