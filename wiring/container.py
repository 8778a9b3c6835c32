"""One process's long-lived parts, built from one `Settings` and shared by everything after.

The app builds a container in its lifespan, each CLI command builds one, the eval runner builds
one per run; nothing else keeps a built part at module level. Each part is built at first use
(so `tradeoff grade` never opens the vector store), once, under a lock of its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from core.settings import Settings

if TYPE_CHECKING:
    import numpy as np
    from sqlalchemy.engine import Engine

    from agents.drills.service import DrillService
    from agents.engines import Evaluator
    from agents.evaluator import OfflineEvaluator
    from agents.interviewer.service import InterviewService
    from agents.models import MiniLMEmbedder
    from content.loader import Bank
    from retrieval.ingest import IngestReport, Progress
    from retrieval.search import Retriever

log = logging.getLogger("tradeoff.wiring")
Clock = Callable[[], float]
T = TypeVar("T")


def load_embedder(settings: Settings) -> MiniLMEmbedder:
    """The embedder a container builds (tests hand every container the run's one embedder)."""
    from agents.models import MiniLMEmbedder

    return MiniLMEmbedder(settings=settings)


class Container:
    """Settings, database, bank, embedder, retriever, evaluators and the interview service."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = time.time,
        embedder: MiniLMEmbedder | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._parts: dict[str, Any] = {} if embedder is None else {"embedder": embedder}
        self._building: dict[str, threading.Lock] = {}  # one lock per part, made at first use
        self._lock = threading.Lock()  # guards `_building`

    def _part(self, name: str, build: Callable[[], T]) -> T:
        """The part `name`, built by `build` at its first use. A lock per part: a slow build
        (the embedder, seconds) holds up only the callers that need that part."""
        if name not in self._parts:
            with self._lock:
                lock = self._building.setdefault(name, threading.Lock())
            with lock:
                if name not in self._parts:
                    self._parts[name] = build()
        part: T = self._parts[name]
        return part

    def built(self) -> list[str]:
        """The parts built so far, in the order their builds finished (tests, diagnostics)."""
        return list(self._parts)

    # -- parts ---------------------------------------------------------------------------
    @property
    def db(self) -> Engine:
        """The database engine (core/db.py keeps one connection pool per URL per process)."""
        from core.db import engine_for

        return self._part("db", lambda: engine_for(self.settings))

    @property
    def bank(self) -> Bank:
        from content.loader import bundled_bank

        return self._part("bank", bundled_bank)

    @property
    def embedder(self) -> MiniLMEmbedder:
        return self._part("embedder", lambda: load_embedder(self.settings))

    @property
    def deferred_embedder(self) -> DeferredEmbedder:
        """Stands in for the embedder and loads it only when something needs embedding."""
        return DeferredEmbedder(lambda: self.embedder)

    @property
    def retriever(self) -> Retriever:
        from retrieval.search import Retriever

        return self._part("retriever", lambda: Retriever(self.settings, self.embedder))

    @property
    def offline_evaluator(self) -> OfflineEvaluator:
        from agents.engines import build_offline_evaluator

        return self._part(
            "offline_evaluator", lambda: build_offline_evaluator(self.embedder, self.bank)
        )

    @property
    def evaluator(self) -> Evaluator:
        """The configured grading engine (`TRADEOFF_LLM`); the offline one backs an LLM judge."""
        from agents.engines import build_evaluator

        return self._part(
            "evaluator", lambda: build_evaluator(self.settings, self.offline_evaluator)
        )

    @property
    def interview_service(self) -> InterviewService:
        from wiring.interview import build_interview_service

        return self._part("interview_service", lambda: build_interview_service(self))

    @property
    def drill_service(self) -> DrillService:
        from wiring.drills import build_drill_service

        return self._part("drill_service", lambda: build_drill_service(self))

    # -- chores --------------------------------------------------------------------------
    def index_notes(self, progress: Progress | None = None) -> IngestReport:
        """Brings the notes index up to date; loads the embedder only if a note changed."""
        from retrieval.ingest import ensure_notes_indexed

        return ensure_notes_indexed(self.settings, self.deferred_embedder, progress)

    def prepare(self, *, index_notes: bool = True) -> None:
        """Everything a server needs before it answers: dirs, schema, the notes index."""
        from core.db import upgrade

        self.settings.ensure_dirs()
        upgrade(self.settings.effective_database_url)
        if index_notes:
            report = self.index_notes(progress=_indexing_progress())
            log.info("notes indexed", extra={"report": str(report)})


class DeferredEmbedder:
    """The retrieval layer's `Embedder`, loading the real one at the first encode: indexing
    notes that are indexed already then costs no model load."""

    def __init__(self, load: Callable[[], MiniLMEmbedder]) -> None:
        self._load = load

    @staticmethod
    def name() -> str:
        from agents.models import MiniLMEmbedder

        return MiniLMEmbedder.name()

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._load().encode(texts)

    def encode_uncached(self, texts: list[str]) -> np.ndarray:
        return self._load().encode_uncached(texts)


def _indexing_progress() -> Callable[[int, int], None]:
    """Logs the first indexing of the notes (tens of seconds) about every tenth of the way."""
    shown = [-1]

    def report(done: int, total: int) -> None:
        step = done * 10 // max(total, 1)
        if step > shown[0]:
            shown[0] = step
            log.info(f"indexing the study notes: {done}/{total} chunks embedded")

    return report
