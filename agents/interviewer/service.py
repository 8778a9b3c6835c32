"""Interview sessions end to end: persistence, turns (streamed), hints and the final grade.

A turn commits the candidate's message before any model is called, plans the reply, streams it,
then stores the reply and the new state in one transaction (compare-and-set on the session),
so a crash or a cut stream never leaves a half reply stored as complete.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from agents.errors import Conflict, Invalid, NotFound
from agents.evaluation import Evaluation
from agents.evaluator import Segment
from agents.interviewer.engine import InterviewEngine, OfflinePhraser, Phraser
from agents.interviewer.guardrails import GuardRejected
from agents.interviewer.phrasing import one_question, phrases
from agents.interviewer.state import InterviewState
from content.loader import Bank
from content.schema import Question
from core import crud
from core.models import Evaluation as EvaluationRow
from core.models import InterviewSession, Message, User

log = logging.getLogger("tradeoff.interview")
Event = tuple[str, Any]  # ("token", str) | ("done", dict) | ("error", dict)


def message_view(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "role": m.role,
        "content": m.content,
        "phase": m.phase,
        "created_at": m.created_at.isoformat(),
        "citations": m.meta.get("citations", []),
        "kind": m.meta.get("kind"),
        "notice": m.meta.get("notice"),
    }


def session_view(
    s: InterviewSession, q: Question, msgs: list[Message] | None = None
) -> dict[str, Any]:
    st = InterviewState.model_validate(s.state)
    view = {
        "id": s.id,
        "question": {"id": q.id, "title": q.title, "prompt": q.prompt},
        "mode": s.mode,
        "level": s.level,
        "phase": s.phase,
        "status": s.status,
        "engine": s.engine,
        "started_at": s.started_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
        "clock": {
            "started": st.started,
            "phase_started": st.phase_started,
            "phase_minutes": q.phases[st.phase],
            "total_minutes": q.total_minutes,
        },
        "phases": q.phases,
        "hints_used": len(st.hints),
        "persona": st.persona,
    }
    if msgs is not None:
        view["messages"] = [message_view(m) for m in msgs if m.complete]
    return view


def _reply_to(msgs: list[Message], candidate_id: str) -> Message | None:
    """The interviewer's stored reply to that candidate message, if it has one."""
    return next(
        (
            m
            for m in msgs
            if m.role == "interviewer" and m.complete and m.meta.get("reply_to") == candidate_id
        ),
        None,
    )


def _turn_view(s: InterviewSession, candidate: Message, reply: Message) -> dict[str, Any]:
    return {
        "message": message_view(candidate),
        "reply": message_view(reply),
        "phase": s.phase,
        "status": s.status,
    }


@dataclass
class TurnContext:
    session_id: str
    candidate: Message
    retry: bool = False


class InterviewService:
    def __init__(
        self,
        *,
        bank: Bank,
        engine: InterviewEngine,
        clock: Callable[[], float],
        phraser_for: Callable[[InterviewSession], Phraser],
        evaluator_for: Callable[[], Any],
        engine_name: str = "offline",
    ):
        self.bank = bank
        self.engine = engine
        self.clock = clock
        self.phraser_for = phraser_for
        self.evaluator_for = evaluator_for
        self.engine_name = engine_name

    # -- helpers -------------------------------------------------------------------------
    def _own(self, db: Session, user: User, session_id: str) -> InterviewSession:
        s = crud.get_session(db, user_id=user.id, session_id=session_id)
        if s is None:
            raise NotFound(f"no session {session_id!r}")
        return s

    def _question(self, s: InterviewSession) -> Question:
        return self.bank.questions[s.question_id]

    # -- create and read -----------------------------------------------------------------
    def create(
        self,
        db: Session,
        user: User,
        *,
        question_id: str | None,
        mode: str,
        level: str,
        seed: str | None = None,
        persona: str = "neutral",
    ) -> dict[str, Any]:
        if question_id is None:
            pool = sorted(self.bank.questions)
            question_id = random.Random(seed).choice(pool) if seed else random.choice(pool)
        q = self.bank.questions.get(question_id)
        if q is None:
            raise NotFound(f"no question {question_id!r}")
        s = crud.create_session(
            db,
            user_id=user.id,
            question_id=q.id,
            mode=mode,
            level=level,
            engine=self.engine_name,
            state={},
        )
        state, plan = self.engine.open(q, level, seed or s.id, self.clock(), persona)
        s.state = state.model_dump()
        s.phase = state.phase
        crud.add_message(
            db,
            session_id=s.id,
            role="interviewer",
            content=plan.text,
            phase=state.phase,
            meta={"kind": plan.kind, "target": plan.target},
        )
        db.commit()
        return session_view(s, q, crud.messages(db, session_id=s.id))

    def get(self, db: Session, user: User, session_id: str) -> dict[str, Any]:
        s = self._own(db, user, session_id)
        return session_view(s, self._question(s), crud.messages(db, session_id=s.id))

    def list(self, db: Session, user: User, *, limit: int, offset: int) -> dict[str, Any]:
        rows, total = crud.list_sessions(db, user_id=user.id, limit=limit, offset=offset)
        items = []
        for s in rows:
            view = session_view(s, self._question(s))
            ev = crud.latest_evaluation(db, session_id=s.id)
            view["overall"] = ev.overall if ev else None
            view["verdict"] = ev.verdict if ev else None
            view["dimensions"] = (
                {d["name"]: d["score"] for d in ev.result.get("dimensions", [])} if ev else None
            )
            items.append(view)
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    # -- turns ---------------------------------------------------------------------------
    def begin_turn(self, db: Session, user: User, session_id: str, content: str) -> TurnContext:
        """Validates and commits the candidate's message; the reply comes from `run_turn`."""
        s = self._own(db, user, session_id)
        if s.status != "active":
            raise Conflict(f"the interview is {s.status}; start a new one")
        if not content.strip():
            raise Invalid("the message is empty")
        cand = crud.add_message(
            db, session_id=s.id, role="candidate", content=content, phase=s.phase
        )
        db.commit()
        return TurnContext(s.id, cand)

    def begin_retry(self, db: Session, user: User, session_id: str) -> TurnContext:
        """Re-runs the turn of a candidate message that got no reply (a failed or cut turn)."""
        s = self._own(db, user, session_id)
        msgs = crud.messages(db, session_id=s.id)
        last = next((m for m in reversed(msgs) if m.complete), None)
        if s.status != "active" or last is None or last.role != "candidate":
            raise Conflict("nothing to retry: the last message has a reply")
        return TurnContext(s.id, last, retry=True)

    def resume(
        self, db: Session, user: User, session_id: str, candidate_id: str
    ) -> TurnContext | dict[str, Any]:
        """For a retried request whose first attempt committed `candidate_id`: the reply it got
        (as the turn's JSON), or a context to answer it now if it got none."""
        s = self._own(db, user, session_id)
        msgs = crud.messages(db, session_id=s.id)
        cand = next((m for m in msgs if m.id == candidate_id), None)
        if cand is None:
            raise Conflict("the original request left no message; send it again")
        reply = _reply_to(msgs, candidate_id)
        if reply is not None:
            return _turn_view(s, cand, reply)
        return TurnContext(s.id, cand, retry=True)

    def run_turn(self, db: Session, ctx: TurnContext) -> Iterator[Event]:
        s = db.get(InterviewSession, ctx.session_id)
        assert s is not None
        if s.status != "active":  # finished while the message was being stored
            yield ("error", {"status": 409, "detail": f"the interview is {s.status}"})
            return
        q = self._question(s)
        expected = s.updated_at
        state = InterviewState.model_validate(s.state)
        msgs = crud.messages(db, session_id=s.id)
        answered = _reply_to(msgs, ctx.candidate.id)
        if answered is not None:  # a retry of this turn answered it first: one reply a message
            yield ("done", _turn_view(s, ctx.candidate, answered))
            return
        history = tuple(
            m.content
            for m in msgs
            if m.role == "candidate" and m.complete and m.id != ctx.candidate.id
        )
        # Planning and phrasing take the longest; hold no database connection meanwhile, so
        # hundreds of open streams do not exhaust the pool (the write below is compare-and-set).
        db.commit()
        plan = self.engine.turn(
            q, state, s.level, state.seed or s.id, ctx.candidate.content, self.clock(), history
        )
        notice = None
        text = ""
        guard = None
        try:
            phraser = self.phraser_for(s)
            for token in phraser.stream(q, state, plan, s.mode, ctx.candidate.content):
                text += token
                yield ("token", token)
        except GuardRejected as exc:  # the model broke a rule: our own words instead
            guard = str(exc)
            notice = phrases().notice_guard
            text = "".join(OfflinePhraser().stream(q, state, plan, s.mode))
        except Exception as exc:  # noqa: BLE001 - any provider failure falls back
            log.warning(
                "phrasing failed; the offline interviewer answers",
                extra={"session": s.id, "error": type(exc).__name__},
            )
            notice = phrases().notice_offline
            text = "".join(OfflinePhraser().stream(q, state, plan, s.mode))
        text = one_question(text.strip()) or one_question(plan.text)
        status = "completed" if state.done else "active"
        meta = {
            "kind": plan.kind,
            "target": plan.target,
            "notice": notice,
            "guard": guard,
            "reply_to": ctx.candidate.id,
        }
        reply = crud.add_message(
            db, session_id=s.id, role="interviewer", content=text, phase=state.phase, meta=meta
        )
        try:
            crud.save_state(
                db,
                session=s,
                state=state.model_dump(),
                phase=state.phase,
                status=status,
                expected_updated_at=expected,
            )
            db.commit()
        except crud.StaleSession:
            db.rollback()
            yield ("error", {"status": 409, "detail": "the session changed meanwhile; retry"})
            return
        yield (
            "done",
            {
                "message": message_view(ctx.candidate),
                "reply": message_view(reply),
                "phase": state.phase,
                "status": status,
            },
        )

    # -- coach mode and finish -----------------------------------------------------------
    def hint(self, db: Session, user: User, session_id: str) -> dict[str, Any]:
        s = self._own(db, user, session_id)
        if s.mode != "coach":
            raise Conflict("hints are only given in coach mode")
        if s.status != "active":
            raise Conflict(f"the interview is {s.status}")
        expected = s.updated_at
        state = InterviewState.model_validate(s.state)
        hint = self.engine.hint(self._question(s), state, s.level)
        m = crud.add_message(
            db,
            session_id=s.id,
            role="interviewer",
            content=hint.text,
            phase=state.phase,
            meta={"kind": "hint", "hint_level": hint.level, "citations": hint.citations},
        )
        try:
            crud.save_state(
                db,
                session=s,
                state=state.model_dump(),
                phase=state.phase,
                status=s.status,
                expected_updated_at=expected,
            )
        except crud.StaleSession as exc:
            db.rollback()
            raise Conflict("the session changed meanwhile; retry") from exc
        db.commit()
        return {"level": hint.level, "message": message_view(m)}

    def finish(self, db: Session, user: User, session_id: str) -> dict[str, Any]:
        s = crud.lock_session(db, user_id=user.id, session_id=session_id)
        if s is None:
            raise NotFound(f"no session {session_id!r}")
        existing = crud.latest_evaluation(db, session_id=s.id)
        if s.status == "finished" and existing is not None:
            return existing.result
        q = self._question(s)
        segments = [
            Segment(m.content, m.phase)
            for m in crud.messages(db, session_id=s.id)
            if m.role == "candidate" and m.complete
        ]
        state = InterviewState.model_validate(s.state)
        ev = self.engine.grade(q, segments, s.level, state, evaluator=self.evaluator_for())
        try:
            # Claim the session first (compare-and-set): of two concurrent finishes, or a finish
            # racing a turn, exactly one stores an evaluation.
            crud.save_state(
                db,
                session=s,
                state=s.state,
                phase=s.phase,
                status="finished",
                expected_updated_at=s.updated_at,
            )
            db.add(evaluation_row(ev, user_id=user.id, session_id=s.id, question_id=q.id))
            db.commit()
        except crud.StaleSession:
            db.rollback()
            return self._finished_meanwhile(db, user, session_id)
        return ev.model_dump()

    def _finished_meanwhile(self, db: Session, user: User, session_id: str) -> dict[str, Any]:
        """After losing a compare-and-set in `finish`: the winner's scorecard if it finished."""
        db.expire_all()
        s = self._own(db, user, session_id)
        existing = crud.latest_evaluation(db, session_id=s.id)
        if s.status == "finished" and existing is not None:
            return existing.result
        raise Conflict("the session changed meanwhile; finish again")

    def scorecard(self, db: Session, user: User, session_id: str) -> dict[str, Any]:
        s = self._own(db, user, session_id)
        ev = crud.latest_evaluation(db, session_id=s.id)
        if ev is None:
            raise NotFound("no scorecard yet: finish the interview first")
        return ev.result


def evaluation_row(
    ev: Evaluation,
    *,
    user_id: str,
    session_id: str,
    question_id: str,
    created_at: datetime | None = None,
) -> EvaluationRow:
    """The stored form of a scorecard (a finished interview, or one imported from an export)."""
    row = EvaluationRow(
        user_id=user_id,
        session_id=session_id,
        question_id=question_id,
        overall=ev.overall,
        verdict=ev.verdict,
        engine=ev.engine,
        result=ev.model_dump(),
        prompt_hashes=ev.prompt_hashes,
    )
    if created_at is not None:
        row.created_at = created_at
    return row
