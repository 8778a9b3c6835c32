"""Drills in a real Chromium: finish an interview, the Drills page shows the cards it made,
answering one shows its grade (points made and missed) and next due date; History plots."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ANSWERS = [
    "Functional: create a short link, redirect, custom aliases, expiry. Non-functional: "
    "100M new links a month, reads 100x writes, p99 redirect under 50 ms, 99.99% available.",
    "POST /links {url, alias?} returns the code; GET /{code} answers 302. Table links("
    "code PK, url, owner, created_at, expires_at) in a key-value store keyed by code.",
]


def test_finish_then_drill_a_card_then_history(open_page, server, screenshot) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server, timeout=60) as http:
        sid = http.post("/api/sessions", json={"question_id": "url-shortener"}).json()["id"]
        for text in ANSWERS:
            assert http.post(f"/api/sessions/{sid}/messages", json={"content": text}).is_success
    page = open_page()
    page.goto(f"/interview.html?id={sid}")
    page.click("#finish-btn")
    page.click("#finish-confirm-btn")
    page.wait_for_url(re.compile(r"/scorecard\.html\?id=\w+"), timeout=120_000)  # grading
    expect(page.locator("body[data-ready='true']")).to_have_count(1, timeout=60_000)

    page.click("nav >> text=Drills")
    page.wait_for_url("**/drills.html")
    expect(page.locator("body[data-ready='true']")).to_have_count(1, timeout=30_000)
    with httpx.Client(base_url=server, timeout=60) as http:
        due = http.get("/api/drills/due").json()
    assert due["due_today"] >= 3
    expect(page.locator("#due-summary")).to_contain_text(f"{due['due_today']} due today")
    prompt = page.locator("#prompt").text_content() or ""
    assert prompt.startswith("You are designing")
    page.fill("#drill-answer", "I don't know this one.")
    page.click("#grade-btn")
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#rating")).to_have_text("again")
    expect(page.locator("#point-list li[data-status='missed']").first).to_be_visible()
    next_due = page.locator("#next-due").get_attribute("datetime")
    assert next_due and datetime.fromisoformat(next_due) > datetime.fromisoformat(due["now"])
    expect(page.locator("#notes a").first).to_have_attribute("href", re.compile(r"study\.html"))
    expect(page.locator("#due-summary")).to_contain_text(f"{due['due_today'] - 1} due today")
    screenshot(page, "drills")
    # The next card: "I knew it" schedules it without grading.
    page.click("#next-btn")
    page.click("#knew-btn")
    expect(page.locator("#rating")).to_have_text("good")
    expect(page.locator("#point-list")).to_have_count(0)

    page.click("nav >> text=History")
    page.wait_for_url("**/history.html")
    expect(page.locator("body[data-ready='true']")).to_have_count(1, timeout=30_000)
    expect(page.locator("#trends figure svg").first).to_be_visible()

    # Replay the session turn by turn from its scorecard.
    page.goto(f"/scorecard.html?id={sid}")
    page.click("#replay-link")
    expect(page.locator("body[data-ready='true']")).to_have_count(1, timeout=30_000)
    expect(page.locator("#transcript li")).to_have_count(1)
    expect(page.locator("#transcript .msg").first).to_have_class(re.compile("msg-interviewer"))
    page.click("#next-btn")
    expect(page.locator("#transcript li")).to_have_count(2)
    expect(page.locator("#transcript .msg-candidate .body")).to_have_text(ANSWERS[0])
    page.click("#prev-btn")
    expect(page.locator("#transcript li")).to_have_count(1)
    expect(page.locator("#export-json")).to_have_attribute("href", f"/api/sessions/{sid}/export")

    # The start page recommends the next mock question from the weakest areas.
    page.click("nav >> text=Start")
    expect(page.locator("#recommended-link")).to_have_attribute(
        "href", re.compile(r"question=(?!url-shortener)[a-z0-9-]+")
    )
