"""The LLM engine of the evaluator: a chat model judges the design points of the rubric, code
does the rest (behaviours such as asking first or recapping are judged by code on both engines).

The answer is screened and fenced as data; the model returns item judgements as JSON. The call is
bounded (a few hundred tokens, one deadline for the whole grade). Structured output goes through
the server's JSON-schema support where it has one (OpenAI's `json_schema`, else llama.cpp's
`json_object` with a schema, else the prompt alone); whatever comes back, the first JSON object
that validates is taken, prose or code fences around it ignored, and invalid output is retried
once. Every evidence quote is checked against the candidate's text, and an item whose quotes are
not there is downgraded. Numbers come from `agents.scoring`, as offline. If the model fails, the
offline engine grades and the result is flagged `llm_fallback`.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from agents.evaluation import Evaluation
from agents.evaluator import OfflineEvaluator, Segment, _Prepared
from agents.judge import Judged
from agents.llm_calls import (
    CallLimits,
    Deadline,
    FormatRefused,
    ProviderError,
    complete,
    json_objects,
)
from content.schema import Question, RubricItem
from core.settings import JUDGEMENT_MAX_TOKENS
from prompts.loader import load_prompt

log = logging.getLogger("tradeoff.evaluator")
_FENCE = re.compile(r"<<<|>>>")
_SPACE = re.compile(r"\s+")


MAX_QUOTES = 3
QUOTE_CHARS = 200  # a quote longer than this is cut (a prefix of a real quote is still in the text)


class ItemJudgement(BaseModel):
    id: str = Field(description="A rubric item id, exactly as given.")
    status: Literal["covered", "partial", "missing"]
    evidence: list[str] = Field(
        default_factory=list,
        max_length=MAX_QUOTES,
        description="Exact quotes from the candidate's text.",
    )

    @field_validator("id", "status", mode="before")
    @classmethod
    def _trimmed(cls, v: Any) -> Any:
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("evidence", mode="before")
    @classmethod
    def _quotes(cls, v: Any) -> Any:
        """A lone quote, a null or too many quotes are read, not refused."""
        if v is None:
            return []
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list):
            return [q for q in v if isinstance(q, str) and q.strip()][:MAX_QUOTES]
        return v


class Judgements(BaseModel):
    items: list[ItemJudgement]


def judgement_schema(item_ids: list[str]) -> dict[str, Any]:
    """The JSON schema of a reply for these rubric items: one entry per item, in order, so a
    server that enforces schemas (a grammar on llama.cpp) cannot skip or repeat an item."""
    properties: dict[str, Any] = {
        "status": {"type": "string", "enum": ["covered", "partial", "missing"]},
        "evidence": {
            "type": "array",
            "items": {"type": "string", "maxLength": QUOTE_CHARS},
            "maxItems": 2,
        },
    }
    entries = [
        {
            "type": "object",
            "properties": {"id": {"type": "string", "const": i}, **properties},
            "required": ["id", "status", "evidence"],
            "additionalProperties": False,
        }
        for i in item_ids
    ]
    return {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "prefixItems": entries,
                "minItems": len(entries),
                "maxItems": len(entries),
            }
        },
        "required": ["items"],
        "additionalProperties": False,
    }


def parse_judgements(text: str, item_ids: list[str]) -> Judgements:
    """The first JSON object in `text` that is a judgement of every item in `item_ids`."""
    wanted = set(item_ids)
    error = "no JSON object in the reply"
    for obj in json_objects(text):
        try:
            parsed = Judgements.model_validate(obj)
        except ValidationError as exc:
            error = f"schema mismatch: {str(exc)[:160]}"
            continue
        if {j.id for j in parsed.items} >= wanted:
            return parsed
        error = "items missing from the reply"
    raise ValueError(error)


# Response formats, most structured first. A server that refuses one is asked with the next, and
# the refusal is remembered per server and model for the life of the process.
FORMATS = ("json_schema", "json_object", "prompt")
_accepted: dict[tuple[str, str], int] = {}
_lock = threading.Lock()
# Judge calls in this process: requests sent, replies received, replies that held valid
# judgements, grades by the model and grades that fell back offline (the eval report reads them).
JUDGE_STATS: Counter[str] = Counter()


def forget_refused_formats() -> None:
    """Forget every server's refusals: a new server may listen where an old one did (a test's
    scripted server on a port the system handed out before)."""
    with _lock:
        _accepted.clear()


def _response_format(kind: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    if kind == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "judgements", "schema": schema}}
    if kind == "json_object":  # llama.cpp's server: a grammar built from the schema
        return {"type": "json_object", "schema": schema}
    return None


def _count(name: str) -> None:
    with _lock:
        JUDGE_STATS[name] += 1


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
        self,
        chat_model: Any,
        offline: OfflineEvaluator,
        model_name: str,
        retries: int = 2,
        limits: CallLimits | None = None,
    ):
        self.chat = chat_model
        self.offline = offline
        self.engine = f"llm:{model_name}"
        timeout = float(getattr(chat_model, "request_timeout", None) or 30.0)
        self.limits = limits or CallLimits(JUDGEMENT_MAX_TOKENS, timeout, retries)
        self._server = (str(getattr(chat_model, "openai_api_base", "") or ""), model_name)
        self.system = load_prompt("evaluator_system")
        self.user = load_prompt("evaluator_user")

    @property
    def prompt_hashes(self) -> dict[str, str]:
        return {p.name: p.hash for p in (self.system, self.user)}

    def _asked(self, p: _Prepared) -> list[RubricItem]:
        """The items the model judges: the design points. Behaviours (asking, assumptions,
        alternatives, a recap) are judged by code on either engine, the same way: 10 of a bank
        question's ~25 items, so the model reads and writes about 40% less."""
        return [i for i in p.rubric.items if not self.offline.is_behaviour(i.id)]

    def _messages(self, p: _Prepared, items: list[RubricItem]) -> list[tuple[str, str]]:
        rubric = "\n".join(
            f"{i.id} | {i.dimension} | {i.text} | {'yes' if i.requires_reasoning else 'no'}"
            for i in items
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

    def _complete(
        self, messages: list[tuple[str, str]], schema: dict[str, Any], deadline: Deadline
    ) -> str:
        """One reply, in the most structured format the server takes."""
        with _lock:
            start = _accepted.get(self._server, 0)
        for n in range(start, len(FORMATS)):
            fmt = _response_format(FORMATS[n], schema)
            try:
                _count("requests")
                reply = complete(self.chat, messages, self.limits, deadline, response_format=fmt)
            except FormatRefused:
                log.info("the server refused a response format", extra={"format": FORMATS[n]})
                with _lock:
                    _accepted[self._server] = max(_accepted.get(self._server, 0), n + 1)
                continue
            _count("replies")
            return reply.text
        raise ProviderError("the server took no response format")  # pragma: no cover

    def _ask(self, p: _Prepared) -> Judgements:
        items = self._asked(p)
        if not items:
            return Judgements(items=[])
        ids = [i.id for i in items]
        schema = judgement_schema(ids)
        messages = self._messages(p, items)
        deadline = Deadline(self.limits.timeout)  # the whole grade, the retry included
        last_error = "no reply"
        for _ in range(2):  # the first try, and one retry on invalid output
            text = self._complete(messages, schema, deadline)
            try:
                parsed = parse_judgements(text, ids)
            except ValueError as exc:  # no JSON, truncated JSON, schema mismatch, items missing
                last_error = str(exc)[:200]
                if deadline.expired:
                    break
                continue
            _count("valid")
            return parsed
        raise ValueError(f"invalid model output: {last_error}")

    def _judged(
        self, p: _Prepared, judgements: Judgements, coded: dict[str, Judged]
    ) -> list[Judged]:
        """The model's judgement of each design item, quotes verified; `coded`: the items
        judged by code (behaviours)."""
        by_id: dict[str, ItemJudgement] = {}
        for j in judgements.items:
            by_id.setdefault(j.id, j)  # a repeated item: its first judgement counts
        index = {s.text: s.index for s in p.sentences}
        out = []
        for item in p.rubric.items:
            if item.id in coded:
                out.append(coded[item.id])
                continue
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
            _count("fallbacks")
            ev = self.offline.grade(question, answer, level, reference)
            return ev.model_copy(update={"flags": sorted({*ev.flags, "llm_fallback"})})
        # Relevance and echo checks are the offline engine's, on the same sentences.
        vecs = self.offline.embedder.encode([s.text for s in p.sentences])
        echo = self.offline._echoes(p, vecs)
        usable = [s.index for s in p.sentences if s.index not in echo]
        p.flags.extend(self.offline._relevance_flags(p, vecs, usable))
        self.offline._find_red_flags(p, vecs, usable)  # code's, on both engines
        _count("graded")
        coded = self.offline.judge_behaviours(p, vecs, echo)
        ev = self.offline._evaluation(p, self._judged(p, judgements, coded))
        return ev.model_copy(update={"engine": self.engine, "prompt_hashes": self.prompt_hashes})
