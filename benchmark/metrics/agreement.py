"""Agreement statistics shared by every task: Cohen's kappa, set agreement, disagreements.

A task's :meth:`~benchmark.tasks.base.Task.agreement` hook assembles these; the default
(:func:`key_set_agreement`) compares the two passes' records as sets of
:meth:`~benchmark.tasks.base.Task.record_key`. :mod:`benchmark.agreement` runs the hooks of
every registered task and renders the report. This module imports no task.

**Kappa rule.** ``kappa`` is ``None`` (n/a) when there is no shared item, or when the
raters used a single category between them (chance agreement is then 1 and kappa is 0/0);
``agreement`` (observed) is still given.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from benchmark.schema import record_to_dict

if TYPE_CHECKING:
    from benchmark.document import Document
    from benchmark.tasks.base import Task

OTHER_RULE = "other"
"""The rule of a disagreement no task-specific rule explains."""

GENERIC_RULES: dict[str, str] = {
    OTHER_RULE: "no rule matched (a miss, crossing spans, several spans on both sides)",
}


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa of two raters on the same items, with the observed agreement.

    Attributes:
        kappa: Cohen's kappa, None when undefined (see the module's kappa rule).
        agreement: Share of items with the same category (None without items).
        n: Number of items both rated.
        note: Why kappa is undefined, if it is.
    """

    kappa: float | None
    agreement: float | None
    n: int
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {"kappa": self.kappa, "agreement": self.agreement, "n": self.n, "note": self.note}


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> Kappa:
    """Cohen's kappa (scikit-learn) with the n/a rule for no items or a single category.

    Example:
        >>> round(cohen_kappa(["x", "y", "x"], ["x", "y", "y"]).kappa, 3)
        0.4
        >>> cohen_kappa(["x", "x"], ["x", "x"])
        Kappa(kappa=None, agreement=1.0, n=2, note='n/a: a single category')
        >>> cohen_kappa([], []).note
        'n/a: no shared item'
    """
    if len(a) != len(b):
        raise ValueError(f"b: expected {len(a)} ratings like a, got {len(b)}")
    if not a:
        return Kappa(None, None, 0, "n/a: no shared item")
    agreement = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    if len(set(a) | set(b)) < 2:
        return Kappa(None, agreement, len(a), "n/a: a single category")
    from sklearn.metrics import cohen_kappa_score

    value = float(cohen_kappa_score(list(a), list(b)))
    return Kappa(None if math.isnan(value) else value, agreement, len(a))


@dataclass(frozen=True)
class SetAgreement:
    """Items in both passes, in A only and in B only; F1 is symmetric in A and B.

    Example:
        >>> SetAgreement(8, 1, 1).f1
        0.8888888888888888
    """

    both: float
    only_a: float
    only_b: float

    @property
    def f1(self) -> float | None:
        """``2 both / (2 both + only_a + only_b)``; None when both passes are empty."""
        denominator = 2 * self.both + self.only_a + self.only_b
        return None if denominator == 0 else 2 * self.both / denominator

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {"both": self.both, "only_a": self.only_a, "only_b": self.only_b, "f1": self.f1}


@dataclass(frozen=True)
class Disagreement:
    """One disagreement, attributed to a guideline rule.

    Attributes:
        task: The task's key.
        rule: A key of the task's ``agreement_rules`` (or :data:`OTHER_RULE`).
        kind: What differs (``only_in_a``, ``only_in_b``, ``label``, ``boundary``, ``value``, ...).
        a: The records of pass A involved (JSON-able dicts).
        b: The records of pass B involved.
    """

    task: str
    rule: str
    kind: str
    a: tuple[dict[str, Any], ...] = ()
    b: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {"task": self.task, "rule": self.rule, "kind": self.kind, "a": list(self.a), "b": list(self.b)}


def overlap_clusters(
    a: list[dict[str, Any]], b: list[dict[str, Any]]
) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Connected components of the overlap graph between ``a`` and ``b`` span records, by position.

    Example:
        >>> x, y, z = {"start": 0, "end": 3}, {"start": 2, "end": 4}, {"start": 9, "end": 10}
        >>> overlap_clusters([x, z], [y])
        [([{'start': 0, 'end': 3}], [{'start': 2, 'end': 4}]), ([{'start': 9, 'end': 10}], [])]
    """
    parent = list(range(len(a) + len(b)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, x in enumerate(a):
        for j, y in enumerate(b):
            if x["start"] < y["end"] and y["start"] < x["end"]:
                parent[find(i)] = find(len(a) + j)
    groups: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for i, x in enumerate(a):
        groups.setdefault(find(i), ([], []))[0].append(x)
    for j, y in enumerate(b):
        groups.setdefault(find(len(a) + j), ([], []))[1].append(y)
    return sorted(groups.values(), key=lambda g: min(r["start"] for r in g[0] + g[1]))


def key_set_agreement(task: Task, doc_a: Document, doc_b: Document) -> dict[str, Any]:
    """The default agreement of a task: its records as sets of :meth:`Task.record_key`.

    Scores: ``n_a``, ``n_b`` and ``records`` (:class:`SetAgreement`); each record in one pass
    only is a disagreement of rule :data:`OTHER_RULE`.
    """
    keys_a = {task.record_key(r): r for r in doc_a.gold.get(task.key, [])}
    keys_b = {task.record_key(r): r for r in doc_b.gold.get(task.key, [])}
    both = set(keys_a) & set(keys_b)
    only_a = [keys_a[k] for k in keys_a if k not in both]
    only_b = [keys_b[k] for k in keys_b if k not in both]
    found = [Disagreement(task.key, OTHER_RULE, "only_in_a", (record_to_dict(r),)) for r in only_a]
    found += [Disagreement(task.key, OTHER_RULE, "only_in_b", (), (record_to_dict(r),)) for r in only_b]
    scores = {
        "n_a": len(keys_a),
        "n_b": len(keys_b),
        "records": SetAgreement(len(both), len(only_a), len(only_b)).to_dict(),
    }
    return {"scores": scores, "disagreements": found}


# ------------------------------------------------------------------------------- text rendering


def fmt_score(value: Any) -> str:
    """A score with three decimals, or n/a.

    Example:
        >>> fmt_score(0.97561), fmt_score(None), fmt_score(1)
        ('0.976', 'n/a', '1.000')
    """
    return "n/a" if value is None else f"{value:.3f}"


def fmt_kappa(entry: dict[str, Any]) -> str:
    """One :meth:`Kappa.to_dict` in words.

    Example:
        >>> fmt_kappa({"kappa": 0.5, "agreement": 0.75, "n": 4, "note": None})
        'agreement 0.750, kappa 0.500, n=4'
    """
    note = f" ({entry['note']})" if entry.get("note") and entry.get("n") else ""
    kappa = fmt_score(entry["kappa"])
    return f"agreement {fmt_score(entry['agreement'])}, kappa {kappa}{note}, n={entry['n']}"


def fmt_set(entry: dict[str, Any]) -> str:
    """One :meth:`SetAgreement.to_dict` in words.

    Example:
        >>> fmt_set({"both": 8, "only_a": 1, "only_b": 1, "f1": 0.8888})
        'F1 0.889 (both 8, A only 1, B only 1)'
    """
    counts = f"both {entry['both']:g}, A only {entry['only_a']:g}, B only {entry['only_b']:g}"
    return f"F1 {fmt_score(entry['f1'])} ({counts})"


def fmt_record(record: dict[str, Any]) -> str:
    """A record on one line: its span and surface when it has them, then its other fields.

    Example:
        >>> fmt_record({"start": 0, "end": 2, "text": "四川", "label": "GPE"})
        '[0,2) 四川 label=GPE'
        >>> fmt_record({"id": "q1", "answers": ["是"]})
        'id=q1 answers=["是"]'
    """
    head = f"[{record['start']},{record['end']}) " if {"start", "end"} <= set(record) else ""
    if "text" in record and head:
        head += f"{record['text']} "
    rest = " ".join(
        f"{k}={v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}"
        for k, v in record.items()
        if k not in ("start", "end") and not (head and k == "text")
    )
    return (head + rest).strip()
