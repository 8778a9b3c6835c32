"""Batch grading throughput: the `tradeoff grade --batch` path (`agents.grading.grade_stream`)
with the offline evaluator, on short answers built from the eval datasets."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from agents.evaluation import GradeInput
from bench import profile
from bench.harness import figure

TARGET_PER_S = 50.0
MIN_ANSWERS = 200


def batch_requests() -> list[GradeInput]:
    """The short-answer set as is, plus the graded bank answers cut to their first 1, 2 and 3
    sentences: all distinct texts, so no embedding cache flatters the figure."""
    from evals.datasets import graded_answers, short_answers

    requests = [
        GradeInput(id=s.id, question_text=s.question_text, answer=s.answer, reference=s.reference)
        for s in short_answers()
    ]
    for a in graded_answers():
        sentences = re.split(r"(?<=[.!?])\s+", " ".join(a.answer.split()))
        for n in (1, 2, 3):
            answer = " ".join(sentences[:n])
            requests.append(
                GradeInput(id=f"{a.id}-{n}", question=a.question, answer=answer, level=a.level)
            )
    return requests


def grade_all() -> list[dict[str, Any]]:
    """The timed part alone (what the profile samples)."""
    from agents.grading import grade_stream
    from core.settings import get_settings
    from wiring import Container

    parts = Container(get_settings())
    return list(grade_stream(parts.offline_evaluator, batch_requests(), parts.bank))


def run(workdir: Path | None = None) -> dict[str, Any]:
    from agents.grading import grade_stream
    from core.settings import get_settings
    from wiring import Container

    parts = Container(get_settings())
    bank = parts.bank
    started = time.perf_counter()
    evaluator = parts.offline_evaluator
    warm = [GradeInput(question="url-shortener", answer="I would cache hot links in Redis.")]
    list(grade_stream(evaluator, warm, bank))  # model load + rubric embeddings, timed apart
    warm_s = time.perf_counter() - started
    requests = batch_requests()
    assert len(requests) >= MIN_ANSWERS, len(requests)
    started = time.perf_counter()
    rows = list(grade_stream(evaluator, requests, bank))
    seconds = time.perf_counter() - started
    per_s = round(len(rows) / seconds, 1)
    details = {
        "answers": len(rows),
        "seconds": round(seconds, 2),
        "answers_per_s": per_s,
        "warm_up_s": round(warm_s, 2),
    }
    if per_s < TARGET_PER_S and workdir is not None and profile.available():
        code = "from bench.grading import grade_all; grade_all()"
        details["profile"] = profile.record_call(code, workdir, profile.GRADING_BUCKETS)
    note = f"{len(rows)} answers in {seconds:.1f} s (+{warm_s:.1f} s model load, once)"
    rows_out = [
        figure(
            "batch grading throughput (offline)",
            per_s,
            "answers/s",
            f"≥ {TARGET_PER_S:g}",
            per_s >= TARGET_PER_S,
            note,
        )
    ]
    return {"details": details, "figures": rows_out}
