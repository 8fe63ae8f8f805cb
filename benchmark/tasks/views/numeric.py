"""The numeric-fact view of one run: the facts highlighted in the article, then gold and predicted
facts side by side, with the scorer's pairing.

Built from the task's ``details`` (:func:`benchmark.metrics.score_numeric`): ``fact_matches``
are the fact-level pairs (right); the other span ``matches`` are facts whose spans matched but
whose value, unit or metric did not, with the scorer's own verdict per attribute; the rest are
missed or false alarms. The qualifier, which fact F1 ignores, is flagged where it differs. In the
article each fact carries an inline tag (its value and unit, or which attributes differ), and each
differing cell of the table is marked ``≠`` as well as shaded, so no mismatch depends on colour.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from benchmark.render.widgets import Mark, counts_line, esc, highlight, legend, table, th, zh

STATUSES = ("match", "mismatch", "miss", "false alarm")
KINDS = ("match", "mismatch", "false-alarm", "miss")
KIND_TEXT = {
    "match": "right (value, unit and metric; tag: ✓, or the normalized value where the text differs)",
    "mismatch": "span found, an attribute wrong (tag: ≠ the attributes that differ)",
    "false-alarm": "false alarm (no gold fact there; tag +)",
    "miss": "missed (gold fact not predicted; tag −)",
}


def _value(value: float) -> str:
    """A value without exponent notation: ``7,910,000,000``, ``0.9``."""
    return f"{value:,}" if isinstance(value, int) else f"{value:,.12g}"


def fact_rows(
    gold: Sequence[Any], predictions: Sequence[Any], details: dict[str, Any]
) -> list[tuple[Any | None, Any | None, str, list[str]]]:
    """``(gold fact, predicted fact, status, attributes that differ)``, sorted by position.

    Indices in ``details`` refer to ``gold`` and ``predictions`` in the order they were scored.
    """

    def valid(gi: int, pi: int) -> bool:  # details of other predictions (a hand-edited run) are ignored
        return 0 <= gi < len(gold) and 0 <= pi < len(predictions)

    matches = [m for m in details.get("matches", []) if valid(m["gold"], m["pred"])]
    by_pair = {(m["gold"], m["pred"]): m for m in matches}
    rows: list[tuple[Any | None, Any | None, str, list[str]]] = []
    used_g: set[int] = set()
    used_p: set[int] = set()

    def differing(m: dict[str, Any], fact_level: bool) -> list[str]:
        out = [] if m.get("exact", True) else ["boundary"]
        out += [a for a in ("value", "unit", "qualifier") if not m.get(a, True)]
        if not fact_level and m.get("value", True) and m.get("unit", True):
            out.append("metric")
        return out

    for gi, pi in details.get("fact_matches", []):
        if not valid(gi, pi):
            continue
        rows.append((gold[gi], predictions[pi], "match", differing(by_pair.get((gi, pi), {}), True)))
        used_g.add(gi)
        used_p.add(pi)
    for m in matches:
        gi, pi = m["gold"], m["pred"]
        if gi not in used_g and pi not in used_p:
            rows.append((gold[gi], predictions[pi], "mismatch", differing(m, False)))
            used_g.add(gi)
            used_p.add(pi)
    rows += [(g, None, "miss", []) for i, g in enumerate(gold) if i not in used_g]
    rows += [(None, p, "false alarm", []) for i, p in enumerate(predictions) if i not in used_p]
    return sorted(rows, key=lambda r: min(f.start for f in r[:2] if f is not None))


def _describe(fact: Any) -> str:
    return f"{fact.text} = {_value(fact.value)} {fact.unit} ({fact.qualifier}), metric {fact.metric}"


def fact_marks(rows: Sequence[tuple[Any | None, Any | None, str, list[str]]]) -> list[Mark]:
    """The marks of the article: one per row of :func:`fact_rows` (the predicted span where there
    is one, else the gold span), with an inline tag and a title saying gold and predicted."""
    marks = []
    for g, p, status, differs in rows:
        fact = p if p is not None else g
        kind = status.replace(" ", "-")
        if status == "match":  # the normalized value where it differs from the surface, else a tick
            value = f"{_value(fact.value)}{fact.unit}"
            tag = ("✓" if value == fact.text else value) + (f" ≠{','.join(differs)}" if differs else "")
        elif status == "mismatch":
            tag = "≠" + ",".join(differs)
        else:
            tag = "+" if status == "false alarm" else "−"
        parts = [f"{who}: {_describe(f)}" for who, f in (("gold", g), ("predicted", p)) if f is not None]
        why = f" ({', '.join(differs)})" if differs else ""
        title = f"{status}{why}: " + "; ".join(parts)
        marks.append(Mark(fact.start, fact.end, kind, title, tag))
    return sorted(marks, key=lambda m: (m.start, m.end, KINDS.index(m.kind)))


def _cells(fact: Any | None, differs: Sequence[str]) -> str:
    if fact is None:
        return '<td class="none">-</td>' * 4
    bad = set(differs)

    def cell(text: str, *attrs: str) -> str:
        if bad & set(attrs):
            return f'<td class="mismatch" title="differs">≠ {text}</td>'
        return f"<td>{text}</td>"

    value = f"{_value(fact.value)} {fact.unit}"
    return (
        cell(zh(fact.text), "boundary") + cell(zh(value), "value", "unit")
        + cell(esc(fact.qualifier), "qualifier") + cell(zh(fact.metric), "metric")
    )  # fmt: skip


def fact_view(
    gold: Sequence[Any], predictions: Sequence[Any], details: dict[str, Any], text: str | None = None
) -> str:
    """Counts, the facts highlighted in ``text`` (when given) and the side-by-side table."""
    rows = fact_rows(gold, predictions, details)
    counts = Counter(status for _, _, status, _ in rows)
    body = []
    for g, p, status, differs in rows:
        label = f"{status} ({', '.join(differs)})" if differs else status
        body.append(
            f'<tr class="fact-{status.replace(" ", "-")}"><td>{esc(label)}</td>{_cells(g, differs)}'
            f"{_cells(p, differs)}</tr>"
        )
    head = [th(h, sortable=False) for h in ("status", "gold", "gold value", "gold qualifier", "gold metric",
                                            "predicted", "predicted value", "predicted qualifier",
                                            "predicted metric")]  # fmt: skip
    summary = ", ".join(f"{k}: {counts[k]}" for k in STATUSES)
    facts = table(head, body or ['<tr><td colspan="9">no facts</td></tr>'], caption="Numeric facts",
                  sortable=False)  # fmt: skip
    article = ""
    if text is not None:
        marks = fact_marks(rows)
        counts_by_kind = Counter(m.kind for m in marks)
        article = (
            f'<p class="numeric-marks">{counts_line(counts_by_kind, KINDS)}</p>{legend(KIND_TEXT)}'
            f'<div class="article" lang="zh-Hans">{highlight(text, marks, KINDS)}</div>'
        )
    return (
        f'<p class="fact-counts">{esc(summary)}</p><p><small>match: a fact-level match (value, unit and '
        "metric; the qualifier is flagged but not scored); mismatch: the spans matched, the attributes "
        f"marked ≠ did not.</small></p>{article}"
        f'<details class="fact-table" open><summary>Facts side by side ({len(rows)})</summary>'
        f"{facts}</details>"
    )
