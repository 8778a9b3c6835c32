"""The numbers and contradiction checks alone, per file of planted estimation messages.

`python -m evals.checker_report` prints, for each file under evals/data/estimates, how many
planted number errors the checker flags, how many correct messages it flags (false alarms), how
many self-contradictions it finds, and how many consistent same-subject follow-ups (clean cases
with an earlier commitment) it reads as contradicting it. The held-out files were written blind
to the checker; the interviewer suite measures the same checks end to end through the API.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from agents.estimates import check_message, scale_conflicts
from agents.evaluator import OfflineEvaluator
from agents.interviewer.engine import contradicted
from agents.interviewer.reading import stance_hits
from agents.interviewer.ruled_out import ruled_out, taken_up
from evals.datasets import DATA_DIR
from evals.schema import EstimateCase


def _contradicts(ev: OfflineEvaluator, earlier: str, message: str) -> bool:
    """The interviewer's own tests (`contradicted`, `taken_up`), on one earlier message and one
    later."""
    committed = stance_hits(earlier, ev.bank.stances)
    hits = stance_hits(message, ev.bank.stances)
    return any(contradicted(ev.embedder, hit, committed) is not None for hit in hits) or bool(
        taken_up(ruled_out(earlier), message)
    )


def file_report(path: Path, ev: OfflineEvaluator) -> dict[str, tuple[int, int]]:
    """(hits, cases) per measure: numbers caught, false alarms, contradictions caught."""
    bank = ev.bank
    out: dict[str, list[bool]] = defaultdict(list)
    for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
        case = EstimateCase.model_validate(raw)
        if case.kind == "self_contradiction":
            out["contradictions caught"].append(_contradicts(ev, case.earlier or "", case.message))
            continue
        if case.earlier:  # a same-subject follow-up that agrees with the earlier commitment
            out["contradiction false alarms"].append(_contradicts(ev, case.earlier, case.message))
        scale = list(bank.questions[case.question].scale)
        estimates = check_message(case.message)
        flagged = any(e.verdict != "ok" for e in estimates) or bool(
            scale_conflicts(case.message, scale, estimates)
        )
        key = "false alarms" if case.kind == "clean" else "numbers caught"
        out[key].append(flagged)
    return {k: (sum(v), len(v)) for k, v in out.items()}


def main() -> None:
    from core.settings import get_settings
    from wiring import Container

    ev = Container(get_settings()).offline_evaluator
    for path in sorted((DATA_DIR / "estimates").glob("*.yaml")):
        parts = [f"{k} {h}/{n}" for k, (h, n) in sorted(file_report(path, ev).items())]
        print(f"{path.name}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
