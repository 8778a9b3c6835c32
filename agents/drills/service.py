"""Drills end to end: cards from a finished interview, the due list, answering (graded on the
card's reference answer) and rating by hand; every change of schedule goes through FSRS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from agents import rubric as rubrics
from agents.drills import cards, schedule
from agents.engines import Evaluator
from agents.errors import Conflict, Invalid, NotFound
from agents.evaluation import Evaluation
from content.loader import Bank
from content.schema import Rating
from core import crud, drills_crud
from core.models import DrillCard, User

STATES = {1: "learning", 2: "review", 3: "relearning"}
RECORD_ATTEMPTS = 3  # a racing finish of the same session loses at most once per table


def end_of_day(now: datetime) -> datetime:
    """'Due today' means due before the next midnight (UTC)."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


class DrillService:
    def __init__(
        self, *, bank: Bank, evaluator_for: Callable[[], Evaluator], clock: Callable[[], datetime]
    ):
        self.bank = bank
        self.evaluator_for = evaluator_for
        self.clock = clock

    # -- cards from interviews -----------------------------------------------------------
    def record_interview(self, db: Session, user: User, session_id: str) -> list[dict[str, Any]]:
        """Cards (new or seen again) and score points from a finished interview; idempotent.
        Two finishes of one session racing (a double click) both get here: the one that loses
        the insert (the cards' and points' unique keys) rolls back and records again, finding
        what the winner wrote."""
        for attempt in range(RECORD_ATTEMPTS):
            try:
                return self._record_interview(db, user, session_id)
            except IntegrityError:
                db.rollback()
                if attempt == RECORD_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _record_interview(self, db: Session, user: User, session_id: str) -> list[dict[str, Any]]:
        s = crud.get_session(db, user_id=user.id, session_id=session_id)
        row = crud.latest_evaluation(db, session_id=session_id) if s else None
        if s is None or row is None:
            raise NotFound(f"no scored session {session_id!r}")
        q = self.bank.questions[s.question_id]
        ev = Evaluation.model_validate(row.result)
        probe_ids = [
            m.meta.get("target", {}).get("probe")
            for m in crud.messages(db, session_id=s.id)
            if m.meta.get("kind") == "probe"
        ]
        now = self.clock()
        touched = []
        for spec in cards.cards_for(ev, q, self.bank, cards.weak_concepts(q, probe_ids)):
            touched.append(self._upsert(db, user, spec, s.id, now))
        if not drills_crud.has_score_points(db, evaluation_id=row.id):
            points: list[tuple[str, str, float]] = [
                ("dimension", str(d.name), d.score) for d in ev.dimensions if d.assessed
            ]
            points += [("topic", t, ev.overall) for t in q.topics]
            drills_crud.add_score_points(
                db, user_id=user.id, evaluation_id=row.id, created_at=row.created_at, points=points
            )
        db.commit()
        return [self.view(c, now) for c in touched]

    def _upsert(
        self, db: Session, user: User, spec: cards.CardSpec, session_id: str, now: datetime
    ) -> DrillCard:
        card = drills_crud.card_by_key(db, user_id=user.id, key=spec.key)
        if card is None:
            card = DrillCard(
                user_id=user.id,
                key=spec.key,
                kind=spec.kind,
                question_id=spec.question_id,
                dimension=spec.dimension,
                topic=spec.topic,
                prompt=spec.prompt,
                reference=spec.reference,
                notes=spec.notes,
                sessions=[session_id],
                created_at=now,
                due=now,
            )
            db.add(card)
        elif session_id not in card.sessions:
            # Missed again in a new interview: it is due now, whatever FSRS had planned.
            card.sessions = [*card.sessions, session_id]
            card.due = min(schedule.aware(card.due), now)
        db.flush()
        return card

    # -- the due list --------------------------------------------------------------------
    def due(self, db: Session, user: User, *, limit: int = 20) -> dict[str, Any]:
        now = self.clock()
        today = end_of_day(now)
        rows = drills_crud.due_cards(db, user_id=user.id, before=today, limit=limit)
        return {
            "now": now.isoformat(),
            "due_now": drills_crud.count_due(db, user_id=user.id, before=now),
            "due_today": drills_crud.count_due(db, user_id=user.id, before=today),
            "total": drills_crud.count_cards(db, user_id=user.id),
            "cards": [self.view(c, now) for c in rows],
        }

    def get(self, db: Session, user: User, card_id: str) -> dict[str, Any]:
        return self.view(self._own(db, user, card_id), self.clock(), notes_text=True)

    # -- reviews -------------------------------------------------------------------------
    def answer(self, db: Session, user: User, card_id: str, answer: str) -> dict[str, Any]:
        """Grades the answer on the card's reference points; the credit picks the FSRS rating."""
        card = self._own(db, user, card_id)
        if not answer.strip():
            raise Invalid("the answer is empty")
        rules = self.bank.drill_rules
        if rules is None:
            raise Conflict("drill rules are not loaded")
        ev = self.evaluator_for().grade(card.prompt, answer, "senior", card.reference)
        texts = {i.id: i.text for i in rubrics.reference_items(card.reference, card.prompt)}
        points = [(texts[i.id], i.status) for i in ev.items if i.id in texts]
        credit = schedule.credit_of([status for _, status in points])
        rating = rules.rating_for(credit)
        grade = {
            "credit": round(credit, 3),
            "rating": rating,
            "covered": [t for t, st in points if st == "covered"],
            "partial": [t for t, st in points if st == "partial"],
            "missed": [t for t, st in points if st == "missing"],
            "flags": ev.flags,
        }
        return self._review(db, card, rating, "graded", answer=answer, grade=grade)

    def rate(self, db: Session, user: User, card_id: str, *, knew: bool) -> dict[str, Any]:
        """The user's own verdict: 'I knew it' is Good, 'I didn't' is Again."""
        card = self._own(db, user, card_id)
        return self._review(db, card, schedule.MANUAL[knew], "manual")

    def _review(
        self,
        db: Session,
        card: DrillCard,
        rating: Rating,
        source: str,
        *,
        answer: str | None = None,
        grade: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = self.clock()
        first = card.reviews == 0
        schedule.review(card, rating, now)
        drills_crud.add_review(
            db,
            card_id=card.id,
            user_id=card.user_id,
            rating=int(schedule.RATINGS[rating]),
            source=source,
            credit=grade["credit"] if grade else None,
            answer=answer,
            result=grade or {},
            first=first,
            reviewed_at=now,
            due_after=card.due,
        )
        db.commit()
        return {
            "card": self.view(card, now, notes_text=True),
            "rating": rating,
            "source": source,
            "grade": grade,
            "reference": card.reference,
            "next_due": schedule.aware(card.due).isoformat(),
        }

    # -- views ---------------------------------------------------------------------------
    def _own(self, db: Session, user: User, card_id: str) -> DrillCard:
        card = drills_crud.get_card(db, user_id=user.id, card_id=card_id)
        if card is None:
            raise NotFound(f"no drill card {card_id!r}")
        return card

    def view(self, card: DrillCard, now: datetime, *, notes_text: bool = False) -> dict[str, Any]:
        notes = [
            {**n, "text": cards.section_text(self.bank, n["note"], n.get("section"))}
            if notes_text
            else dict(n)
            for n in card.notes
        ]
        due = schedule.aware(card.due)
        return {
            "id": card.id,
            "kind": card.kind,
            "topic": card.topic,
            "prompt": card.prompt,
            "question_id": card.question_id,
            "dimension": card.dimension,
            "due": due.isoformat(),
            "is_due": due <= now,
            "state": "new" if card.reviews == 0 else STATES.get(card.fsrs_state, "review"),
            "reviews": card.reviews,
            "lapses": card.lapses,
            "interviews": len(card.sessions),
            "notes": notes,
        }
