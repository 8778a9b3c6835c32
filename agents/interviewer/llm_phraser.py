"""The LLM engine's voice: a chat model phrases the move the planner chose, streamed, with
guardrails. A reply with a second question is cut after the first; a reply that leaks a reference
point in mock mode, or asks nothing, is rejected and the offline words are used instead."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from agents.interviewer.engine import InterviewEngine, OfflinePhraser
from agents.interviewer.guardrails import GuardRejected, leaks
from agents.interviewer.phases import PHASE_NAMES, items_for_phase
from agents.interviewer.phrasing import topic
from agents.interviewer.planner import Plan
from agents.interviewer.state import InterviewState
from agents.llm_calls import call_with_retries
from content.schema import Question
from prompts.loader import load_prompt

FIXED_KINDS = ("opening", "done", "redirect", "off_topic")  # said in our own words, always
_SENTENCE_END = re.compile(r"[.!?](\s|$)")


def _delta_text(chunk: Any) -> str:
    content = getattr(chunk, "content", "")
    if isinstance(content, list):
        return "".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
    return str(content or "")


class LLMPhraser:
    name = "llm"

    def __init__(self, chat: Any, engine: InterviewEngine, retries: int = 2):
        self.chat = chat
        self.engine = engine
        self.retries = retries
        self.system = load_prompt("interviewer_system")

    @property
    def prompt_hashes(self) -> dict[str, str]:
        return {self.system.name: self.system.hash}

    def _messages(
        self, q: Question, st: InterviewState, plan: Plan, mode: str, last_message: str
    ) -> list[tuple[str, str]]:
        uncovered = [topic(i) for i in items_for_phase(q, st.phase) if st.status(i.id) != "covered"]
        snippets = ""
        if self.engine.retriever is not None and plan.kind in ("probe", "item", "scenario"):
            cites = self.engine.retriever.search(plan.question, k=2, corpus="notes", memo=True)
            snippets = "\n".join(f"- {c.heading}: {c.text[:300]}" for c in cites)
        move = plan.text
        system = self.system.render(
            minutes=q.total_minutes,
            level=plan.level,
            title=q.title,
            prompt=q.prompt,
            phase=PHASE_NAMES[st.phase],
            uncovered=", ".join(uncovered) or "none",
            move=move,
            snippets=snippets or "(none)",
            mode_rule=" (this is a mock interview: no hints at all)" if mode == "mock" else "",
        )
        fenced = last_message.replace("<<<", "").replace(">>>", "")
        return [("system", system), ("user", f"<<<CANDIDATE>>>\n{fenced}\n<<<END CANDIDATE>>>")]

    def stream(
        self, q: Question, st: InterviewState, plan: Plan, mode: str, last_message: str = ""
    ) -> Iterator[str]:
        if plan.kind in FIXED_KINDS:
            yield from OfflinePhraser().stream(q, st, plan, mode, last_message)
            return
        messages = self._messages(q, st, plan, mode, last_message)
        chunks = call_with_retries(
            lambda: _started(self.chat.stream(messages)), retries=self.retries
        )
        buffer, said = "", ""
        for chunk in chunks:
            buffer += _delta_text(chunk)
            while (m := _SENTENCE_END.search(buffer)) is not None:
                sentence, buffer = buffer[: m.end()], buffer[m.end() :]
                if mode == "mock" and leaks(sentence, q.reference_outline):
                    raise GuardRejected("the reply restates a reference point")
                said += sentence
                yield sentence
                if "?" in sentence:
                    return  # one question per reply: the rest is not said
        if buffer.strip():
            if mode == "mock" and leaks(buffer, q.reference_outline):
                raise GuardRejected("the reply restates a reference point")
            said += buffer
            yield buffer
        if "?" not in said:
            raise GuardRejected("the reply asks no question")


def _started(stream: Iterator[Any]) -> Iterator[Any]:
    """Pulls the first chunk now, so connection errors surface inside the retry loop."""
    first = next(stream)

    def rest() -> Iterator[Any]:
        yield first
        yield from stream

    return rest()
