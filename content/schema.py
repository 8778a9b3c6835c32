"""The schema of our content: questions, rubric items, probes, failure scenarios and study notes.

Every file under `content/` is validated against these models when it is loaded.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

Dimension = Literal[
    "requirements",
    "api_and_data",
    "high_level_design",
    "deep_dive",
    "tradeoffs",
    "reliability",
    "communication",
]
DIMENSIONS: tuple[Dimension, ...] = (
    "requirements",
    "api_and_data",
    "high_level_design",
    "deep_dive",
    "tradeoffs",
    "reliability",
    "communication",
)

Level = Literal["mid", "senior", "staff"]
LEVELS: tuple[Level, ...] = ("mid", "senior", "staff")

Phase = Literal[
    "requirements",
    "estimation",
    "api_and_data",
    "high_level_design",
    "deep_dive",
    "tradeoffs_and_failures",
    "wrap_up",
]
PHASES: tuple[Phase, ...] = (
    "requirements",
    "estimation",
    "api_and_data",
    "high_level_design",
    "deep_dive",
    "tradeoffs_and_failures",
    "wrap_up",
)

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=2, max_length=64)]
Text = Annotated[str, Field(min_length=3)]


def _compiles(pattern: str) -> str:
    import re

    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from exc
    return pattern


Regex = Annotated[str, Field(min_length=2), AfterValidator(_compiles)]  # checked at load time


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricItem(Strict):
    id: Slug
    dimension: Dimension
    text: Text = Field(description="What a strong candidate does, one sentence.")
    topic: Annotated[str, Field(min_length=3, max_length=70, pattern=r"^[^?.!]+$")] = Field(
        description="What the interviewer asks about, as a noun phrase that reads after "
        "'Let's talk about ...' ('what a throttled client receives'); never the answer itself."
    )
    weight: Annotated[int, Field(ge=1, le=3)] = 1
    signals: list[Text] = Field(
        min_length=2, description="Phrases and synonyms whose presence indicates the item."
    )
    requires_reasoning: bool = Field(
        default=False, description="Naming it is not enough: the answer must justify it."
    )
    level: Level = Field(default="mid", description="The lowest level expected to cover it.")


class ScaleFact(Strict):
    name: Text = Field(description="What the number is about, e.g. 'daily active users'.")
    value: Text = Field(description="The figure the interviewer gives, e.g. '50 million'.")


class Probe(Strict):
    id: Slug
    trigger: Annotated[str, Field(pattern=r"^(item|concept):[a-z0-9]+(-[a-z0-9]+)*$")] = Field(
        description="'item:<rubric item id>' (asked while that item is not covered; see `when`) "
        "or 'concept:<concept id from content/concepts.yaml>' (asked when the candidate names it)."
    )
    question: Text
    level: Level = "mid"
    when: Literal["not_covered", "missing"] = Field(
        default="not_covered",
        description="For an item probe: asked while the item is not covered, a push on a point "
        "made in part (the default), or only while it is missing, for a probe written for a "
        "design that lacks the point ('Two ops reach two servers; which becomes revision 41?' "
        "re-asks a candidate who said each document has one owner).",
    )

    unless: list[Slug] = Field(
        default_factory=list,
        description="Rubric item ids of this question: the probe is not asked once any of them "
        "is covered, for a probe written for a design the candidate may have moved past ('You "
        "elect one scheduler leader with ZooKeeper ...' put to a candidate whose schedulers each "
        "own a hash range).",
    )

    @model_validator(mode="after")
    def _when_is_for_items(self) -> Probe:
        if self.when != "not_covered" and self.trigger_kind != "item":
            raise ValueError("'when' applies to item probes only")
        return self

    @property
    def trigger_kind(self) -> str:
        return self.trigger.split(":", 1)[0]

    @property
    def trigger_value(self) -> str:
        return self.trigger.split(":", 1)[1]


class FailureScenario(Strict):
    id: Slug
    what_breaks: Text
    question: Text = Field(description="How the interviewer puts the scenario to the candidate.")
    strong_answer: list[Text] = Field(min_length=2)


class Twist(Strict):
    """A requirement change the interviewer introduces during the deep dive."""

    id: Slug
    change: Text = Field(
        description="The new requirement as the interviewer states it (a statement, no '?')."
    )
    question: Annotated[str, Field(min_length=10, pattern=r"^[^?]*\?$")] = Field(
        description="The one question that follows the change, ending with its only '?'."
    )
    adapted: list[Text] = Field(
        min_length=2,
        max_length=4,
        description="What an adapted design does, one point a sentence (used to judge the reply).",
    )
    signals: list[Text] = Field(
        min_length=2, description="Phrases whose presence in a reply suggests adaptation."
    )


class Question(Strict):
    id: Slug
    title: Text
    prompt: Text
    levels: list[Level] = Field(min_length=1)
    topics: list[Slug] = Field(min_length=1)
    scale: list[ScaleFact] = Field(min_length=3)
    phases: dict[Phase, Annotated[int, Field(ge=1, le=20)]]
    rubric: list[RubricItem] = Field(min_length=12)
    probes: list[Probe] = Field(min_length=6)
    failure_scenarios: list[FailureScenario] = Field(min_length=3)
    reference_outline: list[Text] = Field(min_length=8)
    pitfalls: list[Text] = Field(min_length=2)
    related_notes: list[Slug] = Field(default_factory=list)
    twists: list[Twist] = Field(default_factory=list, max_length=3)
    aliases: list[Annotated[str, Field(min_length=2, max_length=80)]] = Field(
        default_factory=list,
        description="Other names people use for this system: products in its style, nicknames.",
    )

    @field_validator("phases")
    @classmethod
    def _all_phases_budgeted(cls, phases: dict[str, int]) -> dict[str, int]:
        missing = [p for p in PHASES if p not in phases]
        if missing:
            raise ValueError(f"every phase needs a minute budget; missing: {', '.join(missing)}")
        total = sum(phases.values())
        if not 40 <= total <= 50:
            raise ValueError(f"phase budgets sum to {total} minutes; expected 40-50")
        return {p: phases[p] for p in PHASES}

    @model_validator(mode="after")
    def _ids_unique_and_dimensions_covered(self) -> Question:
        for label, ids in (
            ("rubric", [i.id for i in self.rubric]),
            ("probes", [p.id for p in self.probes]),
            ("failure_scenarios", [f.id for f in self.failure_scenarios]),
        ):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"{label}: duplicate ids {dupes}")
        items = {i.id for i in self.rubric}
        for p in self.probes:
            unknown = [u for u in p.unless if u not in items]
            if unknown:
                raise ValueError(f"probe {p.id}: 'unless' names no rubric item {unknown}")
        uncovered = [d for d in DIMENSIONS if all(i.dimension != d for i in self.rubric)]
        if uncovered:
            raise ValueError(f"rubric covers no item for dimensions {uncovered}")
        return self

    def item(self, item_id: str) -> RubricItem:
        for it in self.rubric:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    @property
    def total_minutes(self) -> int:
        return sum(self.phases.values())


BehaviourCheck = Literal["number", "reason", "question", "alternative", "cost", "store"]


class Behaviour(Strict):
    """How a candidate works (asks, sizes, weighs, recaps), judged over the whole transcript.

    A sentence is a hit when it matches a pattern or is close in meaning to an exemplar, sits
    where the behaviour belongs, and passes every check in `needs`."""

    id: Slug
    item: RubricItem
    where: Literal["any", "opening", "closing"] = "any"
    needs: list[BehaviourCheck] = Field(default_factory=list)
    patterns: list[Regex] = Field(default_factory=list)
    exemplars: list[Text] = Field(default_factory=list)
    cover_hits: Annotated[int, Field(ge=1, le=6)] = 1
    partial_hits: Annotated[int, Field(ge=1, le=6)] = 1
    interview_only: bool = Field(
        default=False,
        description="Only an interview can show it (asking, checking in); a written answer is "
        "not graded on it.",
    )
    asked_in: Phase | None = Field(
        default=None,
        description="The interview phase that asks for it while it is missing, like one of the "
        "question's own items; null: graded, never asked for.",
    )

    @model_validator(mode="after")
    def _detectable(self) -> Behaviour:
        if not self.item.id.startswith(("b-", "g-")):
            raise ValueError(
                "a behaviour's item id starts with 'b-' (every rubric) or 'g-' (generic)"
            )
        if not (self.patterns or self.exemplars or self.needs):
            raise ValueError("a behaviour needs patterns, exemplars or checks to detect it")
        if self.partial_hits > self.cover_hits:
            raise ValueError("partial_hits cannot exceed cover_hits")
        return self


class RedFlag(Strict):
    """A design decision that is wrong almost wherever it appears (content/red_flags.yaml)."""

    id: Slug
    text: Text
    examples: list[Text] = Field(min_length=1, description="Sentences that commit the mistake.")
    remedies: list[Regex] = Field(
        default_factory=list,
        description="The right practice, named (any case): a sentence that names one is doing the"
        " right thing, however close its wording sits to the mistake's.",
    )
    omissions: list[Regex] = Field(
        default_factory=list,
        description="The mistake stated as a lack, in its own words (any case): 'no replicas', "
        "'we never retry'. Found even though the sentence has a negation.",
    )
    by_meaning: bool = Field(
        default=True,
        description="false: the mistake's topic is one good answers discuss too (a hot key, calls"
        " between services), so closeness in meaning cannot tell committing it from handling it;"
        " only its omissions find it.",
    )

    @model_validator(mode="after")
    def _remedies_miss_examples(self) -> RedFlag:
        for pattern in self.remedies:
            for example in self.examples:
                if re.search(pattern, example, re.I):
                    raise ValueError(f"remedy {pattern!r} matches the example {example!r}")
        return self


class Stance(Strict):
    """Two design positions that cannot both hold for one thing (content/stances.yaml)."""

    id: Slug
    a: Regex
    b: Regex


class VaguePhrase(Strict):
    """A filler phrase that commits to nothing ("highly scalable", "handled carefully")."""

    id: Slug
    pattern: Regex = Field(description="A regular expression, matched in any case.")
    intent: bool = Field(
        default=False,
        description="An intention to deal with something later ('we should think about caching "
        "and sharding'), not a design: vague even when it names mechanisms; only a number or an "
        "identifier makes the sentence concrete.",
    )


class Concept(Strict):
    id: Slug
    kind: Literal["technology", "concept"]
    aliases: list[Annotated[str, Field(min_length=2)]] = Field(
        min_length=1, description="Lower-case words that name it."
    )


class NoteMeta(Strict):
    id: Slug
    title: Text
    topics: list[Slug] = Field(min_length=1)
    related_questions: list[Slug] = Field(default_factory=list)


SearchTerm = Annotated[str, Field(min_length=2, max_length=60, pattern=r"^[^;\n]+$")]


class SearchTerms(Strict):
    """What a reader might type to find each section of one note (content/search_terms/<id>.yaml):
    other names of a technique, the problem phrased as a learner would. Keys are heading paths
    below the note's title, joined by ' > ' ("Origin protection > Origin shield")."""

    note: Slug
    sections: dict[Text, Annotated[list[SearchTerm], Field(min_length=1, max_length=8)]] = Field(
        min_length=1
    )


class Note(BaseModel):
    model_config = ConfigDict(frozen=True)

    meta: NoteMeta
    body: str
    path: str

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def word_count(self) -> int:
        return len(self.body.split())


Rating = Literal["again", "hard", "good", "easy"]


class RatingBand(Strict):
    rating: Rating
    min_credit: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        description="The least share of the reference points (covered 1, partial 0.5) for it."
    )


class DrillRules(Strict):
    """How a scorecard becomes drill cards and a drill grade an FSRS rating
    (content/drills/rules.yaml)."""

    item_question: Annotated[str, Field(pattern=r"\{system\}.*\{probe\}")] = Field(
        description="A missed item's card question when the item has a probe."
    )
    item_question_no_probe: Annotated[str, Field(pattern=r"\{system\}.*\{topic\}")] = Field(
        description="A missed item's card question when no probe targets it."
    )
    rating_bands: list[RatingBand] = Field(min_length=4, max_length=4)
    max_note_sections: Annotated[int, Field(ge=1, le=4)] = 2

    @model_validator(mode="after")
    def _bands_ordered(self) -> DrillRules:
        ratings = [b.rating for b in self.rating_bands]
        if ratings != ["easy", "good", "hard", "again"]:
            raise ValueError("rating_bands run easy, good, hard, again (highest credit first)")
        credits = [b.min_credit for b in self.rating_bands]
        if credits != sorted(credits, reverse=True) or credits[-1] != 0.0:
            raise ValueError("min_credit falls band by band and the last band starts at 0")
        return self

    def rating_for(self, credit: float) -> Rating:
        return next(b.rating for b in self.rating_bands if credit >= b.min_credit)


class ConceptCard(Strict):
    """A drill card for a concept the candidate named without justifying
    (content/drills/concepts.yaml)."""

    id: Slug = Field(description="The concept's id (content/concepts).")
    question: Annotated[str, Field(min_length=10, pattern=r"\?$")] = Field(
        description="Stands alone: no 'you picked', no reference to an interview."
    )
    answer: Annotated[str, Field(min_length=20, max_length=600)] = Field(
        description="The reference answer in our own words, at most 60 words (graded by points)."
    )
    notes: list[Slug] = Field(min_length=1, description="Study notes that teach it.")

    @field_validator("answer")
    @classmethod
    def _short(cls, answer: str) -> str:
        if len(answer.split()) > 60:
            raise ValueError("a reference answer has at most 60 words (one point a sentence)")
        return answer
