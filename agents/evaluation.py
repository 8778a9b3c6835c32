"""The Evaluation: the one output of grading, for the API, the CLI and storage."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from content.schema import Dimension
from diagrams.analysis import MAX_DRAWING_CHARS, attach
from diagrams.model import DiagramError

Verdict = Literal["strong_hire", "hire", "lean_no_hire", "no_hire"]
ItemStatus = Literal["covered", "partial", "missing"]
Score = Annotated[float, Field(ge=1.0, le=4.0)]


class DimensionScore(BaseModel):
    name: Dimension
    score: Score
    assessed: bool = Field(
        default=True, description="False when the rubric has no item in this dimension."
    )
    evidence: list[str] = Field(default_factory=list, description="Verbatim quotes.")
    missing: list[str] = Field(default_factory=list, description="Rubric item texts not covered.")
    partial: list[str] = Field(
        default_factory=list, description="Rubric item texts touched on but not made in full."
    )


class ItemResult(BaseModel):
    id: str
    dimension: Dimension
    status: ItemStatus
    evidence: list[str] = Field(default_factory=list)
    phase: str | None = Field(default=None, description="Interview phase of the evidence.")
    note: str = ""


class RedFlagFinding(BaseModel):
    id: str
    text: str = Field(description="The mistake.")
    quote: str = Field(description="The candidate's sentence that commits it, verbatim.")


class NumberFinding(BaseModel):
    """One estimate from the interview: the candidate's figure, ours, and the verdict."""

    claim: str = Field(description="The candidate's figure, as written.")
    recomputed: str = Field(description="Our recomputation (or the scale fact it contradicts).")
    verdict: Literal["ok", "off", "unit_slip", "scale_conflict"]
    working: str = ""
    probed: bool = False
    corrected: bool = False


class TwistFinding(BaseModel):
    id: str
    change: str = Field(description="The requirement change the interviewer introduced.")
    status: Literal["adapted", "partly_adapted", "ignored", "not_answered"]
    evidence: str = ""


class RubricItemSource(BaseModel):
    id: str
    dimension: Dimension
    text: str
    weight: int
    origin: str = Field(
        description="'generic', 'behaviour', or the '<bank question id>#<item id>' it came from."
    )


class RubricInfo(BaseModel):
    """Which rubric graded the answer, and why."""

    kind: Literal["bank", "synthesised", "reference", "generic"]
    question_id: str | None = None
    reason: str
    match_score: float | None = Field(
        default=None, description="How close a free-text question came to its best bank match."
    )
    runner_up: str | None = None
    runner_up_score: float | None = None
    items: list[RubricItemSource] = Field(
        default_factory=list, description="A synthesised rubric's items and where each came from."
    )


class Evaluation(BaseModel):
    question_id: str | None
    overall: Score
    verdict: Verdict
    level: Literal["mid", "senior", "staff"] = "senior"
    dimensions: list[DimensionScore]
    items: list[ItemResult]
    flags: list[str] = Field(default_factory=list)
    feedback: str
    engine: str
    prompt_hashes: dict[str, str] = Field(default_factory=dict)
    rubric: RubricInfo | None = None
    red_flags: list[RedFlagFinding] = Field(
        default_factory=list, description="Known design mistakes the answer commits."
    )
    numbers: list[NumberFinding] = Field(
        default_factory=list, description="Every estimate the candidate made, rechecked."
    )
    twist: TwistFinding | None = None


MAX_ANSWER_CHARS = 20_000


class DiagramInput(BaseModel):
    """A diagram sent with an answer or a message: Mermaid source or an .excalidraw file's JSON.
    It is appended to the text as a fenced Mermaid block, within the same size limit."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["mermaid", "excalidraw"] = "mermaid"
    text: str = Field(min_length=1, max_length=MAX_DRAWING_CHARS)

    def attach_to(self, content: str) -> str:
        try:
            return attach(content, self.text, self.format, MAX_ANSWER_CHARS)
        except DiagramError as exc:
            raise ValueError(f"diagram: {exc}") from exc


class GradeInput(BaseModel):
    """What to grade: a bank question id or free-text question, an answer, maybe a reference.
    Unknown fields are refused: nothing is graded on a field that was silently ignored."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=200, description="Caller's id, echoed back.")
    question: str | None = Field(default=None, max_length=64, description="A bank question id.")
    question_text: str | None = Field(default=None, min_length=5, max_length=4000)
    answer: str = Field(max_length=MAX_ANSWER_CHARS)
    diagram: DiagramInput | None = Field(
        default=None, description="A diagram graded with the answer (appended to it)."
    )
    reference: str | None = Field(default=None, max_length=MAX_ANSWER_CHARS)
    level: Literal["mid", "senior", "staff"] = "senior"

    @model_validator(mode="after")
    def _one_question(self) -> GradeInput:
        if bool(self.question) == bool(self.question_text):
            raise ValueError("give exactly one of 'question' (a bank id) or 'question_text'")
        if self.diagram is not None:
            self.answer = self.diagram.attach_to(self.answer)
            self.diagram = None  # it is in the answer now: grading reads it once
        return self
