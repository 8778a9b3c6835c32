"""The test run's one embedder and one offline evaluator (loading the model is the slow part).

Every container a test builds gets this embedder (tests/conftest.py), so apps started by tests
share it as the processes of a real deployment share theirs."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from agents.engines import build_offline_evaluator
from agents.evaluator import OfflineEvaluator
from agents.models import MiniLMEmbedder
from content.loader import bundled_bank
from core.settings import Settings


@lru_cache(maxsize=1)
def shared_embedder() -> MiniLMEmbedder:
    """Its vector cache lives in a temp dir of its own, removed when the run ends."""
    root = Path(tempfile.mkdtemp(prefix="tradeoff-test-embedder-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return MiniLMEmbedder(settings=Settings(data_dir=root))


@lru_cache(maxsize=1)
def offline_evaluator() -> OfflineEvaluator:
    return build_offline_evaluator(shared_embedder(), bundled_bank())
