"""`tradeoff interview`: a terminal interview on the API's engine, stored in the web history."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import cli.interview_cmds as interview_cmds
from cli.main import app
from content.schema import DIMENSIONS
from core.settings import Settings, get_settings
from wiring import Container

runner = CliRunner()
STEP_MINUTES = 7  # longer than most phase budgets: every turn moves the rate limiter on

ANSWERS = [
    "Limits are per API key by plan and per IP for abuse, per second with a daily quota.\n"
    "Hard limits return 429 with Retry-After; a small burst allowance is fine.",
    "Peak is about 1M checks per second across regions; state is ~500k active keys.",
    "POST /check {key, endpoint, cost} returns allow or deny and remaining tokens.\n"
    "Rules live in a config table: plan -> limit per endpoint, with overrides per customer.",
]


class TickingClock:
    """Each reading moves time on, so phase budgets run out turn by turn."""

    def __init__(self, step: float):
        self.now = 1_000_000.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def cli_settings(app_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The CLI's get_settings() reads the data dir whose notes are already indexed."""
    monkeypatch.setenv("TRADEOFF_DATA_DIR", str(app_settings.data_dir))
    monkeypatch.setenv("COLUMNS", "160")  # rich: keep table cells on one line
    get_settings.cache_clear()
    return app_settings


@pytest.fixture
def ticking(monkeypatch: pytest.MonkeyPatch) -> TickingClock:
    clock = TickingClock(STEP_MINUTES * 60)
    monkeypatch.setattr(
        interview_cmds, "_container", lambda: Container(get_settings(), clock=clock)
    )
    return clock


def _script(*entries: str) -> str:
    """Answers end with a '.' line; commands stand alone."""
    return "".join(e + "\n" if e.startswith("/") else e + "\n.\n" for e in entries)


def _interview(*args: str, stdin: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["interview", *args], input=stdin)


def _assert_scorecard(output: str) -> None:
    assert "scorecard" in output
    assert "overall" in output and "verdict" in output
    for dim in DIMENSIONS:
        assert dim in output, f"dimension {dim} missing from the scorecard:\n{output}"


def test_mock_interview_advances_phases_streams_replies_and_prints_a_scorecard(
    cli_settings: Settings, ticking: TickingClock, client
) -> None:
    res = _interview(
        "--question", "rate-limiter", stdin=_script(*ANSWERS[:2], "/hint", ANSWERS[2], "/finish")
    )
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "Design a distributed rate limiter" in out
    phases = ["phase: requirements", "phase: estimation", "phase: API and data model"]
    positions = [out.find(p) for p in phases]
    assert -1 not in positions and positions == sorted(positions), out
    assert out.count("interviewer\n") == 4  # the opening and one reply per answer
    assert "hints are only given in coach mode" in out
    _assert_scorecard(out)

    # stored like the API stores it: the web UI's history lists it, graded and finished
    history = client.get("/api/sessions").json()
    assert history["total"] == 1
    session = history["items"][0]
    assert session["question"]["id"] == "rate-limiter"
    assert session["status"] == "finished" and session["overall"] is not None
    assert session["id"] in out
    msgs = client.get(f"/api/sessions/{session['id']}").json()["messages"]
    assert [m["role"] for m in msgs].count("candidate") == 3
    assert msgs[1]["content"] == ANSWERS[0]  # multi-line answers arrive whole


def test_coach_mode_gives_climbing_hints_and_grades(cli_settings: Settings, client) -> None:
    res = _interview(
        "--question",
        "rate-limiter",
        "--mode",
        "coach",
        "--level",
        "mid",
        stdin=_script(ANSWERS[0], "/hint", "/hint", "/finish"),
    )
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "mode coach  level mid" in out
    assert "hint (level 1)" in out and "hint (level 2)" in out
    assert "see:" in out  # the second hint cites a study note
    _assert_scorecard(out)
    assert "hints_used" in out
    session = client.get("/api/sessions").json()["items"][0]
    assert (session["mode"], session["level"], session["hints_used"]) == ("coach", "mid", 2)


def test_the_interview_ends_by_itself_and_is_graded(cli_settings: Settings, ticking) -> None:
    answers = [ANSWERS[i % len(ANSWERS)] for i in range(12)]
    res = _interview("--question", "rate-limiter", stdin=_script(*answers))
    assert res.exit_code == 0, res.output
    assert "phase: wrap-up" in res.stdout
    assert "the interview is over" in res.stdout
    _assert_scorecard(res.stdout)


def test_eof_sends_the_last_answer_and_leaves_the_session_open(
    cli_settings: Settings, client
) -> None:
    res = _interview("--question", "rate-limiter", stdin="We limit per API key.\nAnd per IP.")
    assert res.exit_code == 0, res.output
    assert "is saved" in res.stdout
    session = client.get("/api/sessions").json()["items"][0]
    assert session["status"] == "active"
    msgs = client.get(f"/api/sessions/{session['id']}").json()["messages"]
    assert msgs[1]["content"] == "We limit per API key.\nAnd per IP."
    assert msgs[-1]["role"] == "interviewer"


def test_unknown_question_is_one_error_line_and_exit_2(cli_settings: Settings) -> None:
    res = _interview("--question", "rate-limitr", stdin="")
    assert res.exit_code == 2
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    assert "no question 'rate-limitr'" in lines[0] and "rate-limiter" in lines[0]
    assert res.stdout == ""
