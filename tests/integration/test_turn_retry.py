"""A retried turn that starts while the first attempt is still answering: whichever runs second
returns the stored reply, so a candidate message never gets two replies."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from core.db import engine_for, upgrade
from core.settings import Settings
from core.users import local_user
from wiring import Container


def _run(service, settings: Settings, ctx) -> dict:  # type: ignore[no-untyped-def]
    with Session(engine_for(settings), expire_on_commit=False) as db:
        events = list(service.run_turn(db, ctx))
    kind, payload = events[-1]
    assert kind == "done", events[-1]
    return dict(payload)


@pytest.mark.parametrize("retry_first", [False, True], ids=["first-wins", "retry-wins"])
def test_a_message_gets_one_reply_however_its_attempts_interleave(
    app_settings: Settings,
    clock,  # type: ignore[no-untyped-def]
    retry_first: bool,
) -> None:
    upgrade(app_settings.effective_database_url)
    service = Container(app_settings, clock=clock).interview_service
    with Session(engine_for(app_settings), expire_on_commit=False) as db:
        user = local_user(db)
        sid = service.create(db, user, question_id="url-shortener", mode="mock", level="senior")[
            "id"
        ]
        first = service.begin_turn(db, user, sid, "Reads dominate writes, about 100 to 1.")
        retry = service.resume(db, user, sid, first.candidate.id)  # no reply yet: a turn to run
    assert not isinstance(retry, dict)
    order = (retry, first) if retry_first else (first, retry)
    answered = _run(service, app_settings, order[0])
    again = _run(service, app_settings, order[1])
    assert again["reply"] == answered["reply"]
    with Session(engine_for(app_settings)) as db:
        roles = [m["role"] for m in service.get(db, local_user(db), sid)["messages"]]
    assert roles == ["interviewer", "candidate", "interviewer"]
