"""The drill service for the routes: the app's container builds it once (wiring/drills.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from agents.drills.service import DrillService
from api.deps import container_of


def drill_service_dep(request: Request) -> DrillService:
    return container_of(request.app).drill_service


DrillServiceDep = Annotated[DrillService, Depends(drill_service_dep)]
