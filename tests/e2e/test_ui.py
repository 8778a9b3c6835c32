"""The web UI in a real Chromium: a whole coached interview, the study page, labels, phone width."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}

ANSWERS = [
    "Functional: create a short link, redirect, custom aliases, expiry. Non-functional: "
    "100M new links a month, reads 100x writes, p99 redirect under 50 ms, 99.99% available.",
    "About 40 writes per second and 4k reads per second on average; 5 years of links at "
    "500 bytes each is roughly 3 TB, so one sharded key-value cluster holds it.",
    "POST /links {url, alias?} returns the code; GET /{code} answers 301 or 302. Table links("
    "code PK, url, owner, created_at, expires_at) in a key-value store keyed by code.",
]

# Counts text nodes appended to the live (still streaming) reply and the distinct lengths seen,
# so a test can tell a reply that streamed from one that appeared at once.
STREAM_PROBE = """
window.__stream = { tokens: 0, snapshots: [] };
new MutationObserver((records) => {
  for (const r of records) {
    const live = r.target.closest && r.target.closest('[data-streaming]');
    if (!live) continue;
    for (const n of r.addedNodes) if (n.nodeType === Node.TEXT_NODE) window.__stream.tokens++;
    window.__stream.snapshots.push(live.querySelector('.body').textContent.length);
  }
}).observe(document, { childList: true, subtree: true });
"""


def _interviewer_count(page: Page) -> int:
    return page.locator("#transcript .msg-interviewer:not([data-streaming])").count()


def _answer(page: Page, text: str, *, keyboard: bool = False) -> None:
    before = _interviewer_count(page)
    page.evaluate("window.__stream = { tokens: 0, snapshots: [] }")
    page.fill("#answer", text)
    if keyboard:
        page.press("#answer", "Control+Enter")
    else:
        page.click("#send-btn")
    expect(page.locator("#transcript .msg-interviewer:not([data-streaming])")).to_have_count(
        before + 1, timeout=60_000
    )
    expect(page.locator("[data-streaming]")).to_have_count(0)
    stream = page.evaluate("window.__stream")
    assert stream["tokens"] >= 2, f"the reply did not stream token by token: {stream}"
    assert page.locator(".msg-candidate .body").last.text_content() == text


def _finished_session(server: str, answers: list[str] = ANSWERS) -> str:
    """A graded session made through the API, for the pages that need one."""
    with httpx.Client(base_url=server, timeout=60) as http:
        s = http.post("/api/sessions", json={"question_id": "url-shortener", "mode": "coach"})
        sid = s.json()["id"]
        for text in answers:
            assert http.post(f"/api/sessions/{sid}/messages", json={"content": text}).is_success
        assert http.post(f"/api/sessions/{sid}/finish").is_success
    return sid


def test_a_coached_interview_from_start_to_history(open_page, server, screenshot) -> None:
    _finished_session(server, ANSWERS[:1])  # earlier, weaker sessions give history a trend
    _finished_session(server, ANSWERS[:2])
    page = open_page()
    page.add_init_script(STREAM_PROBE)

    page.goto("/index.html")
    page.fill("#q-search", "url shortener")
    expect(page.locator("#q-list li")).to_have_count(2)  # "Random" and the match
    page.locator("#q-list input[value='url-shortener']").check()
    page.get_by_label("Coach").check()
    page.select_option("#level", "senior")
    screenshot(page, "start")
    page.click("#start-btn")

    page.wait_for_url(re.compile(r"/interview\.html\?id=\w+"))
    expect(page.locator("#room")).to_be_visible()
    expect(page.locator("#stepper li")).to_have_count(7)
    current_step = page.locator("#stepper li[aria-current='step']")
    expect(current_step).to_have_text(re.compile("Requirements"))
    expect(page.locator("#total-timer .value")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(page.locator("#transcript .msg-interviewer")).to_have_count(1)

    _answer(page, ANSWERS[0])
    _answer(page, ANSWERS[1], keyboard=True)

    # A turn that fails shows a clear message and a Retry button that completes it.
    failed = {"done": False}

    def fail_once(route) -> None:  # type: ignore[no-untyped-def]
        if failed["done"]:
            route.continue_()
            return
        failed["done"] = True
        body = "event: token\ndata: Let me \n\nevent: error\ndata: " + json.dumps(
            {"status": 502, "detail": "the model provider timed out"}
        )
        route.fulfill(status=200, content_type="text/event-stream", body=body + "\n\n")

    page.route("**/api/sessions/*/messages", fail_once)
    before = _interviewer_count(page)
    page.fill("#answer", ANSWERS[2])
    page.click("#send-btn")
    alert = page.locator("#turn-error [role=alert]")
    expect(alert).to_contain_text("the model provider timed out")
    expect(page.locator("[data-streaming]")).to_have_count(0)
    page.click("#retry-btn")
    expect(page.locator("#transcript .msg-interviewer:not([data-streaming])")).to_have_count(
        before + 1, timeout=60_000
    )
    expect(page.locator("#turn-error")).to_be_hidden()
    page.unroute("**/api/sessions/*/messages")
    assert page.locator(".msg-candidate").count() == 3

    # Coach mode: hints; the second one cites notes, and a citation expands to its section.
    page.click("#hint-btn")
    expect(page.locator(".msg-hint")).to_have_count(1)
    page.click("#hint-btn")
    expect(page.locator(".msg-hint")).to_have_count(2)
    citation = page.locator(".msg-hint .citations details").first
    expect(citation).to_be_visible()
    citation.locator("summary").click()
    expect(citation.locator(".cited")).to_be_visible()
    expect(citation.locator("a")).to_have_attribute("href", re.compile(r"/study\.html\?note="))

    # Bad input is explained, never silently dropped or cut: an empty answer, then a paste
    # over the limit (kept whole in the box, with a count and a note).
    page.fill("#answer", "   ")
    page.click("#send-btn")
    expect(page.locator("#composer-note")).to_contain_text("empty message")
    long_paste = "word " * 5_000
    page.fill("#answer", long_paste)
    expect(page.locator("#answer-count")).to_contain_text("25,000 of 20,000")
    page.click("#send-btn")
    expect(page.locator("#composer-note")).to_contain_text("at most 20,000")
    assert len(page.input_value("#answer")) == len(long_paste)
    assert page.locator(".msg-candidate").count() == 3

    # The draft answer survives a reload.
    page.fill("#answer", "A draft about caching the hot links")
    page.reload()
    expect(page.locator("#answer")).to_have_value("A draft about caching the hot links")
    expect(page.locator(".msg-candidate")).to_have_count(3)
    page.locator(".msg-hint .citations summary").first.click()
    screenshot(page, "interview")

    # Finishing mid-interview asks first and says what is still to come; "Keep going" stays.
    page.click("#finish-btn")
    expect(page.locator("#finish-confirm")).to_be_visible()
    expect(page.locator("#finish-confirm-text")).to_contain_text("still to come")
    page.click("#finish-cancel-btn")
    expect(page.locator("#finish-confirm")).to_be_hidden()
    assert "/interview.html" in page.url
    page.click("#finish-btn")
    page.click("#finish-confirm-btn")
    page.wait_for_url(re.compile(r"/scorecard\.html\?id=\w+"))
    expect(page.locator("#card")).to_be_visible()
    expect(page.locator("#chart svg rect.bar")).to_have_count(7)
    # Bars start at 0: a score of 1.0 (the floor) is a quarter of the scale, not an empty bar.
    widths = page.eval_on_selector_all(
        "#chart svg rect.bar", "els => els.map(e => Number(e.getAttribute('width')))"
    )
    assert min(widths) >= 0.24 * max(widths), widths  # scores 1-4: lengths within 4x
    expect(page.locator(".dim")).to_have_count(7)
    expect(page.locator("#overall")).to_contain_text("/ 4")
    expect(page.locator("#verdict .badge")).to_be_visible()
    expect(page.locator("body[data-ready='true']")).to_have_count(1, timeout=60_000)
    screenshot(page, "scorecard")
    session_id = page.url.split("id=")[1]

    page.click("nav >> text=History")
    page.wait_for_url("**/history.html")
    row = page.locator(f"#sessions a[href*='{session_id}']")
    expect(row).to_have_text("Design a URL shortener")
    expect(page.locator("#sessions tbody tr")).to_have_count(3)
    expect(page.locator("body[data-ready='true']")).to_have_count(1, timeout=30_000)
    expect(page.locator("#trends figure")).to_have_count(7)
    expect(page.locator("#weak-list li")).to_have_count(3)
    expect(page.locator("#suggestion a")).to_have_attribute("href", re.compile(r"question="))
    screenshot(page, "history")


def test_study_search_and_read_a_note(open_page, screenshot) -> None:
    page = open_page()
    page.goto("/study.html")
    expect(page.locator("#notes li a").first).to_be_visible()
    page.fill("#search-q", "cache stampede")
    page.press("#search-q", "Enter")
    first = page.locator("#result-list li a").first
    expect(first).to_be_visible()
    snippets = page.locator(".result-snippet").all_inner_texts()
    assert snippets and not any(t.startswith(("- ", "* ", "#")) for t in snippets), snippets
    page.fill("#search-q", "consistent hashing")
    page.press("#search-q", "Enter")
    # The section named for the query comes first, before sections that only mention it.
    expect(page.locator("#result-list li a").first).to_contain_text("Consistent hashing")
    first = page.locator("#result-list li a").first
    first.click()
    expect(page.locator("#note-title")).not_to_have_text("Choose a note")
    expect(page.locator("#note-body h2").first).to_be_visible()
    assert page.evaluate("location.hash").startswith("#sec-")
    # Opened at a cited section, the reader still shows which note it is, and the section is
    # not hidden under the title.
    expect(page.locator("#note-title")).to_be_in_viewport()
    section = page.locator("#note-body .target")
    expect(section).to_be_in_viewport()
    title_box, section_box = page.locator("#note-title").bounding_box(), section.bounding_box()
    assert title_box and section_box
    assert section_box["y"] >= title_box["y"] + title_box["height"] - 1, (title_box, section_box)
    screenshot(page, "study")


def _pages(server: str) -> dict[str, str]:
    sid = _finished_session(server)
    with httpx.Client(base_url=server, timeout=60) as http:
        active = http.post("/api/sessions", json={"mode": "coach"}).json()["id"]
    return {
        "start": "/index.html",
        "interview": f"/interview.html?id={active}",
        "scorecard": f"/scorecard.html?id={sid}",
        "history": "/history.html",
        "study": "/study.html?note=caching",
    }


def test_every_control_is_labelled_and_fits_a_phone(open_page, server, screenshot) -> None:
    page = open_page(PHONE)
    for name, url in _pages(server).items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input, textarea, select')]
                .filter((e) => e.type !== 'hidden')
                .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                               && !e.getAttribute('aria-labelledby'))
                .map((e) => e.outerHTML)"""
        )
        assert not unlabelled, f"{name}: controls without a label: {unlabelled}"
        unnamed = page.evaluate(
            """() => [...document.querySelectorAll('button, a[href]')]
                .filter((e) => !e.textContent.trim() && !e.getAttribute('aria-label'))
                .map((e) => e.outerHTML)"""
        )
        assert not unnamed, f"{name}: buttons or links without text: {unnamed}"
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{name}: horizontal scroll at 390 px ({widths})"
        screenshot(page, f"phone-{name}")  # as the page opens, before the transcript grows
        if name == "interview":
            # Phase names show on a phone too, and the clocks stay in view while scrolling.
            names = page.locator("#stepper .name")
            expect(names.first).to_be_visible()
            assert names.first.bounding_box()["width"] > 10
            broken = page.evaluate(  # "Requirement|s": no phase name breaks inside a word
                """() => [...document.querySelectorAll('#stepper .name')].flatMap((el) => {
                     const node = el.firstChild, out = [], re = /\\S+/g;
                     for (let m; (m = re.exec(node.textContent)); ) {
                       const r = document.createRange();
                       r.setStart(node, m.index);
                       r.setEnd(node, m.index + m[0].length);
                       const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
                       if (tops.size > 1) out.push(m[0]);
                     }
                     return out; })"""
            )
            assert not broken, f"phase names broken inside a word on a phone: {broken}"
            page.evaluate(  # a long transcript
                """() => { const t = document.getElementById('transcript');
                           for (let i = 0; i < 40; i++)
                             t.append(t.firstElementChild.cloneNode(true)); }"""
            )
            assert page.evaluate("document.body.scrollHeight") > 3 * PHONE["height"]
            for at in ("document.body.scrollHeight / 2", "document.body.scrollHeight"):
                page.evaluate(f"window.scrollTo(0, {at})")
                for control in ("#total-timer", "#phase-timer", "#finish-btn"):  # and finishing
                    box = page.locator(control).bounding_box()
                    assert box is not None and 0 <= box["y"] < PHONE["height"], (control, at, box)


def test_keyboard_reaches_the_answer_box_and_shows_focus(open_page, server) -> None:
    page = open_page()
    with httpx.Client(base_url=server, timeout=60) as http:
        sid = http.post("/api/sessions", json={"mode": "mock"}).json()["id"]
    page.goto(f"/interview.html?id={sid}")
    expect(page.locator("#answer")).to_be_focused()
    expect(page.locator("#hint-btn")).to_be_hidden()  # mock mode: no hints
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("document.activeElement.tagName")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused and outline != "none", (focused, outline)
