"""The interview service for the routes: the one the app's container built."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from agents.interviewer.service import InterviewService
from api.deps import ContainerDep


def service_dep(container: ContainerDep) -> InterviewService:
    return container.interview_service


ServiceDep = Annotated[InterviewService, Depends(service_dep)]
