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
  API --> X["<img src=x onerror=window.__xss=1>"]
"""
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
    preview = page.locator("#diagram-preview svg")
    expect(preview).to_be_visible(timeout=20_000)
    expect(preview).to_contain_text("Shortener service")
    expect(page.locator("#diagram-findings li[data-rule='single-point-of-failure']")).to_contain_text(
        "Postgres is the only node"
    )
    assert page.evaluate("window.__xss") is None  # a label is text, never HTML
    expect(page.locator("#diagram-preview img")).to_have_count(0)

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
    expect(page.locator("#diagram-preview svg")).to_contain_text("Ledger DB", timeout=20_000)
    expect(page.locator("#diagram-findings li[data-rule='sync-third-party']")).to_have_count(1)

    with httpx.Client(base_url=server, timeout=120) as http:
        assert http.post(f"/api/sessions/{sid}/finish").is_success
    page.goto(f"/scorecard.html?id={sid}")
    expect(page.locator("body[data-ready='true']")).to_have_count(1, timeout=60_000)
    card = page.locator("#diagram-card")
    expect(card).to_be_visible()
    expect(card.locator("svg")).to_contain_text("Postgres")
    expect(card.locator("svg .node.finding")).to_have_count(1)  # the lone Postgres, outlined
    expect(card.locator("li[data-rule='single-point-of-failure']")).to_have_count(1)
    screenshot(page, "scorecard-diagram")
