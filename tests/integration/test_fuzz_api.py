"""Schemathesis over every operation of the app's own OpenAPI schema, in local mode and with a
real user's key: whatever the input, the API never answers 5xx.

Bounded and derandomized (15 examples per operation and mode, fixed seed) so CI is stable; an
operation with a `session_id` is also tried on a real session, so generated bodies reach the
interview logic rather than stopping at 404.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlmodel import Session

from api.main import create_app, prepare
from core.db import engine_for
from core.settings import Settings
from core.users import create_user

FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _app(app_settings: Settings, clock, **overrides) -> FastAPI:  # type: ignore[no-untyped-def]
    # A generous limit: the fuzzer is looking for 5xx, not exercising the 429 path.
    s = app_settings.model_copy(update={"rate_limit": "100000/minute", **overrides})
    prepare(s)
    app = create_app(s, prepare_on_start=False)
    app.state.clock = clock
    return app


def _session_id(app: FastAPI, headers: dict[str, str]) -> str:
    res = TestClient(app).post("/api/sessions", json={"mode": "coach"}, headers=headers)
    assert res.status_code == 201, res.text
    return str(res.json()["id"])


@pytest.fixture
def local_app(app_settings: Settings, clock) -> FastAPI:  # type: ignore[no-untyped-def]
    return _app(app_settings, clock)


@pytest.fixture
def keyed_app(app_settings: Settings, clock) -> FastAPI:  # type: ignore[no-untyped-def]
    return _app(app_settings, clock, auth="required")


@pytest.fixture
def bearer(keyed_app: FastAPI) -> dict[str, str]:
    with Session(engine_for(keyed_app.state.settings)) as db:
        return {"Authorization": f"Bearer {create_user(db, name='fuzzer')[1]}"}


@pytest.fixture
def local_schema(local_app: FastAPI):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", local_app)


@pytest.fixture
def keyed_schema(keyed_app: FastAPI):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", keyed_app)


def _never_5xx(case, headers: dict[str, str], session_id: str) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
    if "session_id" in (case.path_parameters or {}):
        case.path_parameters = {**case.path_parameters, "session_id": session_id}
        case.call_and_validate(headers=headers, checks=[not_a_server_error])


local = schemathesis.pytest.from_fixture("local_schema")
keyed = schemathesis.pytest.from_fixture("keyed_schema")


@local.parametrize()
@FUZZ
def test_local_mode_never_answers_5xx(case, local_app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    _never_5xx(case, {}, _session_for(local_app, {}))


@keyed.parametrize()
@FUZZ
def test_a_real_key_never_gets_5xx(case, keyed_app: FastAPI, bearer: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    _never_5xx(case, bearer, _session_for(keyed_app, bearer))


def _session_for(app: FastAPI, headers: dict[str, str]) -> str:
    """One real session per app (the test body runs once per generated example)."""
    sid = getattr(app.state, "fuzz_session_id", None)
    if sid is None:
        sid = app.state.fuzz_session_id = _session_id(app, headers)
    return str(sid)
