"""How the drill service is assembled: the bank, the configured grader and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from agents.drills.service import DrillService

if TYPE_CHECKING:
    from wiring.container import Container


def datetime_clock(clock: Callable[[], float]) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(clock(), UTC)


def build_drill_service(parts: Container) -> DrillService:
    return DrillService(
        bank=parts.bank,
        evaluator_for=lambda: parts.evaluator,
        clock=datetime_clock(parts.clock),
    )
