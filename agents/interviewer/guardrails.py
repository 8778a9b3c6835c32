"""Rules every interviewer reply must keep, whoever phrased it."""

from __future__ import annotations

from agents.text import content_words, normalise

LEAK_OVERLAP = 0.6


class GuardRejected(RuntimeError):
    """The model's reply broke a rule; the caller falls back to the offline words."""


def leaks(sentence: str, outline: list[str]) -> bool:
    """Whether a sentence restates a reference-outline point (most of its content words)."""
    words = set(normalise(" ".join(content_words(sentence))).split())
    if len(words) < 4:
        return False
    for point in outline:
        pw = set(normalise(" ".join(content_words(point))).split())
        if pw and len(words & pw) / len(pw) >= LEAK_OVERLAP:
            return True
    return False
