"""Heading-aware chunking: sections become chunks of a few hundred tokens that keep their path.

A heading whose whole subtree fits in one chunk becomes one chunk under that heading; a larger
one gives its own text (in overlapping windows) and recurses into its sub-headings. So a chunk
never spans two top-level sections, and its heading path names everything it contains.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from retrieval.loaders import HEADING_SEPARATOR, Section

MAX_TOKENS = 200  # MiniLM reads at most 256 word pieces; leave room for the heading line
OVERLAP_TOKENS = 32
_TOKEN = re.compile(r"\w+|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'`*])")


def count_tokens(text: str) -> int:
    """A cheap estimate of word pieces: words and punctuation marks."""
    return len(_TOKEN.findall(text))


@dataclass(frozen=True)
class Chunk:
    path: tuple[str, ...]
    text: str
    index: int
    subtree: bool = False  # holds its section's sub-sections too (the whole subtree fit)

    @property
    def heading(self) -> str:
        return HEADING_SEPARATOR.join(self.path)

    @property
    def embed_text(self) -> str:
        """What the embedder and BM25 see: the heading path gives short chunks their topic."""
        return f"{self.heading}\n{self.text}"

    def content_hash(self, model: str = "") -> str:
        return hashlib.sha256(f"{model}\n{self.embed_text}".encode()).hexdigest()


@dataclass
class _Node:
    path: tuple[str, ...]
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def full_text(self, depth: int = 0) -> str:
        parts = [self.path[-1]] if depth else []
        parts.append(self.text)
        parts.extend(c.full_text(depth + 1) for c in self.children)
        return "\n".join(p for p in parts if p)


def _tree(sections: Iterable[Section]) -> list[_Node]:
    roots: list[_Node] = []
    stack: list[_Node] = []
    for s in sections:
        node = _Node(s.path, s.text.strip())
        while stack and not (
            len(stack[-1].path) < len(s.path) and s.path[: len(stack[-1].path)] == stack[-1].path
        ):
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _units(text: str, max_tokens: int) -> list[str]:
    """Lines, then sentences, then word runs: pieces no longer than `max_tokens`."""
    out: list[str] = []
    for line in text.splitlines():
        for sentence in _SENTENCE_END.split(line):
            if not sentence.strip():
                continue
            if count_tokens(sentence) <= max_tokens:
                out.append(sentence)
                continue
            words = sentence.split()
            step = max(1, max_tokens // 2)
            out.extend(" ".join(words[i : i + step]) for i in range(0, len(words), step))
    return out


def split_windows(
    text: str, max_tokens: int = MAX_TOKENS, overlap: int = OVERLAP_TOKENS
) -> list[str]:
    """Greedy windows of whole units; each window repeats the tail (≤ overlap) of the previous."""
    units = _units(text, max_tokens)
    sizes = [count_tokens(u) for u in units]
    windows: list[str] = []
    start = 0
    while start < len(units):
        end, total = start, 0
        while end < len(units) and (end == start or total + sizes[end] <= max_tokens):
            total += sizes[end]
            end += 1
        windows.append("\n".join(units[start:end]))
        if end >= len(units):
            break
        back, carried = end, 0
        while back - 1 > start and carried + sizes[back - 1] <= overlap:
            back -= 1
            carried += sizes[back]
        start = back
    return windows


def _emit(node: _Node, max_tokens: int, overlap: int) -> list[tuple[tuple[str, ...], str, bool]]:
    whole = node.full_text()
    if count_tokens(whole) <= max_tokens:
        return [(node.path, whole, True)] if whole.strip() else []
    out = [
        (node.path, w, False) for w in split_windows(node.text, max_tokens, overlap) if w.strip()
    ]
    for child in node.children:
        out.extend(_emit(child, max_tokens, overlap))
    return out


def chunk_sections(
    sections: Sequence[Section], max_tokens: int = MAX_TOKENS, overlap: int = OVERLAP_TOKENS
) -> list[Chunk]:
    pieces: list[tuple[tuple[str, ...], str, bool]] = []
    for root in _tree(sections):
        pieces.extend(_emit(root, max_tokens, overlap))
    return [Chunk(path, text, i, subtree=whole) for i, (path, text, whole) in enumerate(pieces)]
