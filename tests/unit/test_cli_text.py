"""The command line's own text: help without stray metavars, quotes cut between words."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.grade_cmds import clip
from cli.main import app


@pytest.mark.parametrize("args", [[], ["grade"], ["search"], ["interview"], ["eval"]])
def test_help_shows_no_bool_metavar(args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "--help" in result.output and "<bool>" not in result.output


def test_quotes_are_cut_between_words_with_an_ellipsis() -> None:
    text = "Each partition is a Raft group of three brokers in different zones, holding a log."
    cut = clip(text, width=40)
    assert cut.endswith(" …") and len(cut) <= 40
    assert text.startswith(cut[:-2])  # whole words only
    assert cut[:-2].split()[-1] in text.split()
    assert clip("short", width=40) == "short"
