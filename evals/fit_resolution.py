"""Fits question resolution's numbers on the tuning split of `evals/data/resolution/`.

`python -m evals.fit_resolution` prints the best (coverage weight, threshold) by accuracy on the
tuning phrasings, ties broken by the widest gap between matched and unmatched scores, and the
meaning floor: the lowest dense similarity of a tuning paraphrase to its own question, less
FLOOR_MARGIN (no tuning paraphrase is lost to it; a lexical match further off in meaning is no
match). Then the same figures on the validation split, for information only. The chosen values
are copied into `agents.resolve.ResolveParams` by hand, so a refit is a visible change.
"""

from __future__ import annotations

import numpy as np

from agents.resolve import QuestionResolver, ResolveParams
from evals import datasets
from evals.splits import split_of

WEIGHTS = tuple(round(w, 2) for w in np.arange(0.0, 1.01, 0.05))
FLOOR_MARGIN = 0.05


def group_of(bank_id: str | None, record_id: str) -> str:
    """Paraphrases of one bank question share a group (they must not straddle the split)."""
    return bank_id or record_id


Feats = list[tuple[str, float, float]]


def _features(resolver: QuestionResolver, text: str) -> Feats:
    return [(c.question_id, c.dense, c.coverage) for c in resolver.candidates(text)]


def meaning_floor(rows: list[tuple[str | None, Feats]]) -> float:
    """The lowest dense similarity of a paraphrase to its own question, less FLOOR_MARGIN."""
    own = [d for truth, feats in rows for q, d, _ in feats if truth is not None and q == truth]
    return round(min(own) - FLOOR_MARGIN, 2) if own else 0.0


def accuracy(
    rows: list[tuple[str | None, Feats]],
    w: float,
    t: float,
    floor: float = 0.0,
) -> tuple[float, float]:
    """Share resolved right, and the gap between the lowest right match and the highest
    wrongly-scored candidate (bigger is a safer threshold)."""
    rule = ResolveParams(coverage_weight=w, threshold=t, min_dense=floor)
    right = 0
    low_pos, high_neg = 9.0, -9.0
    for truth, feats in rows:
        dense = {q: d for q, d, _ in feats}
        scored = sorted(((d + w * c, q) for q, d, c in feats), reverse=True)
        best, qid = scored[0]
        got = qid if rule.accepts(best, dense[qid]) else None
        right += got == truth
        if truth is not None and qid == truth:
            low_pos = min(low_pos, best)
        else:
            high_neg = max(high_neg, best)
    return right / max(1, len(rows)), low_pos - high_neg


def main() -> None:
    from core.settings import get_settings
    from wiring import Container

    ev = Container(get_settings()).offline_evaluator
    resolver = QuestionResolver(ev.embedder, ev.bank, ResolveParams())
    data = datasets.question_phrasings()
    split = {
        s: [
            (p.bank_id, _features(resolver, p.text))
            for p in data
            if split_of(group_of(p.bank_id, p.id)) == s
        ]
        for s in ("tuning", "validation")
    }
    floor = meaning_floor(split["tuning"])
    best = (-1.0, -9.0, 0.0, 0.0)
    for w in WEIGHTS:
        for t in np.arange(0.3, 1.6, 0.01):
            acc, gap = accuracy(split["tuning"], w, float(t), floor)
            if (acc, gap) > best[:2]:
                best = (acc, gap, w, round(float(t), 2))
    acc, gap, w, t = best
    print(
        f"tuning: n={len(split['tuning'])} accuracy={acc:.3f} gap={gap:.3f} w={w} t={t} "
        f"min_dense={floor}"
    )
    vacc, _ = accuracy(split["validation"], w, t, floor)
    print(f"validation: n={len(split['validation'])} accuracy={vacc:.3f}")


if __name__ == "__main__":
    main()
