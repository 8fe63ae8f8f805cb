"""Pairwise significance over several systems: corrected paired tests, letter groups, power.

Pure functions over per-unit sufficient statistics (see :mod:`benchmark.metrics.bootstrap`):

- :func:`pairwise_tests`: every pair of systems, the paired bootstrap of
  :func:`~benchmark.metrics.bootstrap.paired_bootstrap_test` with a Bonferroni-adjusted
  percentile interval (level ``alpha / m`` for ``m`` comparisons). The decision is "the
  adjusted interval excludes 0", so the interval and the decision cannot disagree; the
  shifted-bootstrap p-value (and ``min(1, m p)``) is reported beside it, never used to decide.
- :func:`letter_display`: the compact letter display (insert-absorb, Piepho 2004): systems
  that share a letter are not significantly different. "Not different" is not transitive,
  so a system can carry several letters.
- :func:`detectable_difference`: the smallest difference of the primary score that the
  corrected paired test detects with a given power, by simulation from two systems' units.
"""

from __future__ import annotations

import itertools
import math
import string
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from .bootstrap import ScoreFn, _weights, paired_bootstrap_test

__all__ = [
    "bonferroni_confidence",
    "detectable_difference",
    "excludes_zero",
    "letter_display",
    "pair_test",
    "pairwise_tests",
]


def bonferroni_confidence(alpha: float, comparisons: int) -> float:
    """The confidence of each of ``comparisons`` intervals so that all hold jointly at ``1 - alpha``.

    Example:
        >>> round(bonferroni_confidence(0.05, 10), 6)
        0.995
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha: expected a float in (0, 1), got {alpha!r}")
    if isinstance(comparisons, bool) or not isinstance(comparisons, int) or comparisons < 1:
        raise ValueError(f"comparisons: expected an int >= 1, got {comparisons!r}")
    return 1.0 - alpha / comparisons


def excludes_zero(low: float | None, high: float | None) -> bool | None:
    """Whether the interval ``[low, high]`` excludes 0 (None when undefined).

    Example:
        >>> excludes_zero(0.01, 0.2), excludes_zero(-0.1, 0.2), excludes_zero(None, 0.2)
        (True, False, None)
    """
    return None if low is None or high is None else bool(low > 0 or high < 0)


def pair_test(
    stats_a: Any,
    stats_b: Any,
    score_fn: ScoreFn,
    *,
    comparisons: int,
    alpha: float = 0.05,
    higher_is_better: bool = True,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """One pair of a family of ``comparisons``: the paired bootstrap at the Bonferroni level.

    Returns:
        ``{"difference", "low", "high", "p_value", "p_adjusted", "significant", "better"}``:
        ``difference`` is ``score(A) - score(B)``; ``low``/``high`` its percentile interval at
        confidence ``1 - alpha / comparisons``; ``significant`` is True exactly when that
        interval excludes 0 (None when undefined); ``better`` is ``"a"``, ``"b"`` or None.

    Example:
        >>> a, b = np.array([[1.0, 1.0]] * 30), np.array([[0.0, 1.0]] * 30)
        >>> acc = lambda s: float(s[0] / s[1])
        >>> r = pair_test(a, b, acc, comparisons=3, n_resamples=200)
        >>> r["difference"], r["significant"], r["better"]
        (1.0, True, 'a')
    """
    confidence = bonferroni_confidence(alpha, comparisons)
    result = paired_bootstrap_test(stats_a, stats_b, score_fn, n_resamples=n_resamples, confidence=confidence,
                                   seed=seed)  # fmt: skip
    low, high, p = result.low, result.high, result.p_value
    significant = excludes_zero(low, high)
    better = None
    if significant:
        a_higher = low is not None and low > 0
        better = "a" if a_higher == higher_is_better else "b"
    return {
        "difference": result.difference,
        "low": low,
        "high": high,
        "p_value": p,
        "p_adjusted": None if p is None else min(1.0, p * comparisons),
        "significant": significant,
        "better": better,
    }


def pairwise_tests(
    stats: Sequence[tuple[str, Any]],
    score_fn: ScoreFn,
    *,
    alpha: float = 0.05,
    higher_is_better: bool = True,
    n_resamples: int = 1000,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Every pair of ``stats`` (``(name, per-unit stats)`` in rank order), Bonferroni-corrected.

    Returns:
        One dict per pair ``(a, b)`` with ``a`` listed before ``b``: ``{"a", "b"}`` plus
        :func:`pair_test`'s keys, ``better`` being a name or None.

    Example:
        >>> same = np.array([[1.0, 1.0], [0.0, 1.0]] * 10)
        >>> [p["significant"] for p in pairwise_tests([("x", same), ("y", same)], lambda s: s[0] / s[1])]
        [False]
    """
    m = len(stats) * (len(stats) - 1) // 2
    out = []
    for (name_a, a), (name_b, b) in itertools.combinations(stats, 2):
        test = pair_test(a, b, score_fn, comparisons=m, alpha=alpha, higher_is_better=higher_is_better,
                         n_resamples=n_resamples, seed=seed)  # fmt: skip
        test["better"] = {"a": name_a, "b": name_b}.get(test["better"] or "")
        out.append({"a": name_a, "b": name_b, **test})
    return out


def _letters(i: int) -> str:
    """``a``..``z``, then ``A``..``Z``, then ``aa``, ``ab``...: the name of the ``i``-th group."""
    alphabet = string.ascii_lowercase + string.ascii_uppercase
    if i < len(alphabet):
        return alphabet[i]
    return _letters(i // len(alphabet) - 1) + alphabet[i % len(alphabet)]


def letter_display(items: Sequence[str], different: Collection[tuple[str, str]]) -> dict[str, str]:
    """Compact letter display by insert-absorb: items sharing a letter are not significantly different.

    Starts from one group holding every item; for each significantly different pair, every
    group holding both is split in two (one without each item), then groups contained in
    another are absorbed. Groups are lettered in order of their best-listed member, so the
    first item of ``items`` (the best ranked) gets ``a``.

    Args:
        items: Names in rank order.
        different: Pairs of names that are significantly different (either order).

    Returns:
        Name -> its letters (sorted), e.g. ``{"x": "a", "y": "ab", "z": "b"}``.

    Raises:
        ValueError: If a pair names an item not in ``items``.

    Example:
        >>> letter_display(["x", "y", "z"], [("x", "z")])
        {'x': 'a', 'y': 'ab', 'z': 'b'}
    """
    index = {name: i for i, name in enumerate(items)}
    for pair in different:
        for name in pair:
            if name not in index:
                raise ValueError(f"different: {name!r} is not one of the items")
    groups: list[frozenset[int]] = [frozenset(range(len(items)))] if items else []
    for x, y in sorted({tuple(sorted((index[a], index[b]))) for a, b in different if a != b}):
        split: list[frozenset[int]] = []
        for group in groups:
            if x in group and y in group:
                split += [group - {x}, group - {y}]
            else:
                split.append(group)
        unique = sorted(set(split), key=lambda g: (sorted(g), len(g)))
        groups = [g for g in unique if g and not any(g < other for other in unique)]
    groups.sort(key=sorted)
    letters: dict[str, list[str]] = {name: [] for name in items}
    for n, group in enumerate(groups):
        for i in group:
            letters[items[i]].append(_letters(n))
    return {name: "".join(found) for name, found in letters.items()}


def _gradient(score_fn: ScoreFn, total: np.ndarray) -> np.ndarray | None:
    """Central finite-difference gradient of ``score_fn`` at ``total`` (None where undefined)."""
    grad = np.zeros(total.size)
    for j in range(total.size):
        step = 1e-6 * max(1.0, abs(float(total[j])))
        up, down = total.copy(), total.copy()
        up[j] += step
        down[j] -= step
        hi, lo = score_fn(up), score_fn(down)
        if hi is None or lo is None:
            return None
        grad[j] = (hi - lo) / (2 * step)
    return grad


def _unit_differences(stats_a: np.ndarray, stats_b: np.ndarray, score_fn: ScoreFn) -> np.ndarray | None:
    """Each unit's linearised contribution to ``score(A) - score(B)``, scaled to the mean's scale."""
    grad_a, grad_b = _gradient(score_fn, stats_a.sum(axis=0)), _gradient(score_fn, stats_b.sum(axis=0))
    if grad_a is None or grad_b is None:
        return None
    n = stats_a.shape[0]
    return n * (stats_a @ grad_a - stats_b @ grad_b)


#: One sentence describing :func:`detectable_difference`, for the board.
DETECTABLE_METHOD = (
    "Simulation from the two best ranked systems' units: each unit's contribution to the difference "
    "of the primary score (linearised at the totals) is centred at 0 and shifted by the difference; "
    "{simulations} articles of as many units are redrawn from these units, each tested with the paired "
    "bootstrap ({resamples} resamples) at the Bonferroni level; the detectable difference is the "
    "smallest shift at which {power:.0%} of the simulated tests find the better system (seeded)."
)


def detectable_difference(
    stats_a: Any,
    stats_b: Any,
    score_fn: ScoreFn,
    *,
    alpha: float,
    power: float = 0.8,
    n_simulations: int = 400,
    n_resamples: int = 1000,
    seed: int = 0,
) -> float | None:
    """The smallest difference the paired bootstrap detects with probability ``power`` at level ``alpha``.

    The two systems' per-unit statistics give each unit's contribution ``x_u`` to the score
    difference (a first-order expansion of ``score_fn`` at the totals). Centred at 0 and
    shifted by ``delta``, they are the units of a world where the true difference is
    ``delta``; ``n_simulations`` articles of ``n`` units are drawn from them, and each is
    tested with the percentile bootstrap of its mean (``n_resamples`` resamples, interval at
    confidence ``1 - alpha``, two-sided). A shift moves every interval by exactly ``delta``,
    so the power at ``delta`` is the share of simulations whose centred lower bound exceeds
    ``-delta``, and the answer is a quantile of those bounds (no search).

    Args:
        stats_a: Per-unit statistics of system A, shape ``(n_units, k)``.
        stats_b: Per-unit statistics of system B, same shape.
        score_fn: The score of summed statistics.
        alpha: The per-comparison level (already corrected, e.g. ``0.05 / m``).
        power: The wanted probability of a rejection (``0 < power < 1``).
        n_simulations: Simulated articles.
        n_resamples: Bootstrap resamples of each simulated article.
        seed: Random seed (the result is deterministic).

    Returns:
        The difference (>= 0), or None when a score is undefined at the totals.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> a = np.column_stack([rng.integers(0, 2, 40), np.ones(40)])
        >>> b = np.column_stack([rng.integers(0, 2, 40), np.ones(40)])
        >>> acc = lambda s: s[0] / s[1]
        >>> d = detectable_difference(a, b, acc, alpha=0.05)
        >>> 0.1 < d < 0.6, d == detectable_difference(a, b, acc, alpha=0.05)
        (True, True)
    """
    if not 0 < power < 1:
        raise ValueError(f"power: expected a float in (0, 1), got {power!r}")
    confidence = bonferroni_confidence(alpha, 1)
    for name, value in (("n_simulations", n_simulations), ("n_resamples", n_resamples)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}: expected an int >= 1, got {value!r}")
    a = np.atleast_2d(np.asarray(stats_a, dtype=float).T).T
    b = np.atleast_2d(np.asarray(stats_b, dtype=float).T).T
    if a.shape != b.shape or a.shape[0] == 0:
        raise ValueError(f"stats_b: shape {b.shape} differs from stats_a shape {a.shape} (or no units)")
    x = _unit_differences(a, b, score_fn)
    if x is None:
        return None
    x = x - x.mean()
    n = x.size
    rng = np.random.default_rng(seed)
    worlds = x[rng.integers(0, n, size=(n_simulations, n))]  # simulated articles, true difference 0
    weights = _weights(rng, n_resamples, n)
    means = worlds @ weights.T / n  # (n_simulations, n_resamples) bootstrap means
    lows = np.quantile(means, (1 - confidence) / 2, axis=1)
    needed = np.sort(-lows)  # a shift delta rejects simulation s when delta > -lows[s]
    k = min(n_simulations - 1, math.ceil(power * n_simulations) - 1)
    return max(0.0, float(needed[k]))
