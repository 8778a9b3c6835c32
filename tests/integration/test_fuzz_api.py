"""Schemathesis over every operation of the app's own OpenAPI schema, in local mode and with a
real user's key, with valid and invalid input: the API never answers 5xx and every response body
conforms to the documented schema, on SQLite and on Postgres (with a key).

Bounded and derandomized (15 examples per operation, mode and caller; 8 on Postgres) so CI is
stable.
An operation with a `session_id` is also tried on a real session, so generated bodies reach the
interview logic rather than stopping at 404. (schemathesis' own pytest plugin needs a private
pytest attribute that pytest 9 removed, hence `as_strategy` under a plain `@given`.)
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from api.main import create_app, prepare
from core.settings import Settings
from tests.support.users import keyed_user

FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# Fewer on Postgres, where the same operations run a second time: enough to send each one's
# inputs through Postgres' types and constraints, for about half the CI time.
POSTGRES_EXAMPLES = 8
# No 5xx, and every documented response body matches its schema (api/views.py).
CHECKS = [not_a_server_error, response_schema_conformance]


def _operations() -> list[tuple[str, str]]:
    """Every (METHOD, path) in the schema; building an app touches no disk."""
    spec = create_app(Settings(data_dir=Path(tempfile.gettempdir()))).openapi()
    return [(m.upper(), path) for path, item in spec["paths"].items() for m in item]


OPERATIONS = _operations()


def _app(app_settings: Settings, clock, **overrides) -> FastAPI:  # type: ignore[no-untyped-def]
    # A generous limit: the fuzzer is looking for 5xx, not exercising the 429 path.
    s = app_settings.model_copy(update={"rate_limit": "100000/minute", **overrides})
    prepare(s)
    app = create_app(s, prepare_on_start=False)
    app.state.clock = clock
    return app


# Which caller on which database. Postgres gets the keyed caller only (the mode an exposed
# server runs in, users and keys included): the local caller differs only in who it resolves to,
# and the CI budget is finite.
CALLERS = pytest.mark.parametrize(
    ("target", "database_url"),
    [("local", "sqlite"), ("keyed", "sqlite"), ("keyed", "postgres")],
    ids=["local-sqlite", "keyed-sqlite", "keyed-postgres"],
    indirect=True,
)


Target = tuple[FastAPI, dict[str, str], str]


@pytest.fixture
def target(request, backend_settings: Settings, clock) -> Iterator[Target]:  # type: ignore[no-untyped-def]
    """The app, the headers its caller sends, and one real session of that caller."""
    if request.param == "local":
        app, headers = _app(backend_settings, clock), {}
    else:
        app = _app(backend_settings, clock, auth="required")
        headers = keyed_user(backend_settings, "fuzzer").bearer
    with TestClient(app) as client:  # started: its lifespan builds the app's container
        res = client.post("/api/sessions", json={"mode": "coach"}, headers=headers)
        assert res.status_code == 201, res.text
        yield app, headers, res.json()["id"]


@CALLERS
def test_the_fuzzed_operations_are_all_of_the_served_schema(target) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", target[0])
    served = {(r.ok().method.upper(), r.ok().path) for r in schema.get_all_operations()}
    assert served == set(OPERATIONS) and len(OPERATIONS) >= 15


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
@CALLERS
def test_no_input_gets_a_server_error(target, method: str, path: str, mode) -> None:  # type: ignore[no-untyped-def]
    app, headers, session_id = target
    operation = schemathesis.openapi.from_asgi("/openapi.json", app)[path][method]
    on_postgres = app.state.settings.effective_database_url.startswith("postgresql")

    @settings(FUZZ, max_examples=POSTGRES_EXAMPLES if on_postgres else FUZZ.max_examples)
    @given(case=operation.as_strategy(generation_mode=mode))
    def never_5xx(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate(headers=headers, checks=CHECKS)
        if "session_id" in (case.path_parameters or {}):
            case.path_parameters = {**case.path_parameters, "session_id": session_id}
            case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        never_5xx()
    except Unsatisfiable:
        # No invalid input exists when every input is an unconstrained string (a path id) or
        # there is none; the positive run covers those operations.
        if mode is not GenerationMode.NEGATIVE:
            raise
