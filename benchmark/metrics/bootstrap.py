"""Bootstrap confidence intervals and paired significance tests over units.

Generic over metrics: the caller supplies per-unit *sufficient statistics* (an array of shape
``(n_units, k)``, e.g. ``tp, fp, fn`` per unit) and a ``score_fn`` mapping a summed statistics
vector of length ``k`` to a score (or ``None`` when undefined). Resampling draws units with
replacement, sums their statistics (one matrix product per batch) and rescores, so any
count-based metric (entity F1, numeric-fact F1, topic accuracy) can use it.

Items are assigned to the unit (a ``(start, end)`` range) that contains their start;
:func:`entity_unit_stats`, :func:`fact_unit_stats` and :func:`accuracy_unit_stats` build the
statistics for the metrics of this package.

With one article (~40 units) the intervals are wide: they describe variation over
paragraphs of this article, not over articles, and should be read as a rough guide. The
percentile method is used; resamples whose score is undefined (``None``) are dropped and
counted in ``n_undefined``.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import to_units
from .counts import Counts

__all__ = [
    "BootstrapResult",
    "PairedTestResult",
    "accuracy_unit_stats",
    "assign_units",
    "bootstrap_ci",
    "counts_f1",
    "counts_precision",
    "counts_recall",
    "entity_unit_stats",
    "fact_unit_stats",
    "paired_bootstrap_test",
    "permutation_test",
    "with_batch",
]

ScoreFn = Callable[[np.ndarray], float | None]


def counts_f1(stats: np.ndarray) -> float | None:
    """F1 from a summed ``(tp, fp, fn)`` vector: ``2tp / (2tp + fp + fn)``.

    Example:
        >>> counts_f1(np.array([3, 1, 1]))
        0.75
    """
    return Counts(float(stats[0]), float(stats[1]), float(stats[2])).f1


def counts_precision(stats: np.ndarray) -> float | None:
    """Precision from a summed ``(tp, fp, fn)`` vector: ``tp / (tp + fp)``.

    Example:
        >>> counts_precision(np.array([3, 1, 1]))
        0.75
    """
    return Counts(float(stats[0]), float(stats[1]), float(stats[2])).precision


def counts_recall(stats: np.ndarray) -> float | None:
    """Recall from a summed ``(tp, fp, fn)`` vector: ``tp / (tp + fn)``.

    Example:
        >>> counts_recall(np.array([1, 0, 3]))
        0.25
    """
    return Counts(float(stats[0]), float(stats[1]), float(stats[2])).recall


def assign_units(units: Sequence[Any], starts: Iterable[int], *, arg: str = "items") -> list[int]:
    """Index of the unit containing each start offset.

    Args:
        units: ``(start, end)`` pairs or dicts with ``start``/``end``; must not overlap.
        starts: Item start offsets.
        arg: Argument name used in error messages.

    Returns:
        One unit index per start.

    Raises:
        ValueError: If units overlap or a start lies outside every unit.

    Example:
        >>> assign_units([(0, 5), (6, 9)], [0, 4, 8])
        [0, 0, 1]
    """
    ulist = to_units("units", units)
    order = sorted(range(len(ulist)), key=lambda i: ulist[i])
    begins = [ulist[i][0] for i in order]
    for a, b in itertools.pairwise(order):
        if ulist[b][0] < ulist[a][1]:
            raise ValueError(f"units: units[{a}] {ulist[a]} and units[{b}] {ulist[b]} overlap")
    out: list[int] = []
    for i, s in enumerate(starts):
        k = bisect.bisect_right(begins, s) - 1
        if k < 0 or not (ulist[order[k]][0] <= s < ulist[order[k]][1]):
            raise ValueError(f"{arg}[{i}]: start {s} lies outside every unit")
        out.append(order[k])
    return out


def entity_unit_stats(
    gold: Iterable[Any],
    pred: Iterable[Any],
    units: Sequence[Any],
    *,
    scheme: str = "strict",
    labels: Iterable[str] | None = None,
    label_map: dict[str, str] | None = None,
) -> np.ndarray:
    """Per-unit ``(tp, fp, fn)`` of an entity scheme, shape ``(n_units, 3)``.

    Each unit is scored as its own document (spans go to the unit containing their start),
    so summed rows give the micro counts (for strict, exactly those of the whole article).

    Args:
        gold: Gold entity records.
        pred: Predicted entity records.
        units: ``(start, end)`` ranges.
        scheme: One of ``strict``, ``exact``, ``partial``, ``type``.
        labels: As in :func:`~benchmark.metrics.entities.score_entities`.
        label_map: As in :func:`~benchmark.metrics.entities.score_entities`.

    Returns:
        A float array of per-unit counts.

    Example:
        >>> entity_unit_stats([(0, 2, "A"), (5, 7, "A")], [(0, 2, "A")], [(0, 4), (4, 8)])
        array([[1., 0., 0.],
               [0., 0., 1.]])
    """
    from .entities import _score_sets, prepare_spans

    lab = sorted(set(labels)) if labels is not None else None
    g, _ = prepare_spans(gold, arg="gold", label_map=label_map, labels=lab)
    p, _ = prepare_spans(pred, arg="pred", label_map=label_map, labels=lab)
    gs, ps = sorted(g), sorted(p)
    gu = assign_units(units, [s[0] for s in gs], arg="gold")
    pu = assign_units(units, [s[0] for s in ps], arg="pred")
    n = len(to_units("units", units))
    g_by: list[set[Any]] = [set() for _ in range(n)]
    p_by: list[set[Any]] = [set() for _ in range(n)]
    for u, s in zip(gu, gs, strict=True):
        g_by[u].add(s)
    for u, s in zip(pu, ps, strict=True):
        p_by[u].add(s)
    out = np.zeros((n, 3))
    for u in range(n):
        if g_by[u] or p_by[u]:
            c = _score_sets(g_by[u], p_by[u], (scheme,))[scheme].micro.counts
            out[u] = (c.tp, c.fp, c.fn)
    return out


def fact_unit_stats(
    gold: Sequence[Any], pred: Sequence[Any], units: Sequence[Any], **kwargs: Any
) -> np.ndarray:
    """Per-unit fact-level ``(tp, fp, fn)`` of numeric facts, shape ``(n_units, 3)``.

    Args:
        gold: Gold numeric-fact records.
        pred: Predicted numeric-fact records.
        units: ``(start, end)`` ranges; facts go to the unit containing their start.
        **kwargs: Passed to :func:`~benchmark.metrics.numeric.score_numeric`.

    Returns:
        A float array of per-unit counts.

    Example:
        >>> f = {"start": 0, "end": 2, "text": "3人", "value": 3, "unit": "人",
        ...      "qualifier": "exact", "metric": "抓获", "metric_start": 3, "metric_end": 5}
        >>> fact_unit_stats([f], [f], [(0, 6), (6, 9)])
        array([[1., 0., 0.],
               [0., 0., 0.]])
    """
    from .numeric import score_numeric

    n = len(to_units("units", units))
    gl, pl = list(gold), list(pred)
    gu = assign_units(units, [_start(r, "gold", i) for i, r in enumerate(gl)], arg="gold")
    pu = assign_units(units, [_start(r, "pred", i) for i, r in enumerate(pl)], arg="pred")
    out = np.zeros((n, 3))
    for u in set(gu) | set(pu):
        c = score_numeric(
            [r for r, k in zip(gl, gu, strict=True) if k == u],
            [r for r, k in zip(pl, pu, strict=True) if k == u],
            **kwargs,
        ).fact
        out[u] = (c.tp, c.fp, c.fn)
    return out


def _start(rec: Any, arg: str, i: int) -> int:
    if not isinstance(rec, dict) or "start" not in rec:
        raise ValueError(f"{arg}[{i}]: missing field 'start'")
    return int(rec["start"])


def accuracy_unit_stats(correct: Sequence[bool]) -> np.ndarray:
    """Per-unit ``(correct, 1)`` rows for an accuracy over units; score with ``s[0] / s[1]``.

    Example:
        >>> accuracy_unit_stats([True, False])
        array([[1., 1.],
               [0., 1.]])
    """
    return np.column_stack([np.asarray(correct, dtype=float), np.ones(len(correct))])


@dataclass(frozen=True)
class BootstrapResult:
    """A percentile bootstrap interval."""

    estimate: float | None
    low: float | None
    high: float | None
    confidence: float
    n_resamples: int
    n_undefined: int
    n_units: int

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class PairedTestResult:
    """A paired comparison of systems A and B on the same units."""

    method: str
    score_a: float | None
    score_b: float | None
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    confidence: float | None
    n_resamples: int
    n_units: int

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return dict(self.__dict__)


def _check_stats(arg: str, stats: Any) -> np.ndarray:
    arr = np.asarray(stats, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"{arg}: expected a non-empty (n_units, k) array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{arg}: statistics must be finite numbers")
    return arr


def _check_opts(n_resamples: int, confidence: float) -> None:
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 1:
        raise ValueError(f"n_resamples: expected an int >= 1, got {n_resamples!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: expected a float in (0, 1), got {confidence!r}")


def _weights(rng: np.random.Generator, n_resamples: int, n_units: int) -> np.ndarray:
    """Multiplicity of each unit in each resample, shape ``(n_resamples, n_units)``."""
    idx = rng.integers(0, n_units, size=(n_resamples, n_units))
    flat = idx + (np.arange(n_resamples)[:, None] * n_units)
    return np.bincount(flat.ravel(), minlength=n_resamples * n_units).reshape(n_resamples, n_units)


def with_batch(batch: Callable[[np.ndarray], np.ndarray]) -> Callable[[ScoreFn], ScoreFn]:
    """Attach ``batch``, the same score over every row of a 2-D array at once (NaN where the
    score is undefined), to a score function; the resampling tests use it instead of a loop.

    ``batch`` must give, row for row, the very floats the function gives (``tests/metrics``
    checks the built-in ones bit for bit).

    Example:
        >>> @with_batch(lambda sums: sums[:, 0] / sums[:, 1])
        ... def share(stats):
        ...     return float(stats[0] / stats[1])
        >>> _scores(np.array([[1.0, 4.0], [3.0, 4.0]]), share).tolist()
        [0.25, 0.75]
    """

    def attach(score_fn: ScoreFn) -> ScoreFn:
        score_fn.batch = batch  # type: ignore[attr-defined]
        return score_fn

    return attach


def _scores(sums: np.ndarray, score_fn: ScoreFn) -> np.ndarray:
    batch = getattr(score_fn, "batch", None)
    if batch is not None:
        return np.asarray(batch(np.asarray(sums)), dtype=float)
    out = np.empty(sums.shape[0])
    for i, row in enumerate(sums):
        v = score_fn(row)
        out[i] = np.nan if v is None else v
    return out


def _none(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def bootstrap_ci(
    stats: Any,
    score_fn: ScoreFn,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> BootstrapResult:
    """Percentile bootstrap interval of a score, resampling units with replacement.

    For resample ``b`` with unit multiplicities ``w_b``: ``s_b = score_fn(w_b @ stats)``;
    the interval is the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` percentiles of
    the defined ``s_b``. The estimate is ``score_fn(stats.sum(axis=0))``.

    Args:
        stats: Per-unit sufficient statistics, shape ``(n_units, k)``.
        score_fn: Maps a summed statistics vector (length ``k``) to a score or ``None``.
        n_resamples: Number of bootstrap resamples.
        confidence: Interval coverage, e.g. ``0.95``.
        seed: Seed of the random generator (results are reproducible).

    Returns:
        A :class:`BootstrapResult`; ``low``/``high`` are ``None`` if no resample is defined.

    Example:
        >>> stats = np.array([[1, 0, 0], [0, 1, 1], [2, 0, 1], [1, 1, 0]])
        >>> r = bootstrap_ci(stats, counts_f1, n_resamples=200, seed=1)
        >>> r.estimate, r.low <= r.estimate <= r.high
        (0.6666666666666666, True)
    """
    _check_opts(n_resamples, confidence)
    arr = _check_stats("stats", stats)
    rng = np.random.default_rng(seed)
    sums = _weights(rng, n_resamples, arr.shape[0]) @ arr
    scores = _scores(sums, score_fn)
    valid = scores[~np.isnan(scores)]
    alpha = 1.0 - confidence
    if valid.size:
        low, high = np.percentile(valid, [100 * alpha / 2, 100 * (1 - alpha / 2)])
        low_v, high_v = float(low), float(high)
    else:
        low_v = high_v = None
    return BootstrapResult(
        estimate=score_fn(arr.sum(axis=0)),
        low=low_v,
        high=high_v,
        confidence=confidence,
        n_resamples=n_resamples,
        n_undefined=int(scores.size - valid.size),
        n_units=arr.shape[0],
    )


def _paired_arrays(stats_a: Any, stats_b: Any) -> tuple[np.ndarray, np.ndarray]:
    a = _check_stats("stats_a", stats_a)
    b = _check_stats("stats_b", stats_b)
    if a.shape != b.shape:
        raise ValueError(
            f"stats_b: shape {b.shape} differs from stats_a shape {a.shape}; "
            "both systems must be scored on the same units"
        )
    return a, b


def paired_bootstrap_test(
    stats_a: Any,
    stats_b: Any,
    score_fn: ScoreFn,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairedTestResult:
    """Paired bootstrap of the score difference ``A - B`` on the same units.

    Both systems are resampled with the same unit draws. ``d = score(A) - score(B)``;
    the interval is the percentile interval of ``d_b``; the two-sided p-value tests
    ``d = 0`` by the shifted bootstrap distribution:
    ``p = (1 + #{|d_b - d| >= |d|}) / (1 + B)`` over the ``B`` resamples where both scores
    are defined.

    Args:
        stats_a: Per-unit statistics of system A, shape ``(n_units, k)``.
        stats_b: Per-unit statistics of system B, same shape.
        score_fn: Maps a summed statistics vector to a score or ``None``.
        n_resamples: Number of resamples.
        confidence: Interval coverage.
        seed: Random seed.

    Returns:
        A :class:`PairedTestResult` (``method="paired_bootstrap"``).

    Example:
        >>> a = np.array([[1, 0, 0]] * 20)
        >>> b = np.array([[0, 1, 1]] * 20)
        >>> r = paired_bootstrap_test(a, b, counts_f1, n_resamples=200)
        >>> r.difference, r.low, r.high, r.p_value < 0.01
        (1.0, 1.0, 1.0, True)
    """
    _check_opts(n_resamples, confidence)
    a, b = _paired_arrays(stats_a, stats_b)
    score_a, score_b = score_fn(a.sum(axis=0)), score_fn(b.sum(axis=0))
    diff = None if score_a is None or score_b is None else score_a - score_b
    rng = np.random.default_rng(seed)
    w = _weights(rng, n_resamples, a.shape[0])
    d = _scores(w @ a, score_fn) - _scores(w @ b, score_fn)
    valid = d[~np.isnan(d)]
    low = high = p = None
    if valid.size:
        alpha = 1.0 - confidence
        lo, hi = np.percentile(valid, [100 * alpha / 2, 100 * (1 - alpha / 2)])
        low, high = float(lo), float(hi)
        if diff is not None:
            extreme = np.abs(valid - diff) >= abs(diff) - 1e-12
            p = float((1 + extreme.sum()) / (1 + valid.size))
    return PairedTestResult(
        "paired_bootstrap",
        score_a,
        score_b,
        diff,
        low,
        high,
        p,
        confidence,
        n_resamples,
        a.shape[0],
    )


def permutation_test(
    stats_a: Any,
    stats_b: Any,
    score_fn: ScoreFn,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
) -> PairedTestResult:
    """Approximate randomization test of ``score(A) - score(B)`` on the same units.

    Each resample swaps the two systems' statistics on each unit with probability 1/2 and
    rescores; ``p = (1 + #{|d_r| >= |d|}) / (1 + R)`` over the ``R`` defined resamples.
    No interval is given (``low``/``high`` are ``None``).

    Args:
        stats_a: Per-unit statistics of system A, shape ``(n_units, k)``.
        stats_b: Per-unit statistics of system B, same shape.
        score_fn: Maps a summed statistics vector to a score or ``None``.
        n_resamples: Number of random swaps.
        seed: Random seed.

    Returns:
        A :class:`PairedTestResult` (``method="approximate_randomization"``).

    Example:
        >>> a = np.array([[1, 0, 0]] * 20)
        >>> r = permutation_test(a, a, counts_f1, n_resamples=100)
        >>> r.difference, r.p_value
        (0.0, 1.0)
    """
    _check_opts(n_resamples, 0.5)
    a, b = _paired_arrays(stats_a, stats_b)
    score_a, score_b = score_fn(a.sum(axis=0)), score_fn(b.sum(axis=0))
    diff = None if score_a is None or score_b is None else score_a - score_b
    rng = np.random.default_rng(seed)
    swap = rng.integers(0, 2, size=(n_resamples, a.shape[0])).astype(float)
    keep = 1.0 - swap
    sums_a = keep @ a + swap @ b
    sums_b = keep @ b + swap @ a
    d = _scores(sums_a, score_fn) - _scores(sums_b, score_fn)
    valid = d[~np.isnan(d)]
    p = None
    if valid.size and diff is not None:
        p = float((1 + (np.abs(valid) >= abs(diff) - 1e-12).sum()) / (1 + valid.size))
    return PairedTestResult(
        "approximate_randomization",
        score_a,
        score_b,
        diff,
        None,
        None,
        p,
        None,
        n_resamples,
        a.shape[0],
    )
