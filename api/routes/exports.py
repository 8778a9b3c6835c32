"""Session export (JSON or Markdown) and import (a JSON export, into this data dir)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from api.deps import DbDep, UserDep
from api.drill_deps import DrillServiceDep
from api.routes.sessions import SessionId
from api.session_export import SessionExport, export_session, import_session, to_markdown

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


@router.get(
    "/{session_id}/export",
    response_model=SessionExport,
    responses={200: {"content": {"text/markdown": {}}}},
)
def export(
    session_id: SessionId,
    db: DbDep,
    user: UserDep,
    drills: DrillServiceDep,
    format: Literal["json", "markdown"] = Query("json"),
) -> Any:
    """The session as JSON (imports elsewhere) or as Markdown to read."""
    data = export_session(db, user, session_id, drills.bank, datetime.now(UTC))
    if format == "markdown":
        return PlainTextResponse(to_markdown(data), media_type="text/markdown")
    return data


@router.post("/import", status_code=201)
def import_(
    body: SessionExport, db: DbDep, user: UserDep, drills: DrillServiceDep
) -> dict[str, str]:
    """Stores a JSON export as a new session of yours (its scorecard makes drill cards)."""
    sid = import_session(db, user, body, drills.bank)
    if body.scorecard is not None:
        drills.record_interview(db, user, sid)
    return {"id": sid}
