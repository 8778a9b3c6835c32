"""Small, dependency-light metric functions used by every suite."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import spearmanr


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return 0.0
    return float(spearmanr(xs, ys).statistic)


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int], n_classes: int) -> float:
    """Cohen's kappa with quadratic weights between two ratings on 0..n_classes-1."""
    observed = np.zeros((n_classes, n_classes))
    for x, y in zip(a, b, strict=True):
        observed[x, y] += 1
    if observed.sum() == 0:
        return 0.0
    weights = np.array(
        [[(i - j) ** 2 / (n_classes - 1) ** 2 for j in range(n_classes)] for i in range(n_classes)]
    )
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    denom = (weights * expected).sum()
    return float(1 - (weights * observed).sum() / denom) if denom else 1.0


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    if len(xs) < 2 or np.std(xs) == 0 or np.std(ys) == 0:
        return 0.0
    return float(np.corrcoef(np.asarray(xs, float), np.asarray(ys, float))[0, 1])


def rmse(xs: Sequence[float], ys: Sequence[float]) -> float:
    a, b = np.asarray(xs, float), np.asarray(ys, float)
    return float(np.sqrt(((a - b) ** 2).mean())) if len(a) else 0.0
