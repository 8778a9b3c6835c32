"""Fits question resolution's two numbers on the tuning split of `evals/data/resolution/`.

`python -m evals.fit_resolution` prints the best (coverage weight, threshold) by accuracy on the
tuning phrasings, ties broken by the widest gap between matched and unmatched scores, then the
same figures on the validation split for information only. The chosen values are copied into
`agents.resolve.ResolveParams` by hand, so a refit is a visible change.
"""

from __future__ import annotations

import numpy as np

from agents.resolve import QuestionResolver, ResolveParams
from evals import datasets
from evals.splits import split_of

WEIGHTS = tuple(round(w, 2) for w in np.arange(0.0, 1.01, 0.05))


def group_of(bank_id: str | None, record_id: str) -> str:
    """Paraphrases of one bank question share a group (they must not straddle the split)."""
    return bank_id or record_id


Feats = list[tuple[str, float, float]]


def _features(resolver: QuestionResolver, text: str) -> Feats:
    return [(c.question_id, c.dense, c.coverage) for c in resolver.candidates(text)]


def accuracy(
    rows: list[tuple[str | None, Feats]],
    w: float,
    t: float,
) -> tuple[float, float]:
    """Share resolved right, and the gap between the lowest right match and the highest
    wrongly-scored candidate (bigger is a safer threshold)."""
    right = 0
    low_pos, high_neg = 9.0, -9.0
    for truth, feats in rows:
        scored = sorted(((d + w * c, q) for q, d, c in feats), reverse=True)
        best, qid = scored[0]
        got = qid if best >= t else None
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
    best = (-1.0, -9.0, 0.0, 0.0)
    for w in WEIGHTS:
        for t in np.arange(0.3, 1.6, 0.01):
            acc, gap = accuracy(split["tuning"], w, float(t))
            if (acc, gap) > best[:2]:
                best = (acc, gap, w, round(float(t), 2))
    acc, gap, w, t = best
    print(f"tuning: n={len(split['tuning'])} accuracy={acc:.3f} gap={gap:.3f} w={w} t={t}")
    vacc, _ = accuracy(split["validation"], w, t)
    print(f"validation: n={len(split['validation'])} accuracy={vacc:.3f}")


if __name__ == "__main__":
    main()
