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


@pytest.mark.parametrize(
    ("cores", "workers", "threads"), [(2, 1, 1), (8, 1, 4), (8, 2, 2), (8, 8, 1), (1, 1, 1)]
)
def test_a_server_worker_leaves_cores_to_its_requests(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int, threads: int
) -> None:
    from core.settings import server_embed_threads

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert server_embed_threads(workers) == threads


def test_the_app_a_bare_uvicorn_starts_gets_the_server_thread_count(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> None:
    from api import main
    from core.settings import Settings, server_embed_threads

    seen: list[int] = []
    monkeypatch.setattr(main, "get_settings", lambda: Settings(data_dir=tmp_path))
    monkeypatch.setattr(
        main, "create_app", lambda settings, **_: seen.append(settings.embed_threads)
    )
    main.app_from_env()
    assert seen == [server_embed_threads()]
    monkeypatch.setattr(main, "get_settings", lambda: Settings(data_dir=tmp_path, embed_threads=3))
    main.app_from_env()
    assert seen[-1] == 3  # a count the user set is kept
