"""Mention-level scoring for string-returning systems, and grounding strings to offsets.

A *mention* is ``(unit_index, text, label)``: a system (e.g. an LLM) names an entity string
inside a unit (paragraph) without offsets. :func:`score_mentions` compares, per unit, the
multisets of ``(text, label)`` (``Counter`` intersection) and sums the counts over units.
:func:`ground_mentions` turns mentions into spans so the span metrics apply.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ._validate import check_str, require, to_spans, to_units
from .counts import Counts, MacroScore, macro_average

__all__ = [
    "QUOTE_PAIRS",
    "GroundingResult",
    "MentionScores",
    "entity_mentions",
    "ground_mentions",
    "score_mentions",
]

Mention = tuple[int, str, str]

QUOTE_PAIRS: tuple[tuple[str, str], ...] = (
    ("“", "”"),
    ("‘", "’"),
    ('"', '"'),
    ("「", "」"),
)
"""Quote pairs stripped from a mention that is not found verbatim."""


def _to_mentions(arg: str, items: Iterable[Any]) -> list[Mention]:
    out: list[Mention] = []
    for i, item in enumerate(items):
        if isinstance(item, tuple | list) and len(item) == 3:
            unit, text, label = item
        else:
            rec = require(arg, i, item, ("unit", "text", "label"))
            unit, text, label = rec["unit"], rec["text"], rec["label"]
        if isinstance(unit, bool) or not isinstance(unit, int) or unit < 0:
            raise ValueError(f"{arg}[{i}]: unit index must be an int >= 0, got {unit!r}")
        check_str(arg, i, "text", text)
        check_str(arg, i, "label", label)
        out.append((unit, text, label))
    return out


@dataclass(frozen=True)
class MentionScores:
    """Result of :func:`score_mentions`."""

    micro: Counts
    per_label: dict[str, Counts]
    macro: MacroScore
    per_unit: dict[int, Counts]

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict (unit keys become strings)."""
        return {
            "micro": self.micro.to_dict(),
            "macro": self.macro.to_dict(),
            "per_label": {k: v.to_dict() for k, v in self.per_label.items()},
            "per_unit": {str(k): v.to_dict() for k, v in self.per_unit.items()},
        }


def score_mentions(gold: Iterable[Any], pred: Iterable[Any]) -> MentionScores:
    """Score mentions by per-unit multiset intersection of ``(text, label)``.

    For each unit ``u``: ``tp_u = |G_u ∩ P_u|`` (multiset), ``fp_u = |P_u| - tp_u``,
    ``fn_u = |G_u| - tp_u``; micro counts are the sums over units.

    Args:
        gold: Gold mentions ``(unit_index, text, label)`` or dicts with ``unit``, ``text``,
            ``label`` (see :func:`entity_mentions` to derive them from gold spans).
        pred: Predicted mentions, same format. Repeats count: a string that occurs twice in
            a unit must be returned twice to get both.

    Returns:
        Micro, per-label, macro and per-unit counts.

    Example:
        >>> gold = [(0, "四川", "GPE"), (0, "四川", "GPE"), (1, "成都", "GPE")]
        >>> pred = [(0, "四川", "GPE"), (1, "成都", "LOC"), (1, "成都", "GPE")]
        >>> r = score_mentions(gold, pred)
        >>> r.micro, r.per_label["LOC"].precision
        (Counts(tp=2, fp=1, fn=1), 0.0)
    """
    g = _to_mentions("gold", gold)
    p = _to_mentions("pred", pred)
    by_unit: dict[int, tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]] = defaultdict(
        lambda: (Counter(), Counter())
    )
    for u, t, lab in g:
        by_unit[u][0][(t, lab)] += 1
    for u, t, lab in p:
        by_unit[u][1][(t, lab)] += 1
    micro = Counts()
    per_unit: dict[int, Counts] = {}
    lab_acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for u in sorted(by_unit):
        gc, pc = by_unit[u]
        inter = gc & pc
        tp = sum(inter.values())
        c = Counts(tp, sum(pc.values()) - tp, sum(gc.values()) - tp)
        per_unit[u] = c
        micro = micro + c
        for (_, lab), n in inter.items():
            lab_acc[lab][0] += n
        for (_, lab), n in pc.items():
            lab_acc[lab][1] += n
        for (_, lab), n in gc.items():
            lab_acc[lab][2] += n
    per_label = {lab: Counts(v[0], v[1] - v[0], v[2] - v[0]) for lab, v in sorted(lab_acc.items())}
    return MentionScores(micro, per_label, macro_average(per_label), per_unit)


def entity_mentions(text: str, units: Sequence[Any], entities: Iterable[Any]) -> list[Mention]:
    """Convert entity spans into mentions ``(unit_index, text, label)``.

    Each span goes to the unit that contains its start (units must not overlap).

    Args:
        text: The article text.
        units: ``(start, end)`` pairs or dicts with ``start``/``end``.
        entities: Entity records or ``(start, end, label)`` tuples.

    Returns:
        Mentions sorted by span position.

    Raises:
        ValueError: If a span starts outside every unit.

    Example:
        >>> entity_mentions("四川成都。北京", [(0, 5), (5, 7)], [(0, 2, "GPE"), (5, 7, "GPE")])
        [(0, '四川', 'GPE'), (1, '北京', 'GPE')]
    """
    from .bootstrap import assign_units

    spans = sorted(to_spans("entities", entities))
    idx = assign_units(units, [s for s, _, _ in spans], arg="entities")
    return [(u, text[s:e], lab) for u, (s, e, lab) in zip(idx, spans, strict=True)]


@dataclass(frozen=True)
class GroundingResult:
    """Result of :func:`ground_mentions`.

    Attributes:
        spans: Grounded entity dicts ``{"start", "end", "text", "label"}``, sorted, unique.
        ungrounded: Mentions ``(unit_index, text, label)`` not found in their unit.
        n_returned: Number of mentions given.
        n_grounded: Mentions with at least one occurrence.
        n_ungrounded: Mentions with none.
        n_stripped: Mentions grounded only after stripping whitespace or quotes.
    """

    spans: list[dict[str, Any]]
    ungrounded: list[Mention]
    n_returned: int
    n_grounded: int
    n_ungrounded: int
    n_stripped: int

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {
            "spans": [dict(s) for s in self.spans],
            "ungrounded": [list(m) for m in self.ungrounded],
            "n_returned": self.n_returned,
            "n_grounded": self.n_grounded,
            "n_ungrounded": self.n_ungrounded,
            "n_stripped": self.n_stripped,
            "n_spans": len(self.spans),
        }


def _occurrences(haystack: str, needle: str) -> list[int]:
    """Start offsets of non-overlapping occurrences, left to right."""
    out: list[int] = []
    if not needle:
        return out
    i = haystack.find(needle)
    while i != -1:
        out.append(i)
        i = haystack.find(needle, i + len(needle))
    return out


def _candidates(s: str) -> list[str]:
    """Verbatim string, then whitespace-stripped, then with one pair of quotes stripped."""
    cands = [s]
    stripped = s.strip()
    if stripped != s:
        cands.append(stripped)
    for left, right in QUOTE_PAIRS:
        if len(stripped) > len(left) + len(right) and stripped.startswith(left) and stripped.endswith(right):
            inner = stripped[len(left) : len(stripped) - len(right)]
            cands.extend(dict.fromkeys([inner, inner.strip()]))
            break
    return cands


def ground_mentions(text: str, units: Sequence[Any], mentions: Iterable[Any]) -> GroundingResult:
    """Map ``(unit_index, text, label)`` strings to character offsets inside their unit.

    Every non-overlapping occurrence (left to right) of the string inside its unit becomes a
    span. If the verbatim string is not found, surrounding whitespace is stripped and, if the
    string is wrapped in a pair of quotes (“” ‘’ "" 「」), the quotes are stripped and the
    search retried (gold annotates a fully quoted name without its quotes; quotes that are
    part of a longer name, e.g. “天网”工程, are kept because that string is found verbatim).

    Args:
        text: The article text.
        units: ``(start, end)`` pairs or dicts with ``start``/``end``; a mention's
            ``unit_index`` indexes this list.
        mentions: ``(unit_index, text, label)`` tuples or dicts with ``unit``, ``text``,
            ``label``.

    Returns:
        A :class:`GroundingResult` with the spans, the ungrounded mentions and counts.

    Raises:
        ValueError: On a malformed mention or a unit index out of range.

    Example:
        >>> doc = "四川省公安厅发布“平安四川”。四川省"
        >>> r = ground_mentions(doc, [(0, 15), (15, 18)],
        ...                     [(0, "四川", "GPE"), (0, "“平安四川”", "X"), (0, "成都", "GPE")])
        >>> [(s["start"], s["end"], s["text"]) for s in r.spans]
        [(0, 2, '四川'), (8, 14, '“平安四川”'), (11, 13, '四川')]
        >>> r.ungrounded, r.n_returned, r.n_grounded, r.n_ungrounded
        ([(0, '成都', 'GPE')], 3, 2, 1)
        >>> ground_mentions("天网工程", [(0, 4)], [(0, " “天网” ", "X")]).spans[0]["text"]
        '天网'
    """
    unit_list = to_units("units", units)
    ms = _to_mentions("mentions", mentions)
    spans: set[tuple[int, int, str]] = set()
    ungrounded: list[Mention] = []
    n_grounded = 0
    n_stripped = 0
    for i, (u, s, label) in enumerate(ms):
        if u >= len(unit_list):
            raise ValueError(f"mentions[{i}]: unit index {u} out of range for {len(unit_list)} units")
        us, ue = unit_list[u]
        window = text[us:ue]
        found = False
        for k, cand in enumerate(_candidates(s)):
            occ = _occurrences(window, cand)
            if occ:
                spans.update((us + o, us + o + len(cand), label) for o in occ)
                found = True
                n_stripped += k > 0
                break
        if found:
            n_grounded += 1
        else:
            ungrounded.append((u, s, label))
    out = [{"start": s, "end": e, "text": text[s:e], "label": lab} for s, e, lab in sorted(spans)]
    return GroundingResult(out, ungrounded, len(ms), n_grounded, len(ungrounded), n_stripped)
