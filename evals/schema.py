"""Schemas of the eval datasets under `evals/data/`, validated when a suite loads them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from content.schema import Level, Slug

Band = Literal["strong", "adequate", "weak"]
BAND_TARGET: dict[str, float] = {"strong": 3.75, "adequate": 2.5, "weak": 1.5}

AdversarialKind = Literal[
    "keyword_list",
    "prompt_injection",
    "off_topic",
    "dont_know",
    "echoes_question",
    "wrong_question",
]
# The most a case of each kind may score overall (issue #5).
ADVERSARIAL_LIMIT: dict[str, float] = {
    "keyword_list": 2.0,
    "prompt_injection": 4.0,  # never above the same answer without the injection; checked apart
    "off_topic": 1.25,
    "dont_know": 1.25,
    "echoes_question": 1.5,
    "wrong_question": 2.0,
}


class _Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GradedAnswer(_Case):
    """An answer written at a known band for a bank question."""

    id: Slug
    question: Slug
    level: Level = "senior"
    band: Band
    answer: Annotated[str, Field(min_length=20)]


class AdversarialCase(_Case):
    id: Slug
    question: Slug
    level: Level = "senior"
    kind: AdversarialKind
    answer: Annotated[str, Field(min_length=2)]
    clean_answer: str | None = Field(
        default=None,
        description="For prompt_injection: the same answer without the injected text.",
    )
    expect_flags: list[str] = Field(default_factory=list)


class ShortAnswer(_Case):
    """A university-exam style short answer, marked 0-5 against the reference by two graders
    working blind from each other; we grade against their mean."""

    id: Slug
    question_text: Annotated[str, Field(min_length=5)]
    reference: Annotated[str, Field(min_length=5)]
    answer: str
    marks: Annotated[list[Annotated[float, Field(ge=0, le=5)]], Field(min_length=2, max_length=2)]

    @property
    def score(self) -> float:
        return sum(self.marks) / len(self.marks)


class InjectionAttack(_Case):
    id: Slug
    style: Literal[
        "role_override",
        "fake_system",
        "fake_closing_tag",
        "reveal_request",
        "encoded",
        "diagram_block",
        "authority_claim",
        "polite_request",
        "json_injection",
        "markdown_comment",
    ]
    text: Annotated[str, Field(min_length=5)]


Variant = Literal["standard", "concise", "verbose", "fluent_wrong"]


class FreeTextAnswer(_Case):
    """An answer at a known band to a question given as free text: a question outside the bank,
    or a bank question worded unlike the bank's prompt (`bank_id` names it)."""

    id: Slug
    group: Slug = Field(description="The question this answer belongs to; the split unit.")
    question_text: Annotated[str, Field(min_length=20, max_length=4000)]
    bank_id: Slug | None = Field(
        default=None, description="The bank question this text rewords; null outside the bank."
    )
    level: Level = "senior"
    band: Band
    variant: Variant = Field(
        default="standard",
        description="concise: a short answer at its band; verbose: long but thin; "
        "fluent_wrong: reads well but is technically wrong (must score below the adequate one).",
    )
    answer: Annotated[str, Field(min_length=20)]


class QuestionPhrasing(_Case):
    """A question as a user might type it, and the bank question it asks for (null: none)."""

    id: Slug
    text: Annotated[str, Field(min_length=10, max_length=1000)]
    bank_id: Slug | None = None


SLIP_KINDS = ("arithmetic", "unit_slip")  # the candidate's own working is wrong


class EstimateCase(_Case):
    """A candidate's estimation message for a bank question, with or without a planted flaw.

    `kind` says what is planted: nothing (`clean`), an arithmetic slip of 3x or more, a unit slip
    (per minute read as per second, GB as TB...), an input that contradicts the scale the
    interviewer gave (`scale_contradiction`), or a statement contradicting the candidate's own
    earlier commitment (`self_contradiction`, with `earlier` holding that commitment)."""

    id: Slug
    question: Slug
    kind: Literal["clean", "arithmetic", "unit_slip", "scale_contradiction", "self_contradiction"]
    earlier: str | None = Field(
        default=None, description="An earlier message whose commitment `message` contradicts."
    )
    message: Annotated[str, Field(min_length=20)]
    wrong_figure: str | None = Field(
        default=None,
        description="The candidate's wrong figure (or contradicting phrase) exactly as written.",
    )
    corrected: str | None = Field(
        default=None,
        description="Arithmetic and unit slips: the same message with the slip put right (and "
        "any figure computed from it), otherwise word for word: the same interview without it.",
    )

    @model_validator(mode="after")
    def _corrected_fits(self) -> EstimateCase:
        if self.corrected is None:
            return self
        if self.kind not in SLIP_KINDS:
            raise ValueError(f"{self.id}: only arithmetic and unit slips have a corrected message")
        if self.corrected.strip() == self.message.strip():
            raise ValueError(f"{self.id}: the corrected message is the message")
        return self


class HintSituation(_Case):
    """A coach-mode hint: the rubric item behind the open question, and the note sections
    (note id and heading) that teach it best, best first."""

    id: Slug
    question: Slug
    item: Slug
    best_sections: Annotated[list[str], Field(min_length=1, max_length=3)] = Field(
        description="'<note id>#<heading text>' of the sections that teach the item, best first."
    )


class DrillCase(_Case):
    """A drill answer of our own writing at a known quality (evals/data/drills.yaml)."""

    id: Slug
    card: Annotated[str, Field(pattern=r"^(concept:[a-z0-9-]+|item:[a-z0-9-]+#[a-z0-9-]+)$")]
    label: Annotated[int, Field(ge=0, le=4)] = Field(description="4 every point ... 0 none.")
    answer: Annotated[str, Field(min_length=2)]
