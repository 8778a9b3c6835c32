"""`tradeoff drill`: a terminal interview makes cards; the drill shows them, grades an answer,
takes a hand rating, and the schedule it prints is the one stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from agents.drills.schedule import aware
from cli.main import app
from core.db import engine_for
from core.models import DrillCard
from core.settings import Settings, get_settings

runner = CliRunner()


@pytest.fixture
def cli_settings(app_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("TRADEOFF_DATA_DIR", str(app_settings.data_dir))
    monkeypatch.setenv("COLUMNS", "160")
    get_settings.cache_clear()
    return app_settings


def test_interview_then_drill(cli_settings: Settings, client) -> None:  # type: ignore[no-untyped-def]
    answer = "I would use a token bucket per API key stored in Redis.\n.\n"
    res = runner.invoke(
        app, ["interview", "--question", "rate-limiter"], input=answer + "/finish\n"
    )
    assert res.exit_code == 0, res.output
    assert "drill card(s) to practise" in res.stdout

    total = client.get("/api/drills/due").json()["total"]
    assert total >= 3
    # Answer the first card with nonsense, rate the second by hand, leave the rest.
    script = "I do not know.\n.\n/knew\n/quit\n"
    res = runner.invoke(app, ["drill", "--limit", "5"], input=script)
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert f"{total} due today" in out
    assert "rating again (graded)" in out and "rating good (manual)" in out
    assert "reference answer" in out and "read:" in out
    assert "reviewed 2 card(s)" in out
    # Both reviewed cards moved to a later day (the CLI runs on the real clock, the test app on
    # a hand-moved one, so the stored rows are read directly).
    with Session(engine_for(cli_settings)) as db:
        rows = db.exec(select(DrillCard)).all()
    reviewed = [r for r in rows if r.reviews]
    assert len(rows) == total and len(reviewed) == 2
    now = datetime.now(UTC)
    assert all(aware(r.due) > now + timedelta(hours=12) for r in reviewed)
    assert all(aware(r.due) <= now for r in rows if not r.reviews)
