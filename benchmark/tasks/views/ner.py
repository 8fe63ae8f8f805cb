"""The entity view of one run: the article with right, wrong and missed entities highlighted.

Built from the scorer's error analysis (:func:`benchmark.metrics.analyze_errors`, the task's
``errors``): every predicted entity that the analysis does not list as a false alarm is right;
a false alarm on the exact span of a gold entity is a wrong type; every other false alarm keeps
its category (boundary too short, nested span, spurious...); a gold entity that is neither right
nor wrongly typed is missed, with the category of the false alarm that explains it, if any.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from benchmark.render.widgets import Mark, counts_line, esc, highlight, legend, table, th, zh

KINDS = ("match", "wrong-type", "false-alarm", "miss")
KIND_TEXT = {
    "match": "right (predicted span and label equal the gold)",
    "wrong-type": "wrong type (same span as a gold entity, other label)",
    "false-alarm": "false alarm (no gold entity with that span and label; tap it for why)",
    "miss": "missed (gold entity not predicted)",
}
#: The inline tag after a span shows its label: ``PER`` right, ``ORG≠GPE`` predicted ORG where the
#: gold says GPE, ``+PER`` a false alarm, ``−PER`` a missed gold entity.


def _key(span: dict[str, Any]) -> tuple[int, int, str]:
    return (span["start"], span["end"], span["label"])


def _words(category: str) -> str:
    return category.replace("_", " ")


def entity_marks(
    text: str, gold: Sequence[Any], predictions: Sequence[Any], errors: dict[str, Any]
) -> list[Mark]:
    """The marks of the view, from the error analysis of the predictions against the gold.

    Args:
        text: The document's text.
        gold: Gold entities (``start``, ``end``, ``label``).
        predictions: Predicted entities, same fields.
        errors: The task's ``errors`` output for this document (``records``: category, gold, pred,
            other_gold).

    Returns:
        The marks, sorted by position then kind; each title says what the mark is and why.
    """
    records = errors.get("records", [])
    false_alarms = {_key(r["pred"]): r for r in records if r.get("pred")}
    confused = {_key(r["gold"]) for r in records if r["category"] == "type_confusion" and r.get("gold")}
    explains: dict[tuple[int, int, str], str] = {}
    for r in records:
        for g in [r.get("gold"), *r.get("other_gold", [])]:
            if g:
                explains.setdefault(_key(g), r["category"])
    marks: list[Mark] = []
    right: set[tuple[int, int, str]] = set()
    for p in predictions:
        k = (p.start, p.end, p.label)
        if k not in false_alarms and k not in right:
            right.add(k)
            marks.append(Mark(p.start, p.end, "match", f"right {p.label}: {text[p.start : p.end]}", p.label))
    for (start, end, label), r in false_alarms.items():
        surface = text[start:end]
        other = r.get("gold")
        if r["category"] == "type_confusion":
            title = f"wrong type: gold {other['label']}, predicted {label}: {surface}"
            marks.append(Mark(start, end, "wrong-type", title, f"{label}≠{other['label']}"))
            continue
        near = f"; gold {other['label']} {text[other['start'] : other['end']]}" if other else ""
        title = f"false alarm ({_words(r['category'])}{near}): predicted {label}: {surface}"
        marks.append(Mark(start, end, "false-alarm", title, f"+{label}"))
    for g in gold:
        k = (g.start, g.end, g.label)
        if k in right or k in confused:
            continue
        why = _words(explains.get(k, "missed"))
        title = f"missed ({why}): gold {g.label}: {text[g.start : g.end]}"
        marks.append(Mark(g.start, g.end, "miss", title, f"−{g.label}"))
    return sorted(marks, key=lambda m: (m.start, m.end, KINDS.index(m.kind)))


def entity_view(text: str, gold: Sequence[Any], predictions: Sequence[Any], errors: dict[str, Any]) -> str:
    """Counts, a legend, the highlighted article and the list of errors."""
    marks = entity_marks(text, gold, predictions, errors)
    counts = Counter(m.kind for m in marks)
    rows = [
        f'<tr class="row-{m.kind}"><td>{esc(m.kind.replace("-", " "))}</td>'
        f'<td class="num" data-sort-value="{m.start}">{m.start}–{m.end}</td>'
        f"<td>{zh(text[m.start : m.end])}</td><td>{esc(m.title)}</td></tr>"
        for m in marks
        if m.kind != "match"
    ]
    errors_table = table(
        [th("kind"), th("offsets"), th("text"), th("why")],
        rows or ['<tr><td colspan="4">no errors</td></tr>'],
        caption="Entity errors",
    )
    return (
        f'<p class="ner-counts">{counts_line(counts, KINDS)}</p>{legend(KIND_TEXT)}'
        "<p><small>Strict matching: a boundary error shows as a false alarm and a miss overlapping. "
        "After each span its label: <code>PER</code> right, <code>ORG≠GPE</code> wrong type "
        "(predicted≠gold), <code>+PER</code> false alarm, <code>−PER</code> missed. Tap a highlight "
        "for its error category.</small></p>"
        f'<div class="article" lang="zh-Hans">{highlight(text, marks, KINDS)}</div>'
        f"<details><summary>Entity errors ({len(rows)})</summary>{errors_table}</details>"
    )
