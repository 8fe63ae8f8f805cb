"""Strict-match error analysis: a category for every false alarm and every miss, as data.

A false alarm is a predicted span not in the gold set; a miss is a gold span not predicted
(strict: boundaries and label). Each false alarm gets one record, categorised against the
gold spans it overlaps (first rule that applies):

1. ``type_confusion``: a gold span has the same boundaries but another label
   (``detail`` is ``"GOLD->PRED"``);
2. ``title_not_split``: the prediction covers exactly a gold ``ORG`` immediately followed by a
   gold ``TITLE`` (e.g. 省公安厅厅长 for 省公安厅 + 厅长);
3. ``nested_span``: the prediction contains two or more gold spans, or lies strictly inside
   a gold span of another type, or strictly contains a single gold span of another type;
4. ``boundary_too_short``: strictly inside a gold span of the same type (四川省 in 四川省公安厅);
5. ``boundary_too_long``: strictly contains one gold span of the same type;
6. ``boundary_overlap``: crosses a gold span (neither contains the other);
7. ``generic_description``: overlaps no gold span and its text is in ``generic_terms``;
8. ``spurious``: anything else.

Where several gold spans qualify, a missed one is preferred, then the same label, then the
largest overlap, then position. A miss referenced by a false-alarm record (as ``gold`` or in
``other_gold``) is explained by it and gets no record of its own; every other miss becomes
``missed_repeat`` if the same ``(text, label)`` was predicted correctly elsewhere, otherwise
``missed``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._validate import Span, to_spans
from .overlap import overlapping_pairs

__all__ = ["ERROR_CATEGORIES", "ErrorAnalysis", "ErrorRecord", "analyze_errors"]

ERROR_CATEGORIES: tuple[str, ...] = (
    "type_confusion",
    "title_not_split",
    "nested_span",
    "boundary_too_short",
    "boundary_too_long",
    "boundary_overlap",
    "generic_description",
    "spurious",
    "missed_repeat",
    "missed",
)
"""All error categories, false-alarm categories first."""


@dataclass(frozen=True)
class ErrorRecord:
    """One error: a category with the gold and/or predicted span involved.

    Spans are dicts ``{"start", "end", "label", "text"}`` (``text`` may be ``None`` if unknown).
    """

    category: str
    gold: dict[str, Any] | None
    pred: dict[str, Any] | None
    other_gold: list[dict[str, Any]] = field(default_factory=list)
    detail: str | None = None

    @property
    def gold_text(self) -> str | None:
        """Text of the gold span, if any."""
        return None if self.gold is None else self.gold["text"]

    @property
    def pred_text(self) -> str | None:
        """Text of the predicted span, if any."""
        return None if self.pred is None else self.pred["text"]

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {
            "category": self.category,
            "gold": None if self.gold is None else dict(self.gold),
            "pred": None if self.pred is None else dict(self.pred),
            "gold_text": self.gold_text,
            "pred_text": self.pred_text,
            "other_gold": [dict(g) for g in self.other_gold],
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ErrorAnalysis:
    """Result of :func:`analyze_errors`.

    ``counts`` has every category (zeros included); ``type_confusions`` counts
    ``"GOLD->PRED"`` pairs. ``n_false_alarms`` and ``n_misses`` are the strict fp and fn.
    """

    records: list[ErrorRecord]
    counts: dict[str, int]
    type_confusions: dict[str, int]
    n_correct: int
    n_false_alarms: int
    n_misses: int

    def by_category(self, category: str) -> list[ErrorRecord]:
        """The records of one category."""
        return [r for r in self.records if r.category == category]

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {
            "records": [r.to_dict() for r in self.records],
            "counts": dict(self.counts),
            "type_confusions": dict(self.type_confusions),
            "n_correct": self.n_correct,
            "n_false_alarms": self.n_false_alarms,
            "n_misses": self.n_misses,
        }


def _texts(items: list[Any]) -> dict[Span, str]:
    out: dict[Span, str] = {}
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("text"), str):
            out[(item["start"], item["end"], item["label"])] = item["text"]
    return out


def analyze_errors(
    gold: Iterable[Any],
    pred: Iterable[Any],
    *,
    text: str | None = None,
    generic_terms: Collection[str] = (),
    org_label: str = "ORG",
    title_label: str = "TITLE",
    label_map: Mapping[str, str] | None = None,
) -> ErrorAnalysis:
    """Categorise every strict false alarm and miss.

    Args:
        gold: Gold entity records (dicts or ``(start, end, label)`` tuples).
        pred: Predicted entity records.
        text: The article; span texts are ``text[start:end]``. Without it the records'
            ``text`` fields are used (``None`` where absent).
        generic_terms: Strings that are generic descriptions rather than names
            (e.g. 全省公安机关, 全国, 派出所).
        org_label: Label of organisations for ``title_not_split``.
        title_label: Label of titles for ``title_not_split``.
        label_map: Rename labels first (as in ``score_entities``).

    Returns:
        An :class:`ErrorAnalysis`.

    Raises:
        ValueError: On a malformed record.

    Example:
        >>> doc = "四川省公安厅厅长在全国会议"
        >>> gold = [(0, 6, "ORG"), (6, 8, "TITLE")]
        >>> pred = [(0, 8, "ORG"), (9, 11, "GPE"), (0, 3, "GPE")]
        >>> r = analyze_errors(gold, pred, text=doc, generic_terms={"全国"})
        >>> [(e.category, e.pred_text) for e in r.records]
        [('nested_span', '四川省'), ('title_not_split', '四川省公安厅厅长'), ('generic_description', '全国')]
        >>> r.counts["title_not_split"], r.n_misses
        (1, 2)
    """
    gold_items, pred_items = list(gold), list(pred)
    lm = dict(label_map or {})
    g_text = _texts(gold_items)
    p_text = _texts(pred_items)
    gset = {(s, e, lm.get(lab, lab)) for s, e, lab in to_spans("gold", gold_items)}
    pset = {(s, e, lm.get(lab, lab)) for s, e, lab in to_spans("pred", pred_items)}
    if lm:
        g_text = {(s, e, lm.get(lab, lab)): t for (s, e, lab), t in g_text.items()}
        p_text = {(s, e, lm.get(lab, lab)): t for (s, e, lab), t in p_text.items()}

    def span_dict(sp: Span, texts: dict[Span, str]) -> dict[str, Any]:
        t = text[sp[0] : sp[1]] if text is not None else texts.get(sp)
        return {"start": sp[0], "end": sp[1], "label": sp[2], "text": t}

    correct = gset & pset
    golds = sorted(gset)
    fas = sorted(pset - gset)
    missed_set = gset - pset
    overlaps: list[list[int]] = [[] for _ in fas]
    for gi, pj in overlapping_pairs(golds, fas):
        overlaps[pj].append(gi)

    records: list[ErrorRecord] = []
    explained: set[Span] = set()
    for pj, p in enumerate(fas):
        cands = [golds[gi] for gi in overlaps[pj]]
        rec = _classify(p, cands, missed_set, title_label, org_label)
        pd = span_dict(p, p_text)
        if rec is None:
            cat = "generic_description" if pd["text"] in generic_terms else "spurious"
            records.append(ErrorRecord(cat, None, pd))
            continue
        cat, g, others, detail = rec
        explained.add(g)
        explained.update(others)
        records.append(
            ErrorRecord(cat, span_dict(g, g_text), pd, [span_dict(o, g_text) for o in others], detail)
        )
    found = {(span_dict(sp, p_text)["text"], sp[2]) for sp in correct}
    for g in sorted(missed_set - explained):
        gd = span_dict(g, g_text)
        cat = "missed_repeat" if gd["text"] is not None and (gd["text"], g[2]) in found else "missed"
        records.append(ErrorRecord(cat, gd, None))

    def pos(r: ErrorRecord) -> tuple[int, int, int]:
        sp = r.pred if r.pred is not None else r.gold
        assert sp is not None
        return (sp["start"], sp["end"], ERROR_CATEGORIES.index(r.category))

    records.sort(key=pos)
    counts = Counter(r.category for r in records)
    confusions = Counter(r.detail for r in records if r.category == "type_confusion")
    return ErrorAnalysis(
        records=records,
        counts={c: counts.get(c, 0) for c in ERROR_CATEGORIES},
        type_confusions={k: v for k, v in sorted(confusions.items()) if k is not None},
        n_correct=len(correct),
        n_false_alarms=len(fas),
        n_misses=len(missed_set),
    )


def _classify(
    p: Span, cands: list[Span], missed: set[Span], title_label: str, org_label: str
) -> tuple[str, Span, list[Span], str | None] | None:
    if not cands:
        return None
    ps, pe, pl = p

    def rank(g: Span) -> tuple[Any, ...]:
        ov = min(g[1], pe) - max(g[0], ps)
        return (g not in missed, g[2] != pl, -ov, g)

    same = sorted((g for g in cands if g[0] == ps and g[1] == pe), key=rank)
    if same:
        g = same[0]
        return "type_confusion", g, [], f"{g[2]}->{pl}"
    for g1 in cands:
        if g1[0] == ps and g1[2] == org_label:
            for g2 in cands:
                if g2[0] == g1[1] and g2[1] == pe and g2[2] == title_label:
                    return "title_not_split", g1, [g2], None
    inside = sorted((g for g in cands if g[0] <= ps and pe <= g[1]), key=rank)
    contained = sorted((g for g in cands if ps <= g[0] and g[1] <= pe), key=rank)
    if len(contained) >= 2:
        ordered = sorted(contained)
        return "nested_span", ordered[0], ordered[1:], None
    if inside:
        g = inside[0]
        return ("boundary_too_short" if g[2] == pl else "nested_span"), g, [], None
    if contained:
        g = contained[0]
        return ("boundary_too_long" if g[2] == pl else "nested_span"), g, [], None
    g = sorted(cands, key=rank)[0]
    return "boundary_overlap", g, [], None
