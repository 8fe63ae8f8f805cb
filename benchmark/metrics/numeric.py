"""Numeric-fact scores: span detection, attribute accuracy on matched spans, fact-level F1.

Matching is one-to-one and deterministic: candidate pairs are the overlapping
(gold, predicted) spans; exact-boundary pairs are taken first, then the others, each greedily
by largest overlap, then smallest boundary distance, then by the facts' content (so input
order does not matter).

* ``span_exact``: tp = matched pairs with equal boundaries;
* ``span_overlap``: tp = all matched pairs;
* ``value``/``unit``/``qualifier`` accuracy over the matched pairs, values compared with
  ``math.isclose(rel_tol=1e-9)`` (so ``7910000000`` equals ``7.91e9``);
* ``fact``: a separate one-to-one matching whose candidate pairs also need equal value and
  unit and a metric phrase with :func:`~benchmark.metrics.strings.char_f1` >= 0.5.

Undefined ratios are ``None`` (see :mod:`.counts`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._validate import (
    QUALIFIERS,
    check_number,
    check_offsets,
    check_str,
    require,
)
from .counts import Counts, safe_ratio
from .overlap import overlapping_pairs
from .strings import char_f1

__all__ = ["AttributeAccuracy", "NumericScores", "score_numeric"]

_FIELDS = ("start", "end", "value", "unit", "qualifier", "metric")


@dataclass(frozen=True)
class _Fact:
    start: int
    end: int
    value: float
    unit: str
    qualifier: str
    metric: str
    index: int

    def key(self) -> tuple[Any, ...]:
        return (self.start, self.end, float(self.value), self.unit, self.qualifier, self.metric)


def _facts(arg: str, items: Iterable[Any]) -> list[_Fact]:
    out = []
    for i, item in enumerate(items):
        rec = require(arg, i, item, _FIELDS)
        check_offsets(arg, i, rec["start"], rec["end"])
        value = check_number(arg, i, "value", rec["value"])
        unit = check_str(arg, i, "unit", rec["unit"])
        qualifier = check_str(arg, i, "qualifier", rec["qualifier"])
        if qualifier not in QUALIFIERS:
            raise ValueError(
                f"{arg}[{i}]: field 'qualifier' must be one of {sorted(QUALIFIERS)}, got {qualifier!r}"
            )
        metric = check_str(arg, i, "metric", rec["metric"])
        if "text" in rec:
            check_str(arg, i, "text", rec["text"])
        if "metric_start" in rec or "metric_end" in rec:
            if "metric_start" not in rec:
                raise ValueError(f"{arg}[{i}]: missing field 'metric_start'")
            if "metric_end" not in rec:
                raise ValueError(f"{arg}[{i}]: missing field 'metric_end'")
            check_offsets(arg, i, rec["metric_start"], rec["metric_end"], field="metric_start")
        out.append(_Fact(rec["start"], rec["end"], value, unit, qualifier, metric, i))
    return out


@dataclass(frozen=True)
class AttributeAccuracy:
    """``accuracy = correct / total`` over matched pairs (``None`` when ``total == 0``).

    Example:
        >>> AttributeAccuracy(3, 4).accuracy, AttributeAccuracy(0, 0).accuracy
        (0.75, None)
    """

    correct: int
    total: int

    @property
    def accuracy(self) -> float | None:
        """``correct / total``."""
        return safe_ratio(self.correct, self.total)

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {"correct": self.correct, "total": self.total, "accuracy": self.accuracy}


@dataclass(frozen=True)
class NumericScores:
    """Result of :func:`score_numeric`.

    ``matches`` lists the span matching: ``gold``/``pred`` are input indices, ``exact`` tells
    whether the boundaries are equal, and ``value``/``unit``/``qualifier`` whether they agree.
    ``fact_matches`` lists the fact-level pairs as ``(gold index, pred index)``.
    """

    span_exact: Counts
    span_overlap: Counts
    value: AttributeAccuracy
    unit: AttributeAccuracy
    qualifier: AttributeAccuracy
    fact: Counts
    matches: list[dict[str, Any]]
    fact_matches: list[tuple[int, int]]

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {
            "span_exact": self.span_exact.to_dict(),
            "span_overlap": self.span_overlap.to_dict(),
            "value": self.value.to_dict(),
            "unit": self.unit.to_dict(),
            "qualifier": self.qualifier.to_dict(),
            "fact": self.fact.to_dict(),
            "matches": [dict(m) for m in self.matches],
            "fact_matches": [list(m) for m in self.fact_matches],
        }


def _match(cands: list[tuple[Any, ...]]) -> list[tuple[int, int, bool]]:
    cands.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for c in cands:
        gi, pi = c[-2], c[-1]
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi, not c[0]))
    return out


def score_numeric(
    gold: Iterable[Any],
    pred: Iterable[Any],
    *,
    rel_tol: float = 1e-9,
    metric_threshold: float = 0.5,
) -> NumericScores:
    """Score predicted numeric facts against gold.

    Span P/R/F1 use ``Counts(tp, n_pred - tp, n_gold - tp)`` with tp from the matching
    (exact-boundary pairs only for ``span_exact``). Attribute accuracy is
    ``#agreeing / #matched``. Fact-level tp counts pairs whose spans overlap, whose values
    agree within ``rel_tol`` and units are equal, and whose metric phrases have
    ``char_f1 >= metric_threshold``.

    Args:
        gold: Gold fact dicts (``start``, ``end``, ``value``, ``unit``, ``qualifier``,
            ``metric``; ``text``, ``metric_start``, ``metric_end`` checked if present).
        pred: Predicted fact dicts, same fields.
        rel_tol: Relative tolerance for values (``math.isclose``).
        metric_threshold: Minimum metric-phrase char F1 for a fact match.

    Returns:
        A :class:`NumericScores`.

    Raises:
        ValueError: On a malformed record (naming its index and field).

    Example:
        >>> g = [{"start": 0, "end": 5, "value": 7910000000, "unit": "元",
        ...       "qualifier": "exact", "metric": "挽回经济损失"}]
        >>> p = [{"start": 0, "end": 4, "value": 7.91e9, "unit": "元",
        ...       "qualifier": "approx", "metric": "经济损失"}]
        >>> r = score_numeric(g, p)
        >>> r.span_exact.f1, r.span_overlap.f1, r.value.accuracy, r.qualifier.accuracy
        (0.0, 1.0, 1.0, 0.0)
        >>> r.fact
        Counts(tp=1, fp=0, fn=0)
    """
    if not rel_tol >= 0:
        raise ValueError(f"rel_tol: expected a number >= 0, got {rel_tol!r}")
    gf = _facts("gold", gold)
    pf = _facts("pred", pred)
    gs = sorted(gf, key=lambda f: (f.key(), f.index))
    ps = sorted(pf, key=lambda f: (f.key(), f.index))
    pairs = overlapping_pairs([(f.start, f.end) for f in gs], [(f.start, f.end) for f in ps])

    span_cands = []
    fact_cands = []
    for gi, pi in pairs:
        g, p = gs[gi], ps[pi]
        exact = g.start == p.start and g.end == p.end
        ov = min(g.end, p.end) - max(g.start, p.start)
        dist = abs(g.start - p.start) + abs(g.end - p.end)
        cand = (not exact, -ov, dist, gi, pi)
        span_cands.append(cand)
        if g.unit == p.unit and math.isclose(g.value, p.value, rel_tol=rel_tol):
            cf = char_f1(g.metric, p.metric)
            if cf is not None and cf >= metric_threshold:
                fact_cands.append(cand)

    matched = _match(span_cands)
    n_g, n_p = len(gs), len(ps)
    n_exact = sum(1 for *_, ex in matched if ex)
    matches = []
    v_ok = u_ok = q_ok = 0
    for gi, pi, ex in matched:
        g, p = gs[gi], ps[pi]
        v = math.isclose(g.value, p.value, rel_tol=rel_tol)
        u = g.unit == p.unit
        q = g.qualifier == p.qualifier
        v_ok += v
        u_ok += u
        q_ok += q
        matches.append({"gold": g.index, "pred": p.index, "exact": ex, "value": v, "unit": u, "qualifier": q})
    matches.sort(key=lambda m: (m["gold"], m["pred"]))
    fact_matched = _match(fact_cands)
    n_m = len(matched)
    n_f = len(fact_matched)
    return NumericScores(
        span_exact=Counts(n_exact, n_p - n_exact, n_g - n_exact),
        span_overlap=Counts(n_m, n_p - n_m, n_g - n_m),
        value=AttributeAccuracy(v_ok, n_m),
        unit=AttributeAccuracy(u_ok, n_m),
        qualifier=AttributeAccuracy(q_ok, n_m),
        fact=Counts(n_f, n_p - n_f, n_g - n_f),
        matches=matches,
        fact_matches=sorted((gs[gi].index, ps[pi].index) for gi, pi, _ in fact_matched),
    )
