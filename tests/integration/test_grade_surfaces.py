"""`tradeoff grade` (single and batch) and POST /api/grade."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app

ANSWER = (
    "We use a token bucket per API key in Redis, because it allows short bursts while "
    "capping the average rate. If Redis is down we fail open for a few seconds."
)


def test_grade_cli_json_and_scorecard(tmp_path, settings) -> None:
    answer = tmp_path / "a.md"
    answer.write_text(ANSWER)
    out = CliRunner().invoke(
        app, ["grade", "--question", "rate-limiter", "--answer-file", str(answer), "--json"]
    )
    assert out.exit_code == 0, out.output
    ev = json.loads(out.stdout)
    assert ev["question_id"] == "rate-limiter" and len(ev["dimensions"]) == 7
    card = CliRunner().invoke(
        app, ["grade", "--question", "rate-limiter", "--answer-file", str(answer)]
    )
    assert card.exit_code == 0 and "verdict" in card.stdout and "requirements" in card.stdout


def test_grade_cli_refuses_bad_input_with_one_line(tmp_path, settings) -> None:
    answer = tmp_path / "a.md"
    answer.write_text(ANSWER)
    unknown = CliRunner().invoke(app, ["grade", "--question", "nope", "--answer-file", str(answer)])
    assert unknown.exit_code == 2 and "no question 'nope'" in unknown.output
    missing = CliRunner().invoke(
        app, ["grade", "--question", "rate-limiter", "--answer-file", str(tmp_path / "missing.md")]
    )
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_grade_batch_writes_all_lines_or_nothing(tmp_path, settings) -> None:
    good = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "question": "rate-limiter", "answer": ANSWER},
        {
            "id": "b",
            "question_text": "What is a write-ahead log for?",
            "answer": "It records changes durably before applying them, for crash recovery.",
            "reference": "A log of changes written before the data pages, replayed after a crash.",
            "level": "mid",
        },
    ]
    good.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["grade", "--batch", str(good), "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"] and lines[1]["question_id"] is None
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(rows[0]) + "\n" + json.dumps({"id": "c", "answer": "x"}))
    out2 = tmp_path / "out2.jsonl"
    res = CliRunner().invoke(app, ["grade", "--batch", str(bad), "--out", str(out2)])
    assert res.exit_code == 2 and ":2:" in res.output and not out2.exists()


def test_api_grade(client) -> None:
    ok = client.post("/api/grade", json={"question": "rate-limiter", "answer": ANSWER})
    assert ok.status_code == 200 and ok.json()["engine"] == "offline"
    assert client.post("/api/grade", json={"question": "nope", "answer": "x"}).status_code == 404
    both = client.post(
        "/api/grade", json={"question": "rate-limiter", "question_text": "Design", "answer": "x"}
    )
    assert both.status_code == 422
    huge = client.post("/api/grade", json={"question": "rate-limiter", "answer": "x" * 20_001})
    assert huge.status_code == 422
