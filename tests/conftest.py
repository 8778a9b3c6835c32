"""Shared fixtures: an isolated data dir per test, one embedder per test run."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Tests never talk to a real provider or a developer's data, whatever the shell has set; only
# the test switches (TRADEOFF_TEST_*, TRADEOFF_UPDATE_SCREENSHOTS) pass through.
os.environ.pop("OPENAI_API_KEY", None)
for _name in list(os.environ):
    _passes = _name.startswith(("TRADEOFF_TEST_", "TRADEOFF_UPDATE_"))
    if _name.startswith("TRADEOFF_") and not _passes:
        os.environ.pop(_name)
# The ONNX export of MiniLM is made once per machine, not once per test data dir; subprocesses
# (the CLI and server tests) inherit this.
os.environ["TRADEOFF_MODEL_CACHE"] = os.path.join(tempfile.gettempdir(), "tradeoff-test-models")

from core.settings import Settings, get_settings  # noqa: E402
from tests.support.fixtures import openai_server  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[1]
# The real-model tier needs a built llama.cpp and minutes of model time: only `make test-llm`
# (which sets TRADEOFF_TEST_LLM=1) collects it.
collect_ignore = [] if os.environ.get("TRADEOFF_TEST_LLM") == "1" else ["llm"]
PRIMER = REPO.parent / "shared" / "corpora" / "system-design-primer"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing every write at a fresh temp dir (also for code that calls get_settings)."""
    monkeypatch.setenv("TRADEOFF_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TRADEOFF_LLM", "offline")
    get_settings.cache_clear()
    s = get_settings()
    s.ensure_dirs()
    yield s
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def embedder():
    from tests.support.engines import shared_embedder

    return shared_embedder()


@pytest.fixture(autouse=True)
def _containers_share_the_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every container a test builds gets the run's one embedder, loaded at first use."""
    import wiring.container
    from tests.support.engines import shared_embedder

    monkeypatch.setattr(wiring.container, "load_embedder", lambda _settings: shared_embedder())


@pytest.fixture(scope="session")
def primer_dir() -> Path:
    if not PRIMER.is_dir():
        pytest.fail(f"external corpus missing at {PRIMER} (shared/ must sit beside the repo)")
    return PRIMER


BACKENDS_SEEN: dict[str, dict[str, int]] = {}


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str | None]:
    from tests.support.databases import postgres_base_url, throwaway_postgres

    base = postgres_base_url()
    if base is None:
        yield None
        return
    with throwaway_postgres(base) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, _postgres_url: str | None) -> str:
    """A migrated database of each kind; Postgres runs when TRADEOFF_TEST_DATABASE_URL is set."""
    from core.db import upgrade

    if request.param == "postgres":
        if _postgres_url is None:
            pytest.skip("TRADEOFF_TEST_DATABASE_URL is not set (CI sets it)")
        url = _postgres_url
    else:
        url = f"sqlite:///{tmp_path / 'test.db'}"
    upgrade(url)
    request.node.user_properties.append(("backend", request.param))
    return url


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == "backend":
            counts = BACKENDS_SEEN.setdefault(value, {})
            counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if BACKENDS_SEEN:
        parts = [
            f"{name}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            for name, counts in sorted(BACKENDS_SEEN.items())
        ]
        terminalreporter.write_line("persistence backends exercised -> " + "; ".join(parts))


@pytest.fixture(scope="session")
def _indexed_notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled notes indexed once per test run; tests get a copy of this Chroma dir."""
    from retrieval.ingest import ensure_notes_indexed
    from tests.support.engines import shared_embedder

    root = tmp_path_factory.mktemp("notes-index")
    ensure_notes_indexed(Settings(data_dir=root), shared_embedder())
    return root / "chroma"


@pytest.fixture
def app_settings(settings: Settings, _indexed_notes: Path) -> Settings:
    """Settings whose data dir already holds the indexed notes (an app starts in moments)."""
    import shutil

    shutil.rmtree(settings.chroma_dir, ignore_errors=True)
    shutil.copytree(_indexed_notes, settings.chroma_dir)
    return settings


@pytest.fixture
def clock():
    from evals.clock import ManualClock

    return ManualClock()


def _app_client(settings: Settings, clock):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from api.main import create_app

    app = create_app(settings)
    app.state.clock = clock
    return TestClient(app)


@pytest.fixture
def client(app_settings: Settings, clock):
    with _app_client(app_settings, clock) as c:
        yield c


@pytest.fixture
def backend_settings(app_settings: Settings, database_url: str) -> Settings:
    """The app's settings on each real database: a SQLite file, and the throwaway Postgres.

    The Postgres database is shared by the whole test session: tests on it make unique users
    (tests/support/users.py) and count only their own rows."""
    return app_settings.model_copy(update={"database_url": database_url})


@pytest.fixture
def backend_client(backend_settings: Settings, clock):
    """The app on each real database (see `backend_settings`)."""
    with _app_client(backend_settings, clock) as c:
        yield c


@pytest.fixture
def served(backend_settings: Settings, clock) -> Iterator[tuple[str, Settings]]:  # type: ignore[no-untyped-def]
    """The app on a loopback port (a real uvicorn), rate limit lifted: (base URL, settings)."""
    from api.main import create_app
    from tests.support.live import live_server

    settings = backend_settings.model_copy(update={"rate_limit": "10000/minute"})
    app = create_app(settings)
    app.state.clock = clock
    with live_server(app) as url:
        yield url, settings
