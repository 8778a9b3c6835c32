"""Simulated candidates with planted flaws: wrong estimates, unit slips, inputs that contradict
the interviewer's numbers, self-contradictions, clean controls, and twists adapted to or not.

Each case of `evals/data/estimates/` is planted in an interview through the HTTP API: the flawed
message is sent, and the interviewer's very next reply must question it (a false alarm when the
case is clean: a numbers probe on a correct message, or a contradiction probe on a message that
agrees with the earlier commitment it follows). Arithmetic and unit slips are also replayed
put right and corrected after the probe, in the same interview, to check that the grade follows
the numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from agents.estimates import check_message
from agents.evaluator import OfflineEvaluator
from evals import datasets
from evals.schema import SLIP_KINDS, EstimateCase
from evals.simulated import make_candidate
from evals.splits import split_of

PLANTED_TURNS = 4  # the planted messages, then a few scripted answers
NUMBER_KINDS = ("arithmetic", "unit_slip", "scale_contradiction")
PROBE_KIND = {k: "numbers" for k in NUMBER_KINDS} | {"self_contradiction": "contradiction"}


def _dimension(ev: dict[str, Any], name: str) -> float:
    return next(d["score"] for d in ev["dimensions"] if d["name"] == name)


def _run(
    run_interview: Callable[..., dict[str, Any]],
    evaluator: OfflineEvaluator,
    question: str,
    planted: list[str],
    seed: str,
) -> dict[str, Any]:
    cand = make_candidate("strong", question, evaluator.embedder)
    cand.planted = list(planted)
    cand.kind = f"planted-{seed}"
    return run_interview(cand, turns=len(planted) + PLANTED_TURNS)


def run_planted(
    run_interview: Callable[..., dict[str, Any]],
    evaluator: OfflineEvaluator,
    split: str | None = "validation",
    progress: Callable[[int], None] | None = None,
    per_kind: int | None = None,
) -> dict[str, Any]:
    """`run_interview(candidate, turns=...)` runs one interview and returns its record.

    `per_kind` keeps only the first that many cases of each kind, in file order: a fixed sample
    for tests that check the path, not the rates (the eval gate runs every case)."""
    cases = [c for c in datasets.estimate_cases() if split is None or split_of(c.question) == split]
    if per_kind is not None:
        by_kind: dict[str, list[EstimateCase]] = defaultdict(list)
        for c in cases:
            by_kind[c.kind].append(c)
        cases = [c for c in cases if by_kind[c.kind].index(c) < per_kind]
    probed: dict[str, list[bool]] = defaultdict(list)
    listed: list[bool] = []
    runs: dict[str, dict[str, Any]] = {}
    for case in cases:
        planted = [case.earlier, case.message] if case.earlier else [case.message]
        run = _run(run_interview, evaluator, case.question, planted, case.id)
        runs[case.id] = run
        reply = run["replies"][len(planted) - 1]["reply"]
        if case.kind == "clean":
            # A correct message questioned on its numbers; one that agrees with the earlier
            # commitment it follows (the same subject again) questioned as a contradiction.
            probed["clean"].append(reply.get("kind") == "numbers")
            if case.earlier:
                probed["consistent"].append(reply.get("kind") == "contradiction")
            said = " ".join(planted)
            claims = {e.claim.text for e in check_message(said)}
            listed.append(claims <= {n["claim"] for n in run["scorecard"]["numbers"]})
        else:
            probed[case.kind].append(reply.get("kind") == PROBE_KIND[case.kind])
        if progress:
            progress(1)
    grade = _grade_follows_numbers(run_interview, evaluator, cases, runs)
    rate = {k: round(sum(v) / len(v), 4) for k, v in probed.items() if v}
    numbers = [x for k in NUMBER_KINDS for x in probed.get(k, [])]
    return {
        "metrics": {
            "interviewer_estimate_probe_rate": round(sum(numbers) / max(1, len(numbers)), 4),
            "interviewer_contradiction_probe_rate": rate.get("self_contradiction", 0.0),
            "interviewer_number_false_alarm_rate": rate.get("clean", 0.0),
            "interviewer_contradiction_false_alarm_rate": rate.get("consistent", 0.0),
            "interviewer_numbers_listed_rate": round(sum(listed) / max(1, len(listed)), 4),
            **grade,
            "interviewer_planted_cases": len(cases),
        },
        "by_kind": rate,
    }


def _grade_follows_numbers(
    run_interview: Callable[..., dict[str, Any]],
    evaluator: OfflineEvaluator,
    cases: list[EstimateCase],
    runs: dict[str, dict[str, Any]],
) -> dict[str, float]:
    """Per slip with its corrected message (`EstimateCase.corrected`), three runs of the same
    interview (same seed, same candidate): the message put right, the slip left standing, and the
    slip corrected after the probe. Requirements must score higher without the slip than with it
    standing, and higher with it corrected than standing."""
    lower, cheaper = [], []
    for c in cases:
        if c.kind not in SLIP_KINDS or c.corrected is None:
            continue
        standing = _dimension(runs[c.id]["scorecard"], "requirements")
        clean_run = _run(run_interview, evaluator, c.question, [c.corrected], c.id)
        fixed_run = _run(run_interview, evaluator, c.question, [c.message, c.corrected], c.id)
        lower.append(_dimension(clean_run["scorecard"], "requirements") > standing)
        cheaper.append(_dimension(fixed_run["scorecard"], "requirements") > standing)
    return {
        "interviewer_slip_lowers_requirements_rate": round(sum(lower) / max(1, len(lower)), 4),
        "interviewer_fixed_slip_costs_less_rate": round(sum(cheaper) / max(1, len(cheaper)), 4),
        "interviewer_slip_cases": len(lower),
    }


def twist_runs(
    run_interview: Callable[..., dict[str, Any]],
    evaluator: OfflineEvaluator,
    questions: list[str],
) -> dict[str, float]:
    """Per question, a strong candidate who adapts to the twist and one who ignores it: both get
    exactly one twist, and the adapted one scores higher on the deep dive."""
    once, apart = [], []
    for qid in questions:
        q = evaluator.bank.questions[qid]
        if not q.twists:
            continue
        scores = {}
        for mode in ("adapts", "ignores"):
            cand = make_candidate("strong", qid, evaluator.embedder)
            cand.kind = f"twist-{mode}"
            cand.twist_reply = (
                " ".join(t for tw in q.twists for t in tw.adapted)
                if mode == "adapts"
                else "I would keep the design exactly as it is; nothing needs to change."
            )
            run = run_interview(cand)
            kinds = [r["reply"].get("kind") for r in run["replies"]]
            once.append(kinds.count("twist") == 1)
            scores[mode] = _dimension(run["scorecard"], "deep_dive")
        apart.append(scores["adapts"] > scores["ignores"])
    return {
        "interviewer_one_twist_rate": round(sum(once) / max(1, len(once)), 4),
        "interviewer_twist_scored_apart_rate": round(sum(apart) / max(1, len(apart)), 4),
    }
