"""Reading a candidate's message: what kind of message it is, which concepts it names, which
rubric items it covers, and which scale facts a clarifying question asks for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from agents.guards import is_dont_know, screen
from agents.judge import ItemJudge
from agents.rubric import for_question
from agents.text import normalise, reasoning_in, split_sentences, words
from content.schema import Concept, Question, ScaleFact

_REDIRECT = re.compile(
    r"\b(you are now|act as|pretend (to be|you are)|from now on you|stop being|"
    r"(write|give|show|tell) me the (whole |full |complete |entire )?(design|answer|solution)|"
    r"(write|do|solve) (it|this|the design) for me|design it for me|what is the answer|"
    r"reveal|your (system )?prompt|the rubric|reference (answer|outline))",
    re.I,
)
_CLARIFY_START = re.compile(
    r"^\s*(how (many|much|big|fast|often|long)|what( is|'s| are)? (the )?(scale|load|traffic|"
    r"number|size|latency|qps|rate|read|write|budget|target|ratio|retention)|do we|should i|"
    r"can i assume|is it|are there|what kind|which|who)",
    re.I,
)
CLARIFY_FACT_SIM = 0.30
OFF_TOPIC_SIM = 0.12


@dataclass
class Reading:
    kind: str  # "answer" | "clarify" | "redirect" | "dont_know" | "off_topic" | "empty"
    text: str  # screened text
    coverage: dict[str, str] = field(default_factory=dict)
    named: dict[str, bool] = field(default_factory=dict)  # concept -> justified here
    facts: list[ScaleFact] = field(default_factory=list)


@lru_cache(maxsize=512)
def _alias_pattern(alias: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(alias.lower()) + r"(?![a-z0-9])")


def named_concepts(text: str, concepts: dict[str, Concept]) -> dict[str, bool]:
    """Concepts the text names, each with whether a sentence naming it also justifies it."""
    out: dict[str, bool] = {}
    sentences = split_sentences(text)
    for cid, concept in concepts.items():
        for s in sentences:
            low = s.text.lower()
            if any(_alias_pattern(a).search(low) for a in concept.aliases):
                out[cid] = out.get(cid, False) or reasoning_in(s.text)
    return out


def is_clarifying(text: str) -> bool:
    w = words(text)
    return 0 < len(w) <= 40 and (
        text.strip().endswith("?") and len(w) <= 25 or bool(_CLARIFY_START.match(text))
    )


class Reader:
    def __init__(self, judge: ItemJudge, concepts: dict[str, Concept]):
        self.judge = judge
        self.embedder = judge.embedder
        self.concepts = concepts
        self._facts: dict[str, np.ndarray] = {}
        self._profile: dict[str, np.ndarray] = {}

    def _fact_vecs(self, q: Question) -> np.ndarray:
        if q.id not in self._facts:
            self._facts[q.id] = self.embedder.encode([f"{f.name}: {f.value}" for f in q.scale])
        return self._facts[q.id]

    def _profile_vec(self, q: Question) -> np.ndarray:
        if q.id not in self._profile:
            v = self.embedder.encode([f"{q.title}. {q.prompt}", *q.reference_outline]).mean(axis=0)
            self._profile[q.id] = v / np.linalg.norm(v)
        return self._profile[q.id]

    def facts_for(self, q: Question, text: str, vec: np.ndarray) -> list[ScaleFact]:
        sims = self._fact_vecs(q) @ vec
        hits = [
            (float(s), f)
            for s, f in zip(sims, q.scale, strict=True)
            if s >= CLARIFY_FACT_SIM
            or any(w in normalise(text).split() for w in normalise(f.name).split() if len(w) > 3)
        ]
        hits.sort(key=lambda x: -x[0])
        return [f for _, f in hits[:2]]

    def read(self, q: Question, message: str) -> Reading:
        screened = screen(message)
        text = screened.text.strip()
        if screened.flags or _REDIRECT.search(message):
            return Reading("redirect", text)
        if not words(text):
            return Reading("empty", text)
        if is_dont_know(text):
            return Reading("dont_know", text)
        # The whole message is embedded only where it is used: embedding is most of a turn's
        # CPU, and a paragraph costs as much as its sentences together.
        if is_clarifying(text):
            whole = self.embedder.encode([text])[0]
            return Reading("clarify", text, facts=self.facts_for(q, text, whole))
        sentences = split_sentences(text)
        vecs = self.embedder.encode([s.text for s in sentences])
        rubric = for_question(q)
        judged = self.judge.judge(rubric, sentences, vecs, prompt_normalised=normalise(q.prompt))
        coverage = {j.item.id: j.status for j in judged if j.status != "missing"}
        named = named_concepts(text, self.concepts)
        if not coverage and not named:
            whole = self.embedder.encode([text])[0]
            if float(self._profile_vec(q) @ whole) < OFF_TOPIC_SIM:
                return Reading("off_topic", text)
        return Reading("answer", text, coverage=coverage, named=named)
