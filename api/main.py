"""The FastAPI application factory."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles

from agents.errors import ServiceError
from api import backpressure, mcp_http, security
from api import limits as rate_limits
from api.routes import (
    chat_completions,
    diagrams,
    drills,
    exports,
    grade,
    health,
    questions,
    render,
    search,
    sessions,
)
from api.validation import validation_error_handler
from api.views import complete_openapi
from core import __version__
from core.logging import configure_logging
from core.settings import Settings, get_settings, server_embed_threads
from wiring import Container

log = logging.getLogger("tradeoff.api")
WEB_DIR = Path(__file__).resolve().parents[1] / "web"


def prepare(settings: Settings, *, index_notes: bool = True) -> None:
    """Everything the service needs before it answers: dirs, schema, the notes index."""
    Container(settings).prepare(index_notes=index_notes)


def create_app(
    settings: Settings | None = None,
    *,
    prepare_on_start: bool = True,
    container: Container | None = None,
) -> FastAPI:
    """The app; its lifespan builds its container (or adopts `container`, as the evals do).
    A test sets `app.state.clock` before starting the app to drive the interviews' clock."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Sync routes and SSE bodies run in anyio's thread pool (40 threads by default); a
        # stream holds its thread while the model is slow, so the pool bounds open streams.
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        parts = container or Container(settings, clock=getattr(app.state, "clock", time.time))
        if prepare_on_start:
            parts.prepare()
        app.state.container = parts
        async with mcp.running():
            yield

    app = FastAPI(
        title="Tradeoff",
        version=__version__,
        description="A coach for system-design interviews: interviewer, grader, study search.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    rate_limits.install(app, settings)  # inside the security layers: a 429 gets headers too
    backpressure.install(app, settings)  # outside the limiter: a refused request costs nothing
    security.install(app, settings)
    app.add_exception_handler(ServiceError, sessions.service_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    for router in (
        health.router,
        questions.router,
        search.router,
        grade.router,
        exports.router,
        sessions.router,
        drills.router,
        drills.progress_router,
        render.router,
        diagrams.router,
        chat_completions.router,
    ):
        app.include_router(router)
    mcp = mcp_http.install(app, settings)
    complete_openapi(app)
    if WEB_DIR.joinpath("index.html").exists():
        app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web")
    return app


def app_from_env() -> FastAPI:
    """Entry point for uvicorn workers (`api.main:app_from_env`, factory=True)."""
    settings = get_settings()
    if settings.embed_threads == 0:  # `tradeoff serve` sets it; a bare uvicorn gets the same
        settings = settings.model_copy(update={"embed_threads": server_embed_threads()})
    refusal = security.exposure_refusal(settings)
    if refusal:
        raise RuntimeError(refusal)
    configure_logging(settings.log_level)
    return create_app(settings, prepare_on_start=not os.environ.get("_TRADEOFF_PREPARED"))
