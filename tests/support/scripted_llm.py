"""Scripted model text for the LLM-engine tests: what a reasonable model would say.

The interviewer reply restates the planner's move (found in the system prompt); the grader reply
marks an item covered when one of its signal phrases is in the candidate's text, quoting the
sentence. Only the model's *text* is scripted; everything else runs for real over HTTP.
"""

from __future__ import annotations

import json
import re
from typing import Any

from content.loader import bundled_bank

_MOVE = re.compile(r"ending with exactly ONE question.*?:\n(.*?)\n\nBackground", re.S)
_CANDIDATE = re.compile(r"<<<CANDIDATE>>>\n(.*?)\n<<<END CANDIDATE>>>", re.S)
_ITEM_LINE = re.compile(r"^([a-z0-9-]+) \| ", re.M)


def _messages(body: dict[str, Any]) -> tuple[str, str]:
    system = next((m["content"] for m in body["messages"] if m["role"] == "system"), "")
    user = next((m["content"] for m in body["messages"] if m["role"] == "user"), "")
    return system, user


def interviewer_text(body: dict[str, Any]) -> str:
    system, _ = _messages(body)
    m = _MOVE.search(system)
    return m.group(1).strip() if m else "Tell me more about your design?"


def grader_json(body: dict[str, Any], hallucinate: bool = False) -> str:
    _, user = _messages(body)
    candidate = (_CANDIDATE.search(user) or re.search(r"()", "")).group(1) or ""  # type: ignore[union-attr]
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", candidate) if s.strip()]
    signals = {i.id: i.signals for q in bundled_bank().questions.values() for i in q.rubric}
    items = []
    for item_id in _ITEM_LINE.findall(user):
        hits = [
            s
            for s in sentences
            if any(sig.lower() in s.lower() for sig in signals.get(item_id, []))
        ]
        if hallucinate and hits:
            items.append(
                {
                    "id": item_id,
                    "status": "covered",
                    "evidence": ["we use a quantum ledger on the moon"],
                }
            )
        elif hits:
            items.append({"id": item_id, "status": "covered", "evidence": hits[:1]})
        else:
            items.append({"id": item_id, "status": "missing", "evidence": []})
    return json.dumps({"items": items})


def responder(body: dict[str, Any]) -> str:
    """One responder for both agents: structured-output requests are the grader's."""
    if body.get("response_format"):
        return grader_json(body)
    return interviewer_text(body)
