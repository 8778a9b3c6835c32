"""api.markdown: Markdown becomes HTML that can carry no script, handler or javascript: link."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.markdown import MAX_MARKDOWN_CHARS, render
from api.routes import render as render_routes


def test_script_tags_never_survive() -> None:
    html = render("Hi <script>alert(1)</script>\n\n<script>\nalert(2)\n</script>")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html  # raw HTML is shown as text, not run


@pytest.mark.parametrize(
    "md",
    [
        '<img src=x onerror="alert(1)">',
        '<a href="https://example.com" onclick="alert(1)">x</a>',
        '<div onmouseover="alert(1)">hover</div>',
    ],
)
def test_event_handler_attributes_are_stripped(md: str) -> None:
    html = render(md)
    assert "<img" not in html and "<a " not in html and "<div" not in html
    assert html.startswith("<p>&lt;")  # the raw HTML is shown as text, never as elements


def test_sanitiser_drops_on_attributes_even_from_rendered_html() -> None:
    from api.markdown import sanitise

    html = sanitise('<p onclick="x()">a</p><a href="https://a.example" onmouseover="y()">b</a>')
    assert "onclick" not in html and "onmouseover" not in html
    assert 'href="https://a.example"' in html


@pytest.mark.parametrize(
    "md",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
    ],
)
def test_javascript_and_data_links_are_not_links(md: str) -> None:
    html = render(md)
    assert "href" not in html, html


def test_sanitiser_drops_javascript_hrefs() -> None:
    from api.markdown import sanitise

    assert "javascript" not in sanitise('<a href="javascript:alert(1)">x</a>')


def test_safe_markdown_keeps_its_shape() -> None:
    html = render(
        "# Title\n\nSome **bold** and a [link](https://example.com).\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = '<b>'\n```\n\n"
        "```mermaid\ngraph TD; A-->B\n```\n"
    )
    assert '<h1 id="sec-title">Title</h1>' in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer">link</a>' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<pre class=\"code\"><code>x = '&lt;b&gt;'" in html
    assert '<pre class="diagram" aria-label="Diagram (mermaid)"><code>graph TD; A--&gt;B' in html


def _client(settings) -> TestClient:  # type: ignore[no-untyped-def]
    from core.db import upgrade

    upgrade(settings.effective_database_url)  # the routes need a user, even the local one
    from wiring import Container

    app = FastAPI()
    app.state.settings = settings
    app.state.container = Container(settings)  # the routes' database
    app.include_router(render_routes.router)
    return TestClient(app)


def test_render_route_limits_size_and_renders(settings) -> None:  # type: ignore[no-untyped-def]
    client = _client(settings)
    ok = client.post("/api/render", json={"markdown": "*hi* <script>x</script>"})
    assert ok.status_code == 200
    assert ok.json()["html"] == "<p><em>hi</em> &lt;script&gt;x&lt;/script&gt;</p>\n"
    too_big = client.post("/api/render", json={"markdown": "a" * (MAX_MARKDOWN_CHARS + 1)})
    assert too_big.status_code == 413
    batch = client.post("/api/render/batch", json={"items": ["**a**", "`b`"]})
    assert batch.json()["items"] == ["<p><strong>a</strong></p>\n", "<p><code>b</code></p>\n"]


def test_note_html_has_section_anchors(settings) -> None:  # type: ignore[no-untyped-def]
    client = _client(settings)
    note = client.get("/api/notes/caching/html").json()
    assert note["title"] and 'id="sec-' in note["html"]
    assert client.get("/api/notes/no-such-note/html").status_code == 404
