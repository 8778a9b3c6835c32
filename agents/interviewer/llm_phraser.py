"""The LLM engine's voice: a chat model phrases the move the planner chose, streamed, with
guardrails. The call is bounded (a few dozen tokens, one deadline for the whole turn, streaming
included) and reading stops once the first question is complete: the rest is never read. A reply
that leaks a reference point in mock mode, or asks nothing, is rejected and the offline words are
used instead."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from agents.interviewer.engine import InterviewEngine, OfflinePhraser
from agents.interviewer.guardrails import GuardRejected, leaks
from agents.interviewer.phases import PHASE_NAMES, items_for_phase
from agents.interviewer.phrasing import asks, topic
from agents.interviewer.planner import Plan
from agents.interviewer.state import InterviewState
from agents.llm_calls import CallLimits, Deadline, stream_text
from content.schema import Question
from core.settings import QUESTION_MAX_TOKENS
from prompts.loader import load_prompt

FIXED_KINDS = ("opening", "done", "redirect", "off_topic")  # said in our own words, always
_SENTENCE_END = re.compile(r"[.!?](\s|$)")


class LLMPhraser:
    name = "llm"

    def __init__(
        self,
        chat: Any,
        engine: InterviewEngine,
        retries: int = 2,
        limits: CallLimits | None = None,
    ):
        self.chat = chat
        self.engine = engine
        timeout = float(getattr(chat, "request_timeout", None) or 30.0)
        self.limits = limits or CallLimits(QUESTION_MAX_TOKENS, timeout, retries)
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
        deadline = Deadline(self.limits.timeout)  # the whole turn: retries and streaming included
        chunks = stream_text(self.chat, messages, self.limits, deadline)
        try:
            yield from _one_question(chunks, q, mode)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # stops the read and closes the HTTP response: the rest is not read


def _one_question(chunks: Iterator[str], q: Question, mode: str) -> Iterator[str]:
    """The reply sentence by sentence, up to the first question; the guardrails on each."""
    buffer, said = "", ""
    for text in chunks:
        buffer += text
        while (m := _SENTENCE_END.search(buffer)) is not None:
            sentence, buffer = buffer[: m.end()], buffer[m.end() :]
            if mode == "mock" and leaks(sentence, q.reference_outline):
                raise GuardRejected("the reply restates a reference point")
            said += sentence
            yield sentence
            if asks(sentence):
                return  # one question per reply: the rest is not read
    if buffer.strip():
        if mode == "mock" and leaks(buffer, q.reference_outline):
            raise GuardRejected("the reply restates a reference point")
        said += buffer
        yield buffer
    if not asks(said):
        raise GuardRejected("the reply asks no question")
