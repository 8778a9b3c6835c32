"""Persistence on both real backends: migrations, entities, users and keys."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import Session, select

from core.db import get_engine, upgrade
from core.models import Evaluation, InterviewSession, Message, User
from core.users import UserError, create_user, local_user, revoke_user_keys, user_for_key


def test_migrations_create_every_table_and_are_idempotent(database_url: str) -> None:
    upgrade(database_url)  # a second upgrade is a no-op
    tables = set(inspect(get_engine(database_url)).get_table_names())
    assert {
        "user",
        "api_key",
        "interview_session",
        "message",
        "evaluation",
        "document",
        "idempotency_record",
        "drill_card",
        "drill_review",
        "score_point",
        "alembic_version",
    } <= tables


def test_session_messages_and_evaluation_round_trip(database_url: str) -> None:
    engine = get_engine(database_url)
    with Session(engine) as db:
        user = User(name="ada")
        db.add(user)
        db.commit()
        s = InterviewSession(user_id=user.id, question_id="url-shortener", state={"asked": ["a"]})
        db.add(s)
        db.commit()
        for i, role in enumerate(["interviewer", "candidate"]):
            db.add(
                Message(session_id=s.id, seq=i, role=role, content=f"m{i} ✓", phase="requirements")
            )
        db.add(
            Evaluation(
                user_id=user.id,
                session_id=s.id,
                question_id="url-shortener",
                overall=2.75,
                verdict="lean_no_hire",
                engine="offline",
                result={"dimensions": [{"name": "requirements", "score": 3}]},
            )
        )
        db.commit()
        sid = s.id
    with Session(engine) as db:
        s2 = db.get(InterviewSession, sid)
        assert s2 is not None and s2.state == {"asked": ["a"]}
        msgs = db.exec(select(Message).where(Message.session_id == sid).order_by(Message.seq)).all()
        assert [m.content for m in msgs] == ["m0 ✓", "m1 ✓"]
        ev = db.exec(select(Evaluation).where(Evaluation.session_id == sid)).one()
        assert ev.result["dimensions"][0]["score"] == 3


def test_api_keys_are_hashed_resolvable_and_revocable(database_url: str) -> None:
    engine = get_engine(database_url)
    with Session(engine) as db:
        user, key = create_user(db, name="grace")
        assert key.startswith("tk_") and len(key) > 30
        from core.models import ApiKey

        stored = db.exec(select(ApiKey)).all()
        assert all(key not in (k.key_hash, k.prefix) for k in stored)
        found = user_for_key(db, key=key)
        assert found is not None and found.id == user.id
        assert user_for_key(db, key=key + "x") is None
        assert revoke_user_keys(db, name="grace") == 1
        assert user_for_key(db, key=key) is None


def test_duplicate_user_name_is_refused(database_url: str) -> None:
    with Session(get_engine(database_url)) as db:
        create_user(db, name="linus")
        try:
            create_user(db, name="linus")
        except UserError as exc:
            assert "already exists" in str(exc)
        else:
            raise AssertionError("a duplicate user was created")


def test_local_user_is_created_once(database_url: str) -> None:
    with Session(get_engine(database_url)) as db:
        a = local_user(db)
        b = local_user(db)
        assert a.id == b.id
