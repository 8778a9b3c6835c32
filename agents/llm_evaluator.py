"""The LLM engine of the evaluator: a chat model judges rubric items, code does the rest.

The answer is screened and fenced as data; the model returns item judgements as JSON (schema
enforced, retried once); every evidence quote is checked against the candidate's text, and an
item whose quotes are not there is downgraded. Numbers come from `agents.scoring`, as offline.
If the model fails, the offline engine grades and the result is flagged `llm_fallback`.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from agents.evaluation import Evaluation
from agents.evaluator import OfflineEvaluator, Segment, _Prepared
from agents.judge import Judged
from agents.llm_calls import ProviderError, call_with_retries
from content.schema import Question
from prompts.loader import load_prompt

log = logging.getLogger("tradeoff.evaluator")
_FENCE = re.compile(r"<<<|>>>")
_SPACE = re.compile(r"\s+")


class ItemJudgement(BaseModel):
    id: str = Field(description="A rubric item id, exactly as given.")
    status: Literal["covered", "partial", "missing"]
    evidence: list[str] = Field(
        default_factory=list, max_length=3, description="Exact quotes from the candidate's text."
    )


class Judgements(BaseModel):
    items: list[ItemJudgement]


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def verify_quotes(quotes: list[str], transcript: str) -> list[str]:
    """The quotes that really occur in the transcript (whitespace and case folded)."""
    hay = _norm(transcript)
    return [q for q in quotes if len(_norm(q)) >= 8 and _norm(q) in hay]


def downgrade(status: str, *, claimed: int, verified: int) -> str:
    """No verified quote: nothing is shown, so missing; some quotes invented: one step down."""
    if status == "missing" or verified == 0:
        return "missing"
    if verified < claimed:
        return "partial"
    return status


class LLMEvaluator:
    def __init__(
        self, chat_model: Any, offline: OfflineEvaluator, model_name: str, retries: int = 2
    ):
        self.chat = chat_model
        self.offline = offline
        self.engine = f"llm:{model_name}"
        self.retries = retries
        self.system = load_prompt("evaluator_system")
        self.user = load_prompt("evaluator_user")

    @property
    def prompt_hashes(self) -> dict[str, str]:
        return {p.name: p.hash for p in (self.system, self.user)}

    def _messages(self, p: _Prepared) -> list[tuple[str, str]]:
        rubric = "\n".join(
            f"{i.id} | {i.dimension} | {i.text} | {'yes' if i.requires_reasoning else 'no'}"
            for i in p.rubric.items
        )
        user = self.user.render(
            question_id=p.rubric.question_id or "free text",
            title=p.rubric.title,
            prompt=p.rubric.prompt,
            level=p.level,
            rubric=rubric,
            answer=_FENCE.sub("", p.text),
        )
        return [("system", self.system.render()), ("user", user)]

    def _ask(self, p: _Prepared) -> Judgements:
        structured = self.chat.with_structured_output(
            Judgements, method="json_schema", include_raw=True
        )
        messages = self._messages(p)
        last_error = "no reply"
        for _ in range(2):  # the first try, and one retry on invalid output
            try:
                reply = call_with_retries(lambda: structured.invoke(messages), retries=self.retries)
            except (ValueError, ValidationError) as exc:  # unparseable JSON, schema mismatch
                last_error = f"{type(exc).__name__}: {str(exc)[:160]}"
                continue
            parsed = reply.get("parsed")
            if isinstance(parsed, Judgements) and {j.id for j in parsed.items} >= {
                i.id for i in p.rubric.items
            }:
                return parsed
            last_error = str(reply.get("parsing_error") or "items missing from the reply")[:200]
        raise ValueError(f"invalid model output: {last_error}")

    def _judged(self, p: _Prepared, judgements: Judgements) -> list[Judged]:
        by_id = {j.id: j for j in judgements.items}
        index = {s.text: s.index for s in p.sentences}
        out = []
        for item in p.rubric.items:
            j = by_id[item.id]
            quotes = verify_quotes(j.evidence, p.text)
            status = downgrade(j.status, claimed=len(j.evidence), verified=len(quotes))
            credit = {"covered": 1.0, "partial": 0.5, "missing": 0.0}[status]
            sentence_ids = tuple(
                next((i for t, i in index.items() if _norm(q) in _norm(t)), -1) for q in quotes
            )
            out.append(
                Judged(
                    item,
                    status,
                    credit,
                    0.0,
                    tuple(i for i in sentence_ids if i >= 0),
                    reasoned=status == "covered",
                    quotes=tuple(quotes) if status != "missing" else (),
                )
            )
        return out

    def grade(
        self,
        question: Question | str,
        answer: str | list[Segment],
        level: str = "senior",
        reference: str | None = None,
    ) -> Evaluation:
        p = self.offline._prepare(question, answer, level, reference)
        if "no_answer" in p.flags or not p.sentences:
            return self.offline.grade(question, answer, level, reference)
        try:
            judgements = self._ask(p)
        except (ProviderError, ValueError, ValidationError) as exc:
            log.warning("llm grading failed; offline engine grades", extra={"error": str(exc)})
            ev = self.offline.grade(question, answer, level, reference)
            return ev.model_copy(update={"flags": sorted({*ev.flags, "llm_fallback"})})
        # Relevance and echo checks are the offline engine's, on the same sentences.
        vecs = self.offline.embedder.encode([s.text for s in p.sentences])
        echo = self.offline._echoes(p, vecs)
        usable = [s.index for s in p.sentences if s.index not in echo]
        p.flags.extend(self.offline._relevance_flags(p, vecs, usable))
        ev = self.offline._evaluation(p, self._judged(p, judgements))
        return ev.model_copy(update={"engine": self.engine, "prompt_hashes": self.prompt_hashes})
