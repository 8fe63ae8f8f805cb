"""The topic view of one run: every paragraph unit's gold and predicted section and topics.

Built from the ``units`` of the task's ``details`` (one entry per gold unit, with the scorer's
verdicts ``section_right`` and ``topics_right``); a unit the system did not predict shows as
not predicted.
"""

from __future__ import annotations

from typing import Any

from benchmark.render.widgets import esc, table, th, zh

EXCERPT = 40


def topic_view(text: str, details: dict[str, Any]) -> str:
    """A summary line and one row per unit, wrong cells marked."""
    units = details.get("units", [])
    body = []
    for u in units:
        right = u["section_right"] and u["topics_right"]
        excerpt = text[u["start"] : u["end"]]
        short = excerpt if len(excerpt) <= EXCERPT else excerpt[: EXCERPT - 1] + "…"
        predicted = u.get("pred_section") is not None
        section_cls, section_mark = ("ok", "") if u["section_right"] else ("mismatch", "≠ ")
        topics_cls, topics_mark = ("ok", "") if u["topics_right"] else ("mismatch", "≠ ")
        pred_cells = (
            f'<td class="{section_cls}">{section_mark}{esc(u["pred_section"])}</td>'
            f'<td class="{topics_cls}">{topics_mark}{esc(", ".join(u["pred_topics"]))}</td>'
            if predicted
            else '<td class="mismatch" colspan="2">not predicted</td>'
        )
        body.append(
            f'<tr class="{"unit-right" if right else "unit-wrong"}"><td>{"✓" if right else "✗"}</td>'
            f'<td title="{esc(excerpt)}">{zh(short)}</td><td>{esc(u["gold_section"])}</td>'
            f'<td>{esc(", ".join(u["gold_topics"]))}</td>{pred_cells}</tr>'
        )
    head = [th(h, sortable=False) for h in ("", "paragraph", "gold section", "gold topics",
                                            "predicted section", "predicted topics")]  # fmt: skip
    n_right = sum(1 for u in units if u["section_right"] and u["topics_right"])
    rows = body or ['<tr><td colspan="6">no units</td></tr>']
    return (
        f'<p class="topic-counts">Units with the section and the whole topic set right: {n_right} of '
        f"{len(units)} (stricter than <code>subset_accuracy</code>, which ignores the section); wrong ones "
        "marked ✗, their wrong cells marked ≠ and shaded.</p>"
        + table(head, rows, caption="Paragraph topics", sortable=False)
    )
