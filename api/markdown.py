"""Markdown to safe HTML for the web UI: interviewer messages, study notes and feedback.

markdown-it-py (CommonMark + tables, raw HTML off) renders; nh3 then keeps only an allowlist,
so untrusted text can never bring scripts, event handlers or `javascript:` links to the page.
"""

from __future__ import annotations

import re
from html import escape

import nh3
from markdown_it import MarkdownIt

MAX_MARKDOWN_CHARS = 50_000
HEADING_ID_PREFIX = "sec-"
DIAGRAM_LANGS = frozenset({"mermaid", "diagram", "ascii", "text", "txt", "plantuml", "dot"})

_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "kbd", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "sub", "sup",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "pre": {"aria-label"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
_CLASSES = {"pre": {"code", "diagram"}}
_SCHEMES = {"http", "https", "mailto"}


def slugify(text: str) -> str:
    """A heading's anchor: lower-case words joined by dashes (the study page links to it)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _fence(self, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    """Code and text diagrams stay preformatted; a diagram is labelled as one."""
    token = tokens[idx]
    lang = token.info.strip().split(" ")[0].lower()
    code = escape(token.content)
    if lang in DIAGRAM_LANGS:
        label = escape(f"Diagram ({lang})" if lang not in {"text", "txt"} else "Text diagram")
        return f'<pre class="diagram" aria-label="{label}"><code>{code}</code></pre>\n'
    return f'<pre class="code"><code>{code}</code></pre>\n'


def _heading_ids(state) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, int] = {}
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or i + 1 >= len(tokens):
            continue
        slug = slugify(tokens[i + 1].content)
        seen[slug] = seen.get(slug, 0) + 1
        token.attrSet("id", slug if seen[slug] == 1 else f"{slug}-{seen[slug]}")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.add_render_rule("fence", _fence)
    md.core.ruler.push("heading_ids", _heading_ids)
    return md


_MD = _parser()


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        allowed_classes=_CLASSES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
        id_prefix=HEADING_ID_PREFIX,
    )


def render(md: str) -> str:
    """Markdown to sanitised HTML; fenced code and diagrams come out as `<pre><code>`."""
    return sanitise(_MD.render(md))
