"""The diagram panel in a real Chromium: draw Mermaid, see the preview and the findings, send it,
get a probe naming a finding, import an .excalidraw file, and see the diagram on the scorecard."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.servers import REPO

pytestmark = pytest.mark.e2e
DIAGRAM = """flowchart LR
  C[Browser] --> LB[Load balancer] --> API[Shortener service]
  API -->|cache hot codes| R[(Redis)]
  API --> P[(Postgres)]
"""
HOSTILE = 'flowchart LR\n  A["<img src=x onerror=window.__xss=1>"] --> B[<b>bold</b>]\n'
BLOCKED = "violates the following Content Security Policy directive 'script-src 'self''"
DRAWING = REPO / "evals" / "data" / "diagrams" / "payments.excalidraw"


def _session(server: str) -> str:
    with httpx.Client(base_url=server, timeout=60) as http:
        r = http.post("/api/sessions", json={"question_id": "url-shortener", "mode": "mock"})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])


def test_draw_send_probe_import_and_scorecard(open_page, server, screenshot) -> None:
    sid = _session(server)
    page = open_page()
    page.goto(f"/interview.html?id={sid}")
    expect(page.locator("#room")).to_be_visible()
    expect(page.locator("script[src*='cdn'], link[href*='cdn']")).to_have_count(0)

    page.fill("#diagram-source", DIAGRAM)
    preview = page.frame_locator("#diagram-preview iframe").locator("#out > svg")
    expect(preview).to_be_visible(timeout=20_000)
    expect(preview).to_contain_text("Load balancer")
    expect(preview).to_contain_text("Postgres")
    expect(
        page.locator("#diagram-findings li[data-rule='single-point-of-failure']")
    ).to_contain_text("Postgres is the only node")

    page.click("#diagram-attach")
    expect(page.locator("#diagram-attached")).to_be_visible()
    page.fill("#answer", "Here is the first sketch of the read path.")
    before = page.locator("#transcript .msg-interviewer:not([data-streaming])").count()
    page.click("#send-btn")
    replies = page.locator("#transcript .msg-interviewer:not([data-streaming])")
    expect(replies).to_have_count(before + 1, timeout=60_000)
    expect(replies.last).to_contain_text("one Postgres node and no replica")
    expect(page.locator(".msg-candidate .body").last).to_contain_text("```mermaid")
    expect(page.locator("#diagram-attached")).to_be_hidden()
    screenshot(page, "interview-diagram")

    # An Excalidraw drawing imports as Mermaid source, previewed like a typed one.
    page.set_input_files("#diagram-import", str(DRAWING))
    expect(page.locator("#diagram-source")).to_have_value(re.compile(r"Stripe"))
    expect(page.frame_locator("#diagram-preview iframe").locator("#out > svg")).to_contain_text(
        "Ledger DB", timeout=20_000
    )
    expect(page.locator("#diagram-findings li[data-rule='sync-third-party']")).to_have_count(1)

    with httpx.Client(base_url=server, timeout=120) as http:
        assert http.post(f"/api/sessions/{sid}/finish").is_success
    page.goto(f"/scorecard.html?id={sid}")
    expect(page.locator("body[data-ready='true']")).to_have_count(1, timeout=60_000)
    card = page.locator("#diagram-card")
    expect(card).to_be_visible()
    drawn = card.frame_locator("iframe").locator("#out > svg")
    expect(drawn).to_contain_text("Postgres")
    expect(drawn.locator(".node.finding")).to_have_count(1)  # the lone Postgres, outlined
    expect(card.locator("li[data-rule='single-point-of-failure']")).to_have_count(1)
    screenshot(page, "scorecard-diagram")


def test_a_label_is_drawn_as_text_never_run(browser, server) -> None:
    """A hostile label stays text; if mermaid ever lets markup through, the frame's policy
    blocks its handler and the frame has no rights on the page (opaque origin)."""
    context = browser.new_context(base_url=server)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    try:
        page.goto(f"/interview.html?id={_session(server)}")
        page.fill("#diagram-source", HOSTILE)
        drawn = page.frame_locator("#diagram-preview iframe").locator("#out > svg")
        expect(drawn).to_contain_text("<img", timeout=20_000)  # shown as the text it is
        expect(drawn.locator("img, b, foreignObject")).to_have_count(0)
        frame = next(f for f in page.frames if f.url.endswith("/diagram-frame.html"))
        assert frame.evaluate("window.__xss") is None and page.evaluate("window.__xss") is None
        assert frame.evaluate("origin") == "null"  # sandboxed: no access to the page or its data
        assert [e for e in errors if BLOCKED not in e] == []
    finally:
        context.close()
