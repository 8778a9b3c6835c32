"""The eval suite's acceptance: the baseline gate catches a regression, `tradeoff eval` exits and
reports as documented, and the HTML report shows its plots in a real browser."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import agents.evaluator
import agents.guards
import agents.interviewer.reading
from cli.main import app
from core.settings import Settings, get_settings
from evals import runner

REPO = Path(__file__).resolve().parents[2]
REAL_BASELINE = REPO / "evals" / "baseline.json"
INJECTION_METRICS = ("injection_evaluator_detection_rate", "injection_success_rate")
cli = CliRunner()


def _screening_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Injected text reaches the grader and the interviewer untouched and unflagged."""

    def screen(text: str) -> agents.guards.Screened:
        return agents.guards.Screened(text=text)

    for module in (agents.guards, agents.evaluator, agents.interviewer.reading):
        monkeypatch.setattr(module, "screen", screen)


def _injection_failures(failures: list[str]) -> list[str]:
    return [f for f in failures if f.startswith(INJECTION_METRICS)]


@pytest.fixture
def eval_data_dir(settings: Settings, _indexed_notes: Path) -> Path:
    """The eval's own data dir with the notes already indexed, so its app starts in moments."""
    shutil.copytree(_indexed_notes, settings.data_dir / "eval" / "chroma")
    return settings.data_dir


@pytest.fixture
def eval_cli(eval_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`tradeoff eval` writes under a temp data dir; returns a temp dir for its files."""
    monkeypatch.setenv("TRADEOFF_DATA_DIR", str(eval_data_dir))
    monkeypatch.setenv("COLUMNS", "200")  # rich: one line per failure
    get_settings.cache_clear()
    out = eval_data_dir.parent / "out"
    out.mkdir()
    return out


def _write_baseline(path: Path, metrics: dict[str, dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"engine": "offline", "metrics": metrics}), encoding="utf-8")
    return path


def _eval(*args: str):  # type: ignore[no-untyped-def]
    return cli.invoke(app, ["eval", *args])


# -- the gate --------------------------------------------------------------------------------
def test_gate_fails_when_injection_handling_is_switched_off(
    settings: Settings, eval_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    normal = runner.run_suites(["injection"], settings, "offline")
    with monkeypatch.context() as patch:
        _screening_off(patch)
        unguarded = runner.run_suites(["injection"], settings, "offline")
    assert unguarded.metrics["injection_attacks"] == normal.metrics["injection_attacks"] > 0

    baseline = runner.updated_baseline(normal, None)["metrics"]
    assert set(INJECTION_METRICS) <= set(baseline)
    failures = _injection_failures(runner.gate(unguarded, baseline))
    assert any(f.startswith("injection_evaluator_detection_rate:") for f in failures), failures
    assert _injection_failures(runner.gate(normal, baseline)) == []

    if not REAL_BASELINE.exists():
        pytest.skip(f"{REAL_BASELINE} not written yet; checked against a baseline from this run")
    real = runner.load_baseline(REAL_BASELINE)
    assert set(INJECTION_METRICS) & set(real), "the stored baseline gates no injection metric"
    assert _injection_failures(runner.gate(unguarded, real)), "the stored baseline missed it"
    assert _injection_failures(runner.gate(normal, real)) == []


# -- the command -----------------------------------------------------------------------------
def test_eval_exits_1_and_names_the_regressed_metric(eval_cli: Path) -> None:
    baseline = _write_baseline(
        eval_cli / "too-high.json",
        {
            "injection_evaluator_detection_rate": {
                "value": 1.01,
                "tolerance": 0,
                "higher_is_better": True,
            }
        },
    )
    res = _eval("--suite", "injection", "--engine", "offline", "--baseline", str(baseline))
    assert res.exit_code == 1, res.output
    regressed = [line for line in res.stderr.splitlines() if line.startswith("regressed:")]
    assert len(regressed) == 1, res.stderr
    assert "injection_evaluator_detection_rate" in regressed[0]
    assert "baseline gate: passed" not in res.stdout


def test_eval_passes_a_reachable_baseline_and_writes_every_metric(eval_cli: Path) -> None:
    baseline = _write_baseline(
        eval_cli / "reachable.json",
        {
            "injection_evaluator_detection_rate": {"value": 0.5, "tolerance": 0.02},
            "injection_success_rate": {"value": 0.5, "tolerance": 0, "higher_is_better": False},
        },
    )
    json_out = eval_cli / "metrics.json"
    res = _eval(
        "--suite",
        "injection",
        "--engine",
        "offline",
        "--baseline",
        str(baseline),
        "--json-out",
        str(json_out),
    )
    assert res.exit_code == 0, res.output
    assert "baseline gate: passed" in res.stdout
    assert "regressed:" not in res.output

    written = json.loads(json_out.read_text(encoding="utf-8"))
    assert written["engine"] == "offline" and written["suites"] == ["injection"]
    assert written["failures"] == []
    metrics = written["metrics"]
    expected = {
        "injection_success_rate",
        "injection_evaluator_detection_rate",
        "injection_attacks",
        "injection_interviewer_cases",
        "injection_seconds",
        "wall_seconds",
    }
    assert expected <= set(metrics), sorted(metrics)
    assert all(isinstance(v, int | float) for v in metrics.values())
    for name in expected - {"injection_seconds", "wall_seconds"}:
        assert name in res.stdout  # the table shows what the file holds


def test_unknown_suite_is_an_error_and_exit_2(eval_cli: Path) -> None:
    res = _eval("--suite", "speed")
    assert res.exit_code == 2
    assert "error:" in res.stderr and "unknown suite 'speed'" in res.stderr
    assert res.stdout == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [("not json {", "cannot read baseline"), ('{"values": {}}', "expected {'metrics'")],
)
def test_a_baseline_that_is_not_a_baseline_is_exit_2(
    eval_cli: Path, content: str, message: str
) -> None:
    path = eval_cli / "baseline.json"
    path.write_text(content, encoding="utf-8")
    res = _eval("--suite", "injection", "--baseline", str(path))
    assert res.exit_code == 2
    assert "error:" in res.stderr and message in res.stderr
    assert res.stdout == ""  # refused before anything ran


def test_missing_baseline_file_is_exit_2(eval_cli: Path) -> None:
    res = _eval("--suite", "injection", "--baseline", str(eval_cli / "nowhere.json"))
    assert res.exit_code == 2
    assert "cannot read baseline" in res.stderr


# -- the HTML report in a browser ------------------------------------------------------------
@pytest.mark.e2e
def test_report_opens_in_chromium_with_its_plots(eval_cli: Path) -> None:
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    report_dir = eval_cli / "report"
    res = _eval("--suite", "grading", "--engine", "offline", "--report", str(report_dir))
    assert res.exit_code == 0, res.output
    index = report_dir / "index.html"
    assert index.is_file() and f"report: {index}" in res.stdout.replace("\n", "")

    errors: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.on(
                "console",
                lambda msg: errors.append(msg.text) if msg.type == "error" else None,
            )
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(index.as_uri(), wait_until="load")
            page.wait_for_function(
                "Array.from(document.images).every(i => i.complete)", timeout=30_000
            )
            images = page.eval_on_selector_all(
                "img", "els => els.map(i => ({alt: i.alt, width: i.naturalWidth}))"
            )
            assert [i["alt"] for i in images] == [
                "Score vs band",
                "Confusion matrix",
                "Per-dimension distributions",
            ]
            assert all(i["width"] > 0 for i in images), images
            assert page.get_by_role("heading", name="Grading").is_visible()
            page.screenshot(path=str(SCREENSHOTS / "eval-report.png"), full_page=True)
        finally:
            browser.close()
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)
    assert (SCREENSHOTS / "eval-report.png").stat().st_size > 10_000
