"""One container per app, built in its lifespan: requests share its service, apps do not."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agents.interviewer.service import InterviewService
from api.deps import ContainerDep
from api.interview_deps import service_dep
from api.main import create_app
from core.settings import Settings


def _services_seen(app: FastAPI) -> list[InterviewService]:
    """Records the service each request is handed."""
    seen: list[InterviewService] = []

    def recording(container: ContainerDep) -> InterviewService:
        seen.append(service_dep(container))
        return seen[-1]

    app.dependency_overrides[service_dep] = recording
    return seen


def _two_sessions(app: FastAPI) -> None:
    with TestClient(app) as client:
        for _ in range(2):
            r = client.post("/api/sessions", json={"question_id": "url-shortener"})
            assert r.status_code == 201, r.text


def test_requests_of_one_app_share_its_service_and_two_apps_do_not(
    app_settings: Settings, clock
) -> None:  # type: ignore[no-untyped-def]
    first, second = create_app(app_settings), create_app(app_settings)
    first.state.clock = second.state.clock = clock
    seen_first, seen_second = _services_seen(first), _services_seen(second)
    _two_sessions(first)
    _two_sessions(second)
    assert len(seen_first) == len(seen_second) == 2
    assert seen_first[0] is seen_first[1]
    assert seen_second[0] is seen_second[1]
    assert seen_first[0] is not seen_second[0]
    assert seen_first[0].clock is clock  # the clock the test set before the app started
    assert first.state.container is not second.state.container


def test_an_app_that_has_not_started_says_so(app_settings: Settings) -> None:
    app = create_app(app_settings)
    with pytest.raises(RuntimeError, match="no container"):
        TestClient(app).post("/api/sessions", json={})  # not `with`: the lifespan never ran
