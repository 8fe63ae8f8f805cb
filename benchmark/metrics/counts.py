"""Count accumulators and the undefined-case rule shared by every metric.

The undefined-case rule (applied everywhere in :mod:`benchmark.metrics`): a ratio whose
denominator is zero is undefined and is returned as ``None`` (reports show ``n/a``).

* precision ``tp / (tp + fp)`` is ``None`` when there are no predictions;
* recall ``tp / (tp + fn)`` is ``None`` when there is no gold;
* F1 ``2tp / (2tp + fp + fn)`` is ``None`` only when ``tp + fp + fn == 0`` (no gold and no
  prediction), so a system that predicts nothing against non-empty gold gets F1 ``0.0``;
* macro averages average the *defined* per-label values only and report how many labels
  they averaged (``n_precision``, ``n_recall``, ``n_f1``).

Counts may be fractional (the SemEval ``partial`` scheme gives half credit), so ``tp``, ``fp``
and ``fn`` are typed ``float``; integer counts stay ``int`` at run time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Counts", "MacroScore", "SemEvalCounts", "macro_average", "safe_ratio"]


def safe_ratio(numerator: float, denominator: float) -> float | None:
    """Return ``numerator / denominator``, or ``None`` when the denominator is zero.

    Args:
        numerator: The numerator.
        denominator: The denominator.

    Returns:
        The ratio, or ``None`` (undefined) when ``denominator == 0``.

    Example:
        >>> safe_ratio(1, 4)
        0.25
        >>> safe_ratio(0, 0) is None
        True
    """
    if denominator == 0:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives, summable with ``+``.

    ``precision = tp / (tp + fp)``, ``recall = tp / (tp + fn)``,
    ``f1 = 2tp / (2tp + fp + fn)``; each is ``None`` when its denominator is zero.

    Example:
        >>> c = Counts(2, 1, 1) + Counts(1, 0, 2)
        >>> c
        Counts(tp=3, fp=1, fn=3)
        >>> c.precision, c.recall, c.f1
        (0.75, 0.5, 0.6)
        >>> Counts(0, 0, 3).f1, Counts(0, 0, 3).precision
        (0.0, None)
    """

    tp: float = 0
    fp: float = 0
    fn: float = 0

    def __add__(self, other: Counts) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def n_pred(self) -> float:
        """Number of predictions, ``tp + fp``."""
        return self.tp + self.fp

    @property
    def n_gold(self) -> float:
        """Number of gold items, ``tp + fn``."""
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        """``tp / (tp + fp)``, ``None`` without predictions."""
        return safe_ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """``tp / (tp + fn)``, ``None`` without gold."""
        return safe_ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        """``2tp / (2tp + fp + fn)``, ``None`` only when ``tp + fp + fn == 0``."""
        return safe_ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def to_dict(self) -> dict[str, Any]:
        """Counts and scores as a JSON-able dict."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class SemEvalCounts:
    """SemEval-2013 / nervaluate outcome counts for one scheme, summable with ``+``.

    ``possible = correct + incorrect + partial + missed`` (gold items) and
    ``actual = correct + incorrect + partial + spurious`` (predictions). With
    ``partial_credit`` (the ``partial`` scheme) ``tp = correct + 0.5 * partial``, otherwise
    ``tp = correct``; then ``fp = actual - tp`` and ``fn = possible - tp`` so that
    ``precision = tp / actual``, ``recall = tp / possible`` and ``f1 = 2tp / (actual + possible)``.

    Example:
        >>> s = SemEvalCounts(correct=2, partial=2, missed=1, spurious=1, partial_credit=True)
        >>> s.possible, s.actual
        (5, 5)
        >>> s.counts
        Counts(tp=3.0, fp=2.0, fn=2.0)
        >>> s.counts.f1
        0.6
    """

    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0
    partial_credit: bool = False

    def __add__(self, other: SemEvalCounts) -> SemEvalCounts:
        if not isinstance(other, SemEvalCounts):
            return NotImplemented
        if other.partial_credit != self.partial_credit:
            raise ValueError("cannot add SemEvalCounts with different partial_credit settings")
        return SemEvalCounts(
            self.correct + other.correct,
            self.incorrect + other.incorrect,
            self.partial + other.partial,
            self.missed + other.missed,
            self.spurious + other.spurious,
            self.partial_credit,
        )

    @property
    def possible(self) -> int:
        """Number of gold items."""
        return self.correct + self.incorrect + self.partial + self.missed

    @property
    def actual(self) -> int:
        """Number of predictions."""
        return self.correct + self.incorrect + self.partial + self.spurious

    @property
    def counts(self) -> Counts:
        """The equivalent ``Counts(tp, fp, fn)``."""
        tp: float = self.correct + 0.5 * self.partial if self.partial_credit else self.correct
        return Counts(tp, self.actual - tp, self.possible - tp)

    def to_dict(self) -> dict[str, Any]:
        """Outcome counts, derived counts and scores as a JSON-able dict."""
        return {
            "correct": self.correct,
            "incorrect": self.incorrect,
            "partial": self.partial,
            "missed": self.missed,
            "spurious": self.spurious,
            "possible": self.possible,
            "actual": self.actual,
            **self.counts.to_dict(),
        }


@dataclass(frozen=True)
class MacroScore:
    """Macro averages over labels, each over the labels where that value is defined.

    Example:
        >>> m = macro_average({"A": Counts(1, 0, 1), "B": Counts(0, 0, 2)})
        >>> m.precision, m.n_precision, m.recall, m.n_recall
        (1.0, 1, 0.25, 2)
    """

    precision: float | None
    recall: float | None
    f1: float | None
    n_precision: int
    n_recall: int
    n_f1: int

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "n_precision": self.n_precision,
            "n_recall": self.n_recall,
            "n_f1": self.n_f1,
        }


def _mean_defined(values: Iterable[float | None]) -> tuple[float | None, int]:
    defined = [v for v in values if v is not None]
    if not defined:
        return None, 0
    return sum(defined) / len(defined), len(defined)


def macro_average(per_label: Mapping[str, Counts]) -> MacroScore:
    """Macro-average precision, recall and F1 over labels, skipping undefined values.

    ``macro_P = mean(P_l for labels l where P_l is defined)``, likewise for R and F1.

    Args:
        per_label: Per-label counts.

    Returns:
        The macro averages with the number of labels each one averaged.

    Example:
        >>> macro_average({"A": Counts(1, 1, 0), "B": Counts(1, 0, 1)}).f1
        0.6666666666666666
        >>> macro_average({}).f1 is None
        True
    """
    p, n_p = _mean_defined(c.precision for c in per_label.values())
    r, n_r = _mean_defined(c.recall for c in per_label.values())
    f, n_f = _mean_defined(c.f1 for c in per_label.values())
    return MacroScore(p, r, f, n_p, n_r, n_f)
