"""Span-level entity scores under four schemes (strict, exact, partial, type).

Spans are sets of ``(start, end, label)`` tuples (duplicates collapse, as in spaCy's scorer
and seqeval). The schemes follow SemEval-2013 task 9.1 as implemented by nervaluate:

* ``strict``: correct iff boundaries and label are equal;
* ``exact``: correct iff boundaries are equal (label ignored);
* ``partial``: boundaries equal -> correct, overlap with a boundary mismatch -> partial,
  scored with half credit (``tp = correct + 0.5 * partial``), label ignored;
* ``type``: correct iff the spans overlap and the labels are equal.

Every prediction and gold span ends in exactly one outcome: correct, incorrect, partial,
spurious (prediction overlapping no free gold) or missed (gold left unmatched). Pairs are
found by a sort-and-sweep and matched one-to-one by a deterministic greedy rule: pairs that
satisfy the scheme's "correct" condition first, then same label first, then the largest
overlap, then the smallest boundary distance, then position; so results never depend on
input order. Where every prediction overlaps at most one gold span and vice versa the
outcomes equal nervaluate's.

``micro`` scores come from one matching over all labels. ``per_label`` scores evaluate each
label's sub-problem (gold and predictions of that label only), as nervaluate >= 1.0 does;
for ``strict`` the per-label counts sum to the micro counts. See :mod:`.counts` for the
undefined-case rule (``None`` when a denominator is zero).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from ._validate import Span, to_span_set, to_spans
from .counts import Counts, MacroScore, SemEvalCounts, macro_average
from .overlap import overlapping_pairs

__all__ = [
    "COARSE_LABEL_MAP",
    "SCHEMES",
    "EntityScores",
    "SchemeScores",
    "prepare_spans",
    "score_entities",
    "strict_counts",
]

_VALIDATED = "\0validated"  # internal: items are already span tuples

SCHEMES: tuple[str, ...] = ("strict", "exact", "partial", "type")
"""The four scoring schemes, in report order."""

COARSE_LABEL_MAP: dict[str, str] = {"GPE": "GPE_LOC", "LOC": "GPE_LOC"}
"""A ``label_map`` that merges GPE and LOC into one class ``GPE_LOC``."""


@dataclass(frozen=True)
class SchemeScores:
    """Scores of one scheme: micro counts, per-label counts and macro averages."""

    scheme: str
    micro: SemEvalCounts
    per_label: dict[str, SemEvalCounts]
    macro: MacroScore

    @property
    def precision(self) -> float | None:
        """Micro precision."""
        return self.micro.counts.precision

    @property
    def recall(self) -> float | None:
        """Micro recall."""
        return self.micro.counts.recall

    @property
    def f1(self) -> float | None:
        """Micro F1."""
        return self.micro.counts.f1

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {
            "scheme": self.scheme,
            "micro": self.micro.to_dict(),
            "macro": self.macro.to_dict(),
            "per_label": {k: v.to_dict() for k, v in self.per_label.items()},
        }


@dataclass(frozen=True)
class EntityScores:
    """Result of :func:`score_entities`; index it by scheme name."""

    schemes: dict[str, SchemeScores]
    labels: list[str]
    unsupported_labels: list[str]
    n_gold: int
    n_pred: int
    n_gold_dropped: int = 0
    n_pred_dropped: int = 0
    label_map: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, scheme: str) -> SchemeScores:
        return self.schemes[scheme]

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {
            "schemes": {k: v.to_dict() for k, v in self.schemes.items()},
            "labels": list(self.labels),
            "unsupported_labels": list(self.unsupported_labels),
            "n_gold": self.n_gold,
            "n_pred": self.n_pred,
            "n_gold_dropped": self.n_gold_dropped,
            "n_pred_dropped": self.n_pred_dropped,
            "label_map": dict(self.label_map),
        }


def prepare_spans(
    items: Iterable[Any],
    *,
    arg: str = "spans",
    label_map: Mapping[str, str] | None = None,
    labels: Iterable[str] | None = None,
) -> tuple[set[Span], set[str]]:
    """Validate entity records, map labels, and keep only the labels in ``labels``.

    Args:
        items: Entity dicts (``start``, ``end``, ``label``) or ``(start, end, label)`` tuples.
        arg: Argument name used in error messages.
        label_map: Labels to rename before filtering (unlisted labels are kept).
        labels: If given, keep only spans whose (mapped) label is in this set.

    Returns:
        The span set and the set of (mapped) labels that were dropped.

    Raises:
        ValueError: On a malformed record (naming its index and field).

    Example:
        >>> spans, dropped = prepare_spans(
        ...     [(0, 2, "GPE"), (3, 5, "LOC"), (6, 8, "PER")],
        ...     label_map=COARSE_LABEL_MAP, labels={"GPE_LOC"})
        >>> sorted(spans), dropped
        ([(0, 2, 'GPE_LOC'), (3, 5, 'GPE_LOC')], {'PER'})
    """
    spans = items if arg == _VALIDATED else to_spans(arg, items)
    if label_map:
        spans = [(s, e, label_map.get(lab, lab)) for s, e, lab in spans]
    out = set(spans)
    dropped: set[str] = set()
    if labels is not None:
        keep = set(labels)
        dropped = {lab for _, _, lab in out if lab not in keep}
        out = {sp for sp in out if sp[2] in keep}
    return out, dropped


def strict_counts(gold: Iterable[Any], pred: Iterable[Any]) -> tuple[Counts, dict[str, Counts]]:
    """Strict micro and per-label counts by set operations only (the fast path).

    ``tp = |G ∩ P|``, ``fp = |P| - tp``, ``fn = |G| - tp``, overall and per label.

    Args:
        gold: Gold entity records or ``(start, end, label)`` tuples.
        pred: Predicted entity records or tuples.

    Returns:
        ``(micro, per_label)``.

    Example:
        >>> micro, per = strict_counts([(0, 2, "PER"), (4, 6, "ORG")], [(0, 2, "PER"), (4, 6, "PER")])
        >>> micro, per["PER"].f1
        (Counts(tp=1, fp=1, fn=1), 0.6666666666666666)
    """
    return _strict_from_sets(to_span_set("gold", gold), to_span_set("pred", pred))


def _strict_from_sets(g: set[Span], p: set[Span]) -> tuple[Counts, dict[str, Counts]]:
    tp_set = g & p
    label_of = itemgetter(2)
    n_tp = Counter(map(label_of, tp_set))
    n_g = Counter(map(label_of, g))
    n_p = Counter(map(label_of, p))
    per = {
        lab: Counts(n_tp[lab], n_p[lab] - n_tp[lab], n_g[lab] - n_tp[lab])
        for lab in sorted(set(n_g) | set(n_p))
    }
    micro = Counts(len(tp_set), len(p) - len(tp_set), len(g) - len(tp_set))
    return micro, per


def _greedy(order: list[int], tier0: list[bool], pair_g: list[int], pair_p: list[int]) -> list[int]:
    """Pick pairs greedily: tier-0 pairs first, each in ``order``; returns chosen pair ids."""
    used_g: set[int] = set()
    used_p: set[int] = set()
    chosen: list[int] = []
    for want in (True, False):
        for k in order:
            if tier0[k] is not want:
                continue
            gi, pi = pair_g[k], pair_p[k]
            if gi in used_g or pi in used_p:
                continue
            used_g.add(gi)
            used_p.add(pi)
            chosen.append(k)
    return chosen


def _tally(
    chosen: list[int],
    outcome: list[str],
    pair_g: list[int],
    gold: list[Span],
    pred: list[Span],
    pair_p: list[int],
    partial_credit: bool,
    per_label: bool,
) -> SemEvalCounts | dict[str, SemEvalCounts]:
    if not per_label:
        n = {"correct": 0, "incorrect": 0, "partial": 0}
        for k in chosen:
            n[outcome[k]] += 1
        matched = len(chosen)
        return SemEvalCounts(
            n["correct"],
            n["incorrect"],
            n["partial"],
            len(gold) - matched,
            len(pred) - matched,
            partial_credit,
        )
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    slot = {"correct": 0, "incorrect": 1, "partial": 2}
    for sp in gold:
        acc[sp[2]][3] += 1
    for sp in pred:
        acc[sp[2]][4] += 1
    for k in chosen:
        row = acc[gold[pair_g[k]][2]]
        row[slot[outcome[k]]] += 1
        row[3] -= 1
        row[4] -= 1
    return {
        lab: SemEvalCounts(*acc[lab], partial_credit=partial_credit)  # type: ignore[misc]
        for lab in sorted(acc)
    }


def _score_sets(
    g: set[Span], p: set[Span], schemes: Iterable[str], labels: Iterable[str] | None = None
) -> dict[str, SchemeScores]:
    gold = sorted(g)
    pred = sorted(p)
    pairs = overlapping_pairs(gold, pred)
    pair_g = [gi for gi, _ in pairs]
    pair_p = [pi for _, pi in pairs]
    same_b: list[bool] = []
    same_l: list[bool] = []
    keys = []
    for k, (gi, pi) in enumerate(pairs):
        gs, ge, gl = gold[gi]
        ps, pe, pl = pred[pi]
        sb = gs == ps and ge == pe
        sl = gl == pl
        same_b.append(sb)
        same_l.append(sl)
        keys.append((not sl, -(min(ge, pe) - max(gs, ps)), abs(gs - ps) + abs(ge - pe), k))
    keys.sort()
    order = [key[3] for key in keys]
    order_same = [k for k in order if same_l[k]]
    strict_t0 = [b and lab for b, lab in zip(same_b, same_l, strict=True)]

    # matchings: (overall tier0, per-label tier0); the per-label runs use same-label pairs only
    plans = {
        "strict": (strict_t0, same_b),
        "exact": (same_b, same_b),
        "partial": (same_b, same_b),
        "type": (same_l, same_l),
    }
    cache: dict[tuple[str, bool], list[int]] = {}
    result: dict[str, SchemeScores] = {}
    extra_labels = list(labels) if labels is not None else []
    for scheme in schemes:
        t_all, t_lab = plans[scheme]
        key_all = ("strict" if scheme == "strict" else "type" if scheme == "type" else "b", False)
        key_lab = ("type" if scheme == "type" else "b", True)
        if key_all not in cache:
            cache[key_all] = _greedy(order, t_all, pair_g, pair_p)
        if key_lab not in cache:
            cache[key_lab] = _greedy(order_same, t_lab, pair_g, pair_p)
        if scheme == "partial":
            outcome = ["correct" if b else "partial" for b in same_b]
        elif scheme == "strict":
            outcome = ["correct" if t else "incorrect" for t in strict_t0]
        elif scheme == "exact":
            outcome = ["correct" if b else "incorrect" for b in same_b]
        else:
            outcome = ["correct" if sl else "incorrect" for sl in same_l]
        credit = scheme == "partial"
        micro = _tally(cache[key_all], outcome, pair_g, gold, pred, pair_p, credit, False)
        per = _tally(cache[key_lab], outcome, pair_g, gold, pred, pair_p, credit, True)
        assert isinstance(micro, SemEvalCounts) and isinstance(per, dict)
        for lab in extra_labels:
            per.setdefault(lab, SemEvalCounts(partial_credit=credit))
        per = dict(sorted(per.items()))
        macro = macro_average({lab: c.counts for lab, c in per.items()})
        result[scheme] = SchemeScores(scheme, micro, per, macro)
    return result


def score_entities(
    gold: Iterable[Any],
    pred: Iterable[Any],
    *,
    schemes: Iterable[str] = SCHEMES,
    labels: Iterable[str] | None = None,
    label_map: Mapping[str, str] | None = None,
) -> EntityScores:
    """Score predicted entity spans against gold under the strict/exact/partial/type schemes.

    For each scheme: ``precision = tp / actual``, ``recall = tp / possible``,
    ``f1 = 2tp / (actual + possible)`` with ``tp = correct`` (``correct + 0.5 * partial`` for
    the partial scheme); ``None`` where a denominator is zero. Macro averages average the
    defined per-label values.

    Args:
        gold: Gold entity dicts (``start``, ``end``, ``label``; ``text`` unused) or
            ``(start, end, label)`` tuples.
        pred: Predicted entities, same format.
        schemes: Which schemes to compute (subset of :data:`SCHEMES`).
        labels: Score only these labels (after ``label_map``): spans with other labels are
            dropped from gold and predictions. Gold labels outside this set are reported in
            ``unsupported_labels``; every listed label gets a per-label entry.
        label_map: Rename labels before scoring, e.g. :data:`COARSE_LABEL_MAP`.

    Returns:
        An :class:`EntityScores`; ``result["strict"].f1`` is the strict micro F1.

    Raises:
        ValueError: On an unknown scheme or a malformed record.

    Example:
        >>> gold = [{"start": 0, "end": 6, "label": "ORG"}, {"start": 8, "end": 10, "label": "PER"}]
        >>> pred = [{"start": 0, "end": 3, "label": "ORG"}, {"start": 8, "end": 10, "label": "GPE"}]
        >>> r = score_entities(gold, pred)
        >>> r["strict"].f1, r["exact"].f1, r["partial"].f1, r["type"].f1
        (0.0, 0.5, 0.75, 0.5)
        >>> r["partial"].micro.partial, r["type"].micro.incorrect
        (1, 1)
    """
    schemes = tuple(schemes)
    for s in schemes:
        if s not in SCHEMES:
            raise ValueError(f"schemes: unknown scheme {s!r}; expected one of {SCHEMES}")
    label_list = sorted(set(labels)) if labels is not None else None
    g_all, _ = prepare_spans(to_spans("gold", gold), arg=_VALIDATED, label_map=label_map)
    p_all, _ = prepare_spans(to_spans("pred", pred), arg=_VALIDATED, label_map=label_map)
    n_g_all, n_p_all = len(g_all), len(p_all)
    g, g_dropped = prepare_spans(g_all, arg=_VALIDATED, labels=label_list)
    p, _ = prepare_spans(p_all, arg=_VALIDATED, labels=label_list)
    scored = _score_sets(g, p, schemes, label_list)
    seen = {sp[2] for sp in g} | {sp[2] for sp in p}
    return EntityScores(
        schemes=scored,
        labels=label_list if label_list is not None else sorted(seen),
        unsupported_labels=sorted(g_dropped),
        n_gold=len(g),
        n_pred=len(p),
        n_gold_dropped=n_g_all - len(g),
        n_pred_dropped=n_p_all - len(p),
        label_map=dict(label_map or {}),
    )
