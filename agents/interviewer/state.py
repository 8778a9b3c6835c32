"""The interview's state, kept as JSON on the session row so any worker can take the next turn."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from content.schema import PHASES, Phase

Status = Literal["missing", "partial", "covered"]
RANK: dict[str, int] = {"missing": 0, "partial": 1, "covered": 2}


class HintRecord(BaseModel):
    phase: Phase
    level: int = Field(ge=1, le=3)
    item_id: str | None = None


class NumberCheck(BaseModel):
    """One figure the candidate derived or assumed, and what we made of it."""

    turn: int
    claim: str = Field(description="The candidate's figure, as written.")
    recomputed: str = Field(default="", description="Our value for it, or the scale fact.")
    verdict: Literal["ok", "off", "unit_slip", "scale_conflict"]
    working: str = ""
    ratio: float = 1.0
    probed: bool = False
    corrected: bool = False


class Commitment(BaseModel):
    stance: str
    side: Literal["a", "b"]
    quote: str
    turn: int


class TwistRecord(BaseModel):
    id: str
    turn: int
    status: Status | None = None  # how the next answer adapted: covered = adapted
    evidence: str = ""


Persona = Literal["supportive", "neutral", "adversarial"]


class InterviewState(BaseModel):
    seed: str = ""  # seeds the phrasing's variety; the session id unless the caller gave one
    phase: Phase = "requirements"
    phase_started: float = 0.0  # seconds on the engine's clock
    started: float = 0.0
    turn: int = 0
    coverage: dict[str, Status] = Field(default_factory=dict)  # rubric item id -> best status
    named: dict[str, bool] = Field(default_factory=dict)  # concept id -> justified yet
    quotes: dict[str, str] = Field(default_factory=dict)  # concept id -> the words that named it
    # rubric item id -> the candidate's best sentence on it, from the message that first made it
    evidence: dict[str, str] = Field(default_factory=dict)
    asked_probes: list[str] = Field(default_factory=list)
    asked_items: list[str] = Field(default_factory=list)
    asked_scenarios: list[str] = Field(default_factory=list)  # asked, or answered unasked
    met_twists: list[str] = Field(default_factory=list)  # twists designed for before asked
    asked_findings: list[str] = Field(default_factory=list)  # diagram 'rule:subject' probed
    hints: list[HintRecord] = Field(default_factory=list)
    last_question: str = ""
    last_item: str | None = None  # the rubric item the last question asked about, if one
    last_quote: str = ""  # the candidate's words the last reply quoted, if it did
    last_kind: str = ""  # the planner's move of the last question (probe, scenario, item...)
    followed_up: list[str] = Field(default_factory=list)  # questions put again, unanswered
    persona: Persona = "neutral"
    numbers: list[NumberCheck] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    contradictions: list[str] = Field(default_factory=list)  # stance ids already probed
    mistakes: list[str] = Field(default_factory=list)  # red flag ids already probed...
    mistake_quotes: list[str] = Field(default_factory=list)  # ...and the sentences they quoted
    vague_phases: list[str] = Field(
        default_factory=list
    )  # phases where a hand-wave was asked about
    twist: TwistRecord | None = None
    wrap_up_asked: bool = False
    done: bool = False

    def merge(self, item_id: str, status: Status) -> None:
        if RANK[status] > RANK[self.coverage.get(item_id, "missing")]:
            self.coverage[item_id] = status

    def status(self, item_id: str) -> Status:
        return self.coverage.get(item_id, "missing")

    def next_phase(self) -> Phase | None:
        i = PHASES.index(self.phase)
        return PHASES[i + 1] if i + 1 < len(PHASES) else None

    def hint_level(self, item_id: str | None = None) -> int:
        """Hints climb per point: nudge, then a pointer with a citation, then an outline. A new
        point starts at a nudge, so asking for help on it never gives its answer away at once."""
        return min(3, sum(1 for h in self.hints if h.item_id == item_id) + 1)

    @property
    def hinted_items(self) -> set[str]:
        return {h.item_id for h in self.hints if h.item_id}
