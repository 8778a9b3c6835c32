"""`tradeoff serve --workers`: a number, or auto (one per core, the default off loopback)."""

from __future__ import annotations

import os

import pytest
import typer

from cli.main import worker_count


def test_loopback_defaults_to_one_worker_and_other_binds_to_one_per_core() -> None:
    cores = os.cpu_count() or 1
    assert worker_count(None, loopback=True) == 1
    assert worker_count(None, loopback=False) == min(64, cores)
    assert worker_count("auto", loopback=True) == min(64, cores)
    assert worker_count("3", loopback=False) == 3


@pytest.mark.parametrize("bad", ["0", "65", "two", "-1"])
def test_a_bad_count_is_refused(bad: str) -> None:
    with pytest.raises(typer.Exit):
        worker_count(bad, loopback=True)
