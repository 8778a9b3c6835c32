"""`--diagram FILE` on `tradeoff grade` and `tradeoff interview`, and `/diagram FILE`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import Settings, get_settings

runner = CliRunner()
DRAWINGS = Path(__file__).resolve().parents[2] / "evals" / "data" / "diagrams"
FLOW = "flowchart LR\n  C[Browser] --> S[Feed service] --> K[[Kafka]]\n  S --> D[(Cassandra)]\n"


@pytest.fixture
def cli_settings(app_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("TRADEOFF_DATA_DIR", str(app_settings.data_dir))
    get_settings.cache_clear()
    return app_settings


def test_grade_reads_a_drawing_and_a_mermaid_file(tmp_path: Path, settings) -> None:
    res = runner.invoke(
        app,
        [
            "grade",
            "--question",
            "payment-processing",
            "--json",
            "--diagram",
            str(DRAWINGS / "payments.excalidraw"),
        ],
    )
    assert res.exit_code == 0, res.output
    ev = json.loads(res.stdout)
    assert ev["question_id"] == "payment-processing"
    assert not {"no_answer", "too_short"} & set(ev["flags"])
    source = tmp_path / "feed.mmd"
    source.write_text(FLOW)
    answer = tmp_path / "a.md"
    answer.write_text("Posts fan out to followers' timelines through Kafka workers.")
    res = runner.invoke(
        app,
        [
            "grade",
            "--question",
            "news-feed",
            "--json",
            "--answer-file",
            str(answer),
            "--diagram",
            str(source),
        ],
    )
    assert res.exit_code == 0, res.output
    quotes = [q for i in json.loads(res.stdout)["items"] for q in i["evidence"]]
    assert any(q.startswith("diagram: ") for q in quotes), quotes


def test_grade_refuses_an_unreadable_drawing_in_one_line(tmp_path: Path, settings) -> None:
    bad = tmp_path / "bad.excalidraw"
    bad.write_text('{"type": "excalidraw",\n "elements": [}')
    res = runner.invoke(app, ["grade", "--question", "news-feed", "--diagram", str(bad)])
    assert res.exit_code == 2
    assert "line 2: not valid JSON" in res.output


def test_interview_sends_the_diagram_with_the_first_answer_and_later_ones(
    tmp_path: Path, cli_settings: Settings, client
) -> None:
    first = tmp_path / "first.mmd"
    first.write_text(FLOW)
    stdin = "Here is my design.\n.\n/diagram " + str(DRAWINGS / "payments.excalidraw") + "\n/quit\n"
    res = runner.invoke(
        app, ["interview", "--question", "news-feed", "--diagram", str(first)], input=stdin
    )
    assert res.exit_code == 0, res.output
    assert "one Cassandra node and no replica" in res.stdout or "nothing consuming" in res.stdout
    session = client.get("/api/sessions").json()["items"][0]
    msgs = client.get(f"/api/sessions/{session['id']}").json()["messages"]
    mine = [m["content"] for m in msgs if m["role"] == "candidate"]
    assert mine[0].startswith("Here is my design.") and "K[[Kafka]]" in mine[0]
    assert "```mermaid" in mine[1] and "Stripe" in mine[1]  # the drawing, as Mermaid
