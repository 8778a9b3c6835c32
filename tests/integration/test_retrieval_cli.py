"""`tradeoff ingest` and `tradeoff search` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli import retrieval_cmds


@pytest.fixture
def app(settings) -> typer.Typer:
    app = typer.Typer()  # the commands' containers get the run's embedder (tests/conftest.py)
    retrieval_cmds.register(app)
    return app


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "shard.md").write_text("# Sharding\n\nSplit users across databases by a shard key.\n")
    (root / "cdn.txt").write_text("Edge servers cache images close to the users.\n")
    return root


def test_ingest_twice_then_search(app: typer.Typer, tree: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(tree), "--corpus", "study"])
    assert first.exit_code == 0, first.output
    assert "embedded 2" in first.output
    again = runner.invoke(app, ["ingest", str(tree), "--corpus", "study"])
    assert again.exit_code == 0 and "nothing to embed" in again.output

    res = runner.invoke(app, ["search", "shard key", "--k", "1", "--corpus", "study", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)[0]["heading"] == "Sharding"
    plain = runner.invoke(app, ["search", "edge cache"])
    assert plain.exit_code == 0 and "cdn" in plain.output

    batch = tmp_path / "q.jsonl"
    batch.write_text('{"q": "shard key"}\n\n{"q": "images at the edge"}\n')
    res = runner.invoke(app, ["search", "--batch", str(batch), "--k", "2"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.output.splitlines()]
    assert [line["q"] for line in lines] == ["shard key", "images at the edge"]
    assert len(lines[0]["results"]) == 2


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["ingest", "/no/such/path"], "no such file or directory"),
        (["ingest", "{csv}"], "unsupported file type"),
        (["ingest", "{tree}", "--corpus", "Bad Name"], "bad corpus name"),
        (["search", "  "], "empty query"),
        (["search"], "empty query"),
        (["search", "x", "--corpus", "nothing-here"], "no corpus named"),
    ],
)
def test_bad_input_is_one_clear_line(app, tree: Path, tmp_path: Path, args, phrase) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n")
    args = [a.format(csv=csv, tree=tree) for a in args]
    res = CliRunner().invoke(app, args)
    assert res.exit_code != 0
    assert phrase in res.output
    assert len(res.output.strip().splitlines()) == 1
