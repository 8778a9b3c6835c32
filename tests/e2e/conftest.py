"""Real-browser fixtures: the real server as a subprocess and Debian's Chromium via Playwright.

One server per test module (its first start indexes the notes); every page records console
errors and page errors, and a test fails when any appeared.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.servers import REPO, app_cmd, free_port, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "test-output" / "screenshots"
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"
SERVER_START_SECONDS = 300
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
UPDATE_FLAG = "TRADEOFF_UPDATE_SCREENSHOTS"


def _update_screenshots_requested() -> bool:
    return os.environ.get(UPDATE_FLAG) == "1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app under uvicorn on a free port, offline engine, its own data dir."""
    port = free_port()
    data = tmp_path_factory.mktemp("e2e-data")
    env = {
        **os.environ,
        "TRADEOFF_DATA_DIR": str(data),
        "TRADEOFF_LLM": "offline",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    with serving(app_cmd(port), env, port, data / "server.log", timeout=SERVER_START_SECONDS) as s:
        yield s.base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def open_page(browser, server: str) -> Iterator[Callable[..., object]]:
    """Opens pages (laptop size unless told) that record console and page errors; the test
    fails at teardown when any page logged one."""
    errors: list[str] = []
    contexts = []

    def make(viewport: dict[str, int] | None = None):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport=viewport or LAPTOP, base_url=server)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                errors.append(f"console {msg.type}: {msg.text} @ {page.url}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc} @ {page.url}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)


@pytest.fixture(scope="session")
def screenshot() -> Callable[[object, str], Path]:
    """Saves a full-page PNG into test-output/screenshots/ (and docs/screenshots/ when
    TRADEOFF_UPDATE_SCREENSHOTS=1)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    update_docs = _update_screenshots_requested()

    def take(page, name: str) -> Path:  # type: ignore[no-untyped-def]
        path = SCREENSHOTS / f"{name}.png"
        # From the top: a full-page capture draws sticky parts where the window was scrolled to.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        if update_docs:
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SCREENSHOTS / path.name)
        return path

    return take
