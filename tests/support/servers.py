"""Servers as subprocesses, for the tests and the benchmarks: a free port, a process that logs to
a file, waiting until it answers, and stopping it together with any worker it forked."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_cmd(port: int, app: str = "api.main:app_from_env", *extra: str) -> list[str]:
    """uvicorn serving an app factory from this repo on 127.0.0.1:`port`."""
    host = ["--host", "127.0.0.1", "--port", str(port)]
    return [str(BIN / "python"), "-m", "uvicorn", app, "--factory", *host, *extra]


def chroma_cmd(path: Path, port: int) -> list[str]:
    """A `chroma run` server keeping its data under `path`."""
    host = ["--host", "127.0.0.1", "--port", str(port)]
    return [str(BIN / "chroma"), "run", "--path", str(path), *host]


def children(pid: int) -> list[int]:
    """The processes `pid` forked (uvicorn's workers), from /proc."""
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


class Server:
    """A subprocess serving HTTP on `port`, its output in `log`; `wait_ready` polls until a URL
    answers, and `stop` ends it and anything it forked."""

    def __init__(self, cmd: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = log
        self._log_fh = log.open("wb")
        self.started = time.perf_counter()
        self.ready_s: float | None = None
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=self._log_fh, stderr=subprocess.STDOUT
        )

    def wait_ready(self, path: str = "/api/health", timeout: float = 120.0) -> dict[str, Any]:
        """The JSON `path` answered with 200 and status ok (or any 200 without a status); sets
        `ready_s`, the seconds from start. Raises when the process exits or time runs out."""
        deadline = self.started + timeout
        last = ""
        with httpx.Client(timeout=2.0) as client:
            while time.perf_counter() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}: {self.tail()}")
                try:
                    r = client.get(self.base_url + path)
                    last = f"{r.status_code} {r.text[:300]}"
                    body = r.json() if r.headers.get("content-type", "").startswith("app") else {}
                    if r.status_code == 200 and body.get("status", "ok") == "ok":
                        self.ready_s = time.perf_counter() - self.started
                        return dict(body)
                except (httpx.HTTPError, ValueError) as exc:
                    last = type(exc).__name__
                time.sleep(0.05)
        raise TimeoutError(
            f"{self.base_url}{path} not ready in {timeout:.0f} s (last: {last}): {self.tail()}"
        )

    def tail(self, chars: int = 2000) -> str:
        self._log_fh.flush()
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        forked = children(self.proc.pid)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for pid in forked:  # a worker that outlived its parent
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._log_fh.close()


@contextmanager
def serving(
    cmd: list[str],
    env: dict[str, str],
    port: int,
    log: Path,
    ready_path: str = "/api/health",
    timeout: float = 120.0,
) -> Iterator[Server]:
    """A started, ready server; always stopped."""
    server = Server(cmd, env, port, log)
    try:
        server.wait_ready(ready_path, timeout)
        yield server
    finally:
        server.stop()
