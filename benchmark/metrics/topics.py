"""Paragraph-topic scores (section, primary topic, multi-label topics) via scikit-learn.

Units are matched by ``(start, end)``; the predicted units must be exactly the gold units.
Per-class values that are undefined (zero denominator) are ``None`` and macro averages use
the defined values only (scikit-learn's ``zero_division=np.nan``), see :mod:`.counts`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import check_offsets, check_str, check_str_list, require

__all__ = ["ClassReport", "MultiLabelScores", "SingleLabelScores", "TopicScores", "score_topics"]

NO_TOPIC = "<none>"
"""Stand-in primary topic for a predicted unit with an empty topic list (never a class)."""


def _opt(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


@dataclass(frozen=True)
class ClassReport:
    """Per-class precision, recall, F1 (``None`` when undefined) and gold support."""

    labels: list[str]
    precision: list[float | None]
    recall: list[float | None]
    f1: list[float | None]
    support: list[int]

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict keyed by class."""
        return {
            lab: {"precision": p, "recall": r, "f1": f, "support": s}
            for lab, p, r, f, s in zip(
                self.labels, self.precision, self.recall, self.f1, self.support, strict=True
            )
        }


def _report(y_true: Any, y_pred: Any, labels: list[str]) -> ClassReport:
    from sklearn.metrics import precision_recall_fscore_support  # lazy: ~1 s to import

    if not labels:
        return ClassReport([], [], [], [], [])
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=np.nan)
    return ClassReport(
        list(labels),
        [_opt(v) for v in p],
        [_opt(v) for v in r],
        [_opt(v) for v in f],
        [int(v) for v in s],
    )


@dataclass(frozen=True)
class SingleLabelScores:
    """Accuracy, macro-F1, per-class report and confusion matrix of one label per unit.

    ``matrix[i][j]`` counts units with gold ``labels[i]`` predicted as ``labels[j]``.
    """

    accuracy: float | None
    macro_f1: float | None
    n_classes_averaged: int
    report: ClassReport
    labels: list[str]
    matrix: list[list[int]]

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "n_classes_averaged": self.n_classes_averaged,
            "per_class": self.report.to_dict(),
            "confusion": {"labels": list(self.labels), "matrix": [list(r) for r in self.matrix]},
        }


def _single(y_true: list[str], y_pred: list[str], labels: list[str] | None) -> SingleLabelScores:
    from sklearn.metrics import accuracy_score, confusion_matrix

    if labels is None:
        labels = sorted((set(y_true) | set(y_pred)) - {NO_TOPIC})
    if not y_true:
        return SingleLabelScores(None, None, 0, _report([], [], []), labels, [])
    rep = _report(y_true, y_pred, labels)
    defined = [v for v in rep.f1 if v is not None]
    macro = float(np.mean(defined)) if defined else None
    cm_labels = labels + ([NO_TOPIC] if NO_TOPIC in y_pred else [])
    with warnings.catch_warnings():  # a 1x1 matrix is the right shape here
        warnings.filterwarnings("ignore", message="A single label", category=UserWarning)
        cm = confusion_matrix(y_true, y_pred, labels=cm_labels)
    return SingleLabelScores(
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=macro,
        n_classes_averaged=len(defined),
        report=rep,
        labels=cm_labels,
        matrix=[[int(v) for v in row] for row in cm],
    )


@dataclass(frozen=True)
class MultiLabelScores:
    """Multi-label topic scores over a binarized unit x topic matrix."""

    micro_f1: float | None
    macro_f1: float | None
    n_classes_averaged: int
    subset_accuracy: float | None
    hamming_loss: float | None
    report: ClassReport

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {
            "micro_f1": self.micro_f1,
            "macro_f1": self.macro_f1,
            "n_classes_averaged": self.n_classes_averaged,
            "subset_accuracy": self.subset_accuracy,
            "hamming_loss": self.hamming_loss,
            "per_class": self.report.to_dict(),
        }


@dataclass(frozen=True)
class TopicScores:
    """Result of :func:`score_topics`."""

    n_units: int
    section: SingleLabelScores
    primary: SingleLabelScores
    multilabel: MultiLabelScores

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {
            "n_units": self.n_units,
            "section": self.section.to_dict(),
            "primary": self.primary.to_dict(),
            "multilabel": self.multilabel.to_dict(),
        }


def _units(arg: str, items: Iterable[Any], *, allow_empty_topics: bool) -> dict[Any, Any]:
    out: dict[tuple[int, int], tuple[str, list[str]]] = {}
    for i, item in enumerate(items):
        rec = require(arg, i, item, ("start", "end", "section", "topics"))
        check_offsets(arg, i, rec["start"], rec["end"])
        section = check_str(arg, i, "section", rec["section"])
        topics = check_str_list(arg, i, "topics", rec["topics"])
        if not topics and not allow_empty_topics:
            raise ValueError(f"{arg}[{i}]: field 'topics' must not be empty")
        key = (rec["start"], rec["end"])
        if key in out:
            raise ValueError(f"{arg}[{i}]: duplicate unit {key}")
        out[key] = (section, topics)
    return out


def score_topics(
    gold: Iterable[Any],
    pred: Iterable[Any],
    *,
    labels: Sequence[str] | None = None,
    section_labels: Sequence[str] | None = None,
) -> TopicScores:
    """Score paragraph sections and topics.

    * section and primary topic (first topic): ``accuracy = #equal / n_units`` and macro-F1
      ``mean_c F1_c`` over the classes (``F1_c = 2tp_c / (2tp_c + fp_c + fn_c)``);
    * topics as a multi-label problem: micro/macro F1, subset accuracy (all topics equal) and
      Hamming loss ``#wrong cells / (n_units * n_labels)``, binarized with
      ``MultiLabelBinarizer`` over ``labels`` or the union of gold and predicted topics.

    Args:
        gold: Gold paragraph dicts (``start``, ``end``, ``section``, ``topics``; non-empty).
        pred: Predicted paragraph dicts for exactly the same units (``topics`` may be empty).
        labels: Topic label list (default: sorted union of gold and predicted topics).
        section_labels: Section label list (default: sorted union).

    Returns:
        A :class:`TopicScores`.

    Raises:
        ValueError: On a malformed record, a duplicate unit, a gold unit missing from
            ``pred`` or an extra predicted unit, or a topic outside ``labels``.

    Example:
        >>> g = [{"start": 0, "end": 5, "section": "A", "topics": ["x", "y"]},
        ...      {"start": 5, "end": 9, "section": "B", "topics": ["y"]}]
        >>> p = [{"start": 5, "end": 9, "section": "B", "topics": ["x"]},
        ...      {"start": 0, "end": 5, "section": "A", "topics": ["x"]}]
        >>> r = score_topics(g, p)
        >>> r.section.accuracy, r.primary.accuracy, r.multilabel.micro_f1
        (1.0, 0.5, 0.4)
        >>> r.primary.labels, r.primary.matrix
        (['x', 'y'], [[1, 0], [1, 0]])
    """
    g = _units("gold", gold, allow_empty_topics=False)
    p = _units("pred", pred, allow_empty_topics=True)
    missing = sorted(set(g) - set(p))
    extra = sorted(set(p) - set(g))
    if missing:
        raise ValueError(f"pred: gold unit {missing[0]} has no prediction ({len(missing)} missing)")
    if extra:
        raise ValueError(f"pred: unit {extra[0]} is not a gold unit ({len(extra)} extra)")
    keys = sorted(g)
    g_sec = [g[k][0] for k in keys]
    p_sec = [p[k][0] for k in keys]
    g_top = [g[k][1] for k in keys]
    p_top = [p[k][1] for k in keys]
    g_pri = [t[0] for t in g_top]
    p_pri = [t[0] if t else NO_TOPIC for t in p_top]
    if labels is not None:
        known = set(labels)
        for side, tops_list in (("gold", g_top), ("pred", p_top)):
            for k, tops in zip(keys, tops_list, strict=True):
                for t in tops:
                    if t not in known:
                        raise ValueError(f"labels: {side} topic {t!r} of unit {k} is not in labels")
        topic_labels = list(labels)
    else:
        topic_labels = sorted({t for ts in g_top + p_top for t in ts})
    section = _single(g_sec, p_sec, list(section_labels) if section_labels else None)
    primary = _single(g_pri, p_pri, topic_labels if labels is not None else None)
    return TopicScores(len(keys), section, primary, _multilabel(g_top, p_top, topic_labels))


def _multilabel(g_top: list[list[str]], p_top: list[list[str]], labels: list[str]) -> Any:
    from sklearn.metrics import accuracy_score, f1_score, hamming_loss
    from sklearn.preprocessing import MultiLabelBinarizer

    if not g_top or not labels:
        return MultiLabelScores(None, None, 0, None, None, _report([], [], []))
    mlb = MultiLabelBinarizer(classes=labels)
    y_true = mlb.fit_transform(g_top)
    y_pred = mlb.transform(p_top)
    rep = _report(y_true, y_pred, list(range(len(labels))))  # type: ignore[arg-type]
    rep = ClassReport(list(labels), rep.precision, rep.recall, rep.f1, rep.support)
    defined = [v for v in rep.f1 if v is not None]
    return MultiLabelScores(
        micro_f1=_opt(f1_score(y_true, y_pred, average="micro", zero_division=np.nan)),
        macro_f1=float(np.mean(defined)) if defined else None,
        n_classes_averaged=len(defined),
        subset_accuracy=float(accuracy_score(y_true, y_pred)),
        hamming_loss=float(hamming_loss(y_true, y_pred)),
        report=rep,
    )
