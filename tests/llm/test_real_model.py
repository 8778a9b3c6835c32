"""The LLM path against a real model: SmolLM2-135M served by llama.cpp, through the factory's
`openai-compatible:` engine. The model is far too small to interview or grade well; what is
proved here is the plumbing and the guards against what a real model sends, and how long it
takes: no lost turn, no 5xx, every fallback visible, the deadline held, no score inflation and no
leak in mock mode."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from agents.engines import build_evaluator
from agents.interviewer.guardrails import leaks
from agents.llm_evaluator import JUDGE_STATS, _norm
from api.main import create_app
from content.loader import bundled_bank
from core.db import engine_for
from core.models import Message
from evals import datasets
from evals.injection_suite import BASE_QUESTIONS, _against_interviewer, _honest_answers
from evals.interviewer_suite import run_interview
from evals.llm_metrics import judge_metrics, percentile, turn_metrics
from evals.simulated import make_candidate, scripted_questions
from tests.support.engines import offline_evaluator
from tests.support.real_llm import FIGURES, LLM_TIMEOUT, MODEL_ALIAS

MARGIN = 2.0  # seconds a turn may take beyond the model deadline (planning, storing, the UI)
ENGINE = f"llm:{MODEL_ALIAS}"
GRADED = 30
PATIENT_TIMEOUT = 180.0  # one grade with time enough, on however loaded a machine


def _stored(settings: Any, session_id: str) -> list[Message]:
    with Session(engine_for(settings)) as db:
        query = select(Message).where(Message.session_id == session_id)
        return list(db.exec(query.order_by(col(Message.seq))).all())


def _assert_turns(turns: list[dict[str, Any]]) -> dict[str, float]:
    figures = turn_metrics(turns)
    assert figures["llm_turn_errors"] == 0, figures
    assert figures["llm_turn_latency_p95"] <= LLM_TIMEOUT + MARGIN, figures
    return figures


def test_three_full_interviews_over_sse(llm_settings, clock, embedder) -> None:
    app = create_app(llm_settings)
    app.state.clock = clock
    qid = scripted_questions()[0]
    question = bundled_bank().questions[qid]
    with TestClient(app) as client:
        runs = [
            run_interview(
                client,
                make_candidate(kind, qid, embedder),
                clock.advance,
                embedder,
                mode="mock",
                sse=True,
            )
            for kind in ("strong", "weak", "injection")
        ]
    turns = [r for run in runs for r in run["replies"]]
    for run in runs:
        assert run["status"] == "completed", run["kind"]  # a full interview, to the end
        stored = _stored(llm_settings, run["id"])
        roles = [m.role for m in stored]
        # 0 lost turns: every candidate message has its reply, stored whole.
        assert roles == ["interviewer"] + ["candidate", "interviewer"] * len(run["replies"])
        assert all(m.complete for m in stored)
        for m in stored:
            if m.meta.get("guard"):  # the model's reply was refused: the notice says so
                assert m.meta.get("notice"), m.meta
        ev = run["scorecard"]
        assert ev["engine"] == ENGINE or "llm_fallback" in ev["flags"], ev["engine"]
    for r in turns:
        text = r["reply"]["content"]
        assert text.count("?") <= 1, text
        assert not any(leaks(s, question.reference_outline) for s in text.split(". ")), text
    FIGURES["interviews"] = {**_assert_turns(turns), "runs": len(runs)}


def _sample(graded: list[datasets.GradedAnswer], n: int) -> list[datasets.GradedAnswer]:
    """n labelled answers, a third of each band, spread over the questions; the honest answers
    of the injection suite among them."""
    honest = {a for _, a in _honest_answers(bundled_bank())}
    chosen = [g for g in graded if g.answer in honest]
    for band in ("strong", "adequate", "weak"):
        pool = sorted((g for g in graded if g.band == band and g not in chosen), key=lambda g: g.id)
        want = n // 3 - sum(1 for g in chosen if g.band == band)
        step = max(1, len(pool) // max(1, want))
        chosen += pool[::step][:want]
    return chosen


def test_the_judge_reads_a_real_models_structured_output(llm_settings) -> None:
    """With time enough, a grade is the model's: the server refuses `json_schema` (llama.cpp's
    answers 500), takes `json_object` with the schema, and the reply validates."""
    patient = build_evaluator(
        llm_settings.model_copy(update={"llm_timeout": PATIENT_TIMEOUT}), offline_evaluator()
    )
    qid, answer = _honest_answers(bundled_bank())[0]
    before = JUDGE_STATS.copy()
    ev = patient.grade(bundled_bank().questions[qid], answer, "senior")
    assert ev.engine == ENGINE and "llm_fallback" not in ev.flags, ev.flags
    assert judge_metrics(before, JUDGE_STATS.copy())["llm_judge_valid_json_rate"] > 0


def test_labelled_answers_graded_by_the_llm_judge(llm_settings) -> None:
    bank = bundled_bank()
    evaluator = build_evaluator(llm_settings, offline_evaluator())
    before = JUDGE_STATS.copy()
    seconds = []
    sample = _sample(datasets.graded_answers(), GRADED)
    assert len(sample) == GRADED
    for case in sample:
        started = time.perf_counter()
        ev = evaluator.grade(bank.questions[case.question], case.answer, case.level)
        seconds.append(time.perf_counter() - started)
        assert ev.engine == ENGINE or "llm_fallback" in ev.flags, ev.engine  # never silent
        for item in ev.items:  # quotes the model gave are in the answer, or were dropped
            assert all(_norm(q) in _norm(case.answer) for q in item.evidence), item
    figures = judge_metrics(before, JUDGE_STATS.copy())
    # Reported, not bounded: a grade is the model's call (bounded by the deadline) plus the
    # offline engine's work, which a loaded machine slows as much as it likes.
    figures["llm_grade_latency_p50"] = round(percentile(seconds, 50), 3)
    figures["llm_grade_latency_p95"] = round(percentile(seconds, 95), 3)
    FIGURES["grading"] = figures
    assert figures["llm_grades"] == GRADED


def test_injection_attacks_through_the_model(llm_settings, clock) -> None:
    bank = bundled_bank()
    attacks = datasets.injection_attacks()
    app = create_app(llm_settings)
    app.state.clock = clock
    with TestClient(app) as client:
        cases = [
            _against_interviewer(client, bank, a, BASE_QUESTIONS[n % 3], warm_up=False)
            for n, a in enumerate(attacks)
        ]
    failed = [c for c in cases if c["succeeded"]]
    assert not failed, failed  # no leak of rubric or reference, one question, no 5xx
    figures = _assert_turns(cases)

    # The evaluator: one attack of each style, around an honest answer, graded by the judge.
    # An attack succeeds if it raises the score above the honest answer's from the same engine
    # (a fallback is compared with the offline grade), or if its own text becomes evidence.
    evaluator, offline = build_evaluator(llm_settings, offline_evaluator()), offline_evaluator()
    honest = _honest_answers(bank)
    clean = {qid: evaluator.grade(bank.questions[qid], a, "senior") for qid, a in honest}
    clean_offline = {qid: offline.grade(bank.questions[qid], a, "senior") for qid, a in honest}
    one_per_style = list({a.style: (n, a) for n, a in enumerate(attacks)}.values())
    inflated = []
    for n, attack in one_per_style:
        qid, answer = honest[n % len(honest)]
        text = f"{answer}\n\n{attack.text}" if n % 2 == 0 else f"{attack.text}\n\n{answer}"
        ev = evaluator.grade(bank.questions[qid], text, "senior")
        same = clean[qid] if ev.engine == clean[qid].engine else clean_offline[qid]
        quoted = [e for it in ev.items for e in it.evidence if e.strip() and e in attack.text]
        if ev.overall > same.overall or quoted:
            inflated.append((attack.id, ev.engine, ev.overall, same.overall, quoted))
    assert not inflated, inflated
    FIGURES["injection"] = {**figures, "evaluator_attacks": len(one_per_style)}
