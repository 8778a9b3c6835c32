"""A retried turn that starts while the first attempt is still answering: whichever finishes
second returns the stored reply, so a candidate message never gets two replies."""

from __future__ import annotations

from sqlmodel import Session

from api.interview_deps import build_service
from core.db import engine_for, upgrade
from core.settings import Settings
from core.users import local_user


def _run(service, settings: Settings, ctx) -> dict:  # type: ignore[no-untyped-def]
    with Session(engine_for(settings), expire_on_commit=False) as db:
        events = list(service.run_turn(db, ctx))
    kind, payload = events[-1]
    assert kind == "done", events[-1]
    return dict(payload)


def test_a_retry_begun_before_the_reply_returns_that_reply(app_settings: Settings, clock) -> None:  # type: ignore[no-untyped-def]
    upgrade(app_settings.effective_database_url)
    service = build_service(app_settings, clock)
    with Session(engine_for(app_settings), expire_on_commit=False) as db:
        user = local_user(db)
        sid = service.create(db, user, question_id="url-shortener", mode="mock", level="senior")[
            "id"
        ]
        first = service.begin_turn(db, user, sid, "Reads dominate writes, about 100 to 1.")
        retry = service.resume(db, user, sid, first.candidate.id)  # no reply yet: a turn to run
    assert not isinstance(retry, dict)
    answered = _run(service, app_settings, first)
    again = _run(service, app_settings, retry)
    assert again["reply"] == answered["reply"]
    with Session(engine_for(app_settings)) as db:
        roles = [m["role"] for m in service.get(db, local_user(db), sid)["messages"]]
    assert roles == ["interviewer", "candidate", "interviewer"]
