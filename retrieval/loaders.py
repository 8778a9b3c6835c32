"""Turns Markdown, plain text, PDF and HTML files into titled sections with front-matter metadata.

A loader only reads and structures text; chunking and embedding happen elsewhere.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 5 * 1024 * 1024
HEADING_SEPARATOR = " > "  # between the headings of a section's path
SUFFIXES: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n?", re.S)
_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_HTML_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class LoaderError(ValueError):
    """A file we cannot turn into text: the message says which and why."""


class UnsupportedFileType(LoaderError):
    pass


class EmptyDocument(LoaderError):
    pass


@dataclass(frozen=True)
class Section:
    """One heading's own text (not its sub-sections'), with the path of headings above it."""

    path: tuple[str, ...]
    text: str

    @property
    def level(self) -> int:
        return len(self.path)


@dataclass
class LoadedDocument:
    source: str
    title: str
    sections: list[Section]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return str(self.meta.get("id") or self.source)

    @property
    def topics(self) -> list[str]:
        topics = self.meta.get("topics") or []
        if isinstance(topics, str):
            topics = [topics]
        return [str(t) for t in topics]


def section_key(doc: LoadedDocument, path: tuple[str, ...]) -> str:
    """A section's heading path below the document's title, when the document has one top
    heading ("Origin protection > Origin shield"); its whole path otherwise. How a document's
    search terms name its sections (content/search_terms)."""
    below_title = len({s.path[0] for s in doc.sections}) == 1
    return HEADING_SEPARATOR.join(path[1:] if below_title else path)


def kind_of(name: str) -> str:
    """The loader kind for a file name; raises UnsupportedFileType for anything else."""
    kind = SUFFIXES.get(Path(name).suffix.lower())
    if kind is None:
        allowed = ", ".join(sorted(SUFFIXES))
        raise UnsupportedFileType(f"{name}: unsupported file type (use {allowed})")
    return kind


def load_file(path: Path) -> LoadedDocument:
    kind = kind_of(path.name)
    if not path.is_file():
        raise LoaderError(f"{path}: no such file")
    return load_bytes(path.read_bytes(), source=str(path.resolve()), kind=kind)


def load_bytes(data: bytes, *, source: str, kind: str | None = None) -> LoadedDocument:
    """Parses `data` as the kind its `source` name implies; LoaderError when it has no text."""
    kind = kind or kind_of(source)
    stem = Path(source).stem
    try:
        if kind == "pdf":
            doc = _load_pdf(data, source, stem)
        elif kind == "html":
            doc = _load_html(_decode(data, source), source, stem)
        elif kind == "markdown":
            doc = _load_markdown(_decode(data, source), source, stem)
        else:
            doc = _load_text(_decode(data, source), source, stem)
    except LoaderError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is one clear error
        raise LoaderError(f"{source}: cannot parse {kind}: {type(exc).__name__}: {exc}") from exc
    doc.sections = [s for s in doc.sections if s.text.strip()]
    if not doc.sections:
        raise EmptyDocument(f"{source}: no text to index")
    return doc


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(f"{source}: not UTF-8 text") from exc


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise LoaderError(f"{source}: bad YAML front matter: {exc}") from exc
    if not isinstance(meta, dict):
        raise LoaderError(f"{source}: front matter must be a mapping")
    return meta, text[m.end() :]


def clean_markdown(text: str) -> str:
    """Drops images, link targets and inline HTML: noise for both BM25 and the embedder."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _load_markdown(text: str, source: str, stem: str) -> LoadedDocument:
    meta, body = split_front_matter(text, source)
    title = str(meta.get("title") or "")
    lines = body.splitlines()
    has_h1 = any(_ATX_HEADING.match(line) and line.startswith("# ") for line in lines)
    # A note without its own H1 hangs its sections under the front-matter title.
    root: tuple[str, ...] = (title,) if title and not has_h1 else ()
    path: tuple[str, ...] = root
    levels: list[int] = []
    sections: list[Section] = []
    buf: list[str] = []
    in_fence = False

    def flush() -> None:
        sections.append(Section(path or (title or stem,), clean_markdown("\n".join(buf))))
        buf.clear()

    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _ATX_HEADING.match(line)
        if not m:
            buf.append(line)
            continue
        flush()
        level, heading = len(m.group(1)), clean_markdown(m.group(2))
        while levels and levels[-1] >= level:
            levels.pop()
        levels.append(level)
        path = root + (*path[len(root) :][: len(levels) - 1], heading)
        if not title:
            title = heading
    flush()
    return LoadedDocument(source, title or stem, sections, meta)


def _load_text(text: str, source: str, stem: str) -> LoadedDocument:
    return LoadedDocument(source, stem, [Section((stem,), text.strip())])


def _load_pdf(data: bytes, source: str, stem: str) -> LoadedDocument:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    info = reader.metadata
    info_title = info.get("/Title") if info else None
    title = str(info_title or stem)
    sections = [
        Section((title, f"Page {i}"), (page.extract_text() or "").strip())
        for i, page in enumerate(reader.pages, start=1)
    ]
    return LoadedDocument(source, title, sections)


def _load_html(text: str, source: str, stem: str) -> LoadedDocument:
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, Tag

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer", "template", "svg"]):
        tag.decompose()
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    body = soup.body or soup
    root: tuple[str, ...] = (page_title,) if page_title and not body.find("h1") else ()
    path: tuple[str, ...] = root
    sections: list[Section] = []
    buf: list[str] = []

    def flush() -> None:
        text = re.sub(r"[ \t\r\f\v]+", " ", " ".join(buf))
        sections.append(Section(path or (stem,), re.sub(r"\s*\n\s*", "\n", text).strip()))
        buf.clear()

    for node in body.descendants:
        if isinstance(node, Tag) and node.name in _HTML_HEADINGS:
            flush()
            parents = path[len(root) :][: int(node.name[1]) - 1]
            path = root + (*parents, node.get_text(" ", strip=True))
        elif (
            type(node) is NavigableString
            and node.parent is not None
            and node.parent.name != "title"
            and node.find_parent(_HTML_HEADINGS) is None
        ):
            buf.append(str(node))
    flush()
    return LoadedDocument(source, page_title or stem, sections)
