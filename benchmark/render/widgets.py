"""Small HTML building blocks shared by the leaderboard page and the tasks' run views.

Nothing here knows about a task: a task's :meth:`~benchmark.tasks.base.Task.html_view` builds its
view of one run from these pieces (escaped text, tables, highlighted text, legends). Every string
that comes from a model, a run record or a file must go through :func:`esc`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

#: At most this many rows in the generic view of a run's details and errors.
MAX_DATA_ROWS = 200


def esc(value: Any) -> str:
    """HTML-escape ``str(value)``, quotes included (safe in text and in attribute values).

    Example:
        >>> esc('<script>alert("x")</script>')
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return escape(str(value), quote=True)


def zh(text: Any) -> str:
    """Escaped Chinese text, tagged ``lang="zh-Hans"`` for fonts and screen readers."""
    return f'<span lang="zh-Hans">{esc(text)}</span>'


def sort_attr(value: float | int | None) -> str:
    """The ``data-sort-value`` attribute of a numeric cell (empty for None: sorted last)."""
    return ' data-sort-value=""' if value is None else f' data-sort-value="{value!r}"'


def th(label: str, title: str = "", *, sortable: bool = True, cls: str = "") -> str:
    """A column header (a button when the table is sortable, so the keyboard reaches it);
    ``cls``: its CSS class (``system`` for the column that stays in view)."""
    tip = f' title="{esc(title)}"' if title else ""
    klass = f' class="{esc(cls)}"' if cls else ""
    inner = f'<button type="button">{esc(label)}</button>' if sortable else esc(label)
    return f'<th scope="col"{klass}{tip}>{inner}</th>'


def table(head: Sequence[str], body: Sequence[str], *, caption: str, sortable: bool = True) -> str:
    """A table in a horizontally scrolling wrapper; ``head`` and ``body`` are HTML already.

    ``caption`` is HTML too (escape what it quotes).
    """
    cls = ' class="sortable"' if sortable else ""
    return (
        f'<div class="table-wrap"><table{cls}><caption>{caption}</caption><thead><tr>{"".join(head)}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


@dataclass(frozen=True)
class Mark:
    """One highlighted span of a text: its kind (a CSS class ``span-KIND``), its explanation (shown
    on tap and as a tooltip) and a short tag shown inline after the span (``PER``, ``≠value``)."""

    start: int
    end: int
    kind: str
    title: str
    tag: str = ""


def highlight(text: str, marks: Sequence[Mark], kinds: Sequence[str]) -> str:
    """The text as HTML, cut into segments at every mark boundary.

    A segment covered by marks becomes ``<mark class="seg span-KIND ...">`` (one class per kind
    covering it, in the order of ``kinds``, and ``mark-start`` where a mark begins, to separate
    adjacent spans) with a ``title`` listing the marks' titles and ``data-marks`` their indices;
    where marks with a ``tag`` end, the segment carries ``data-tag`` (the page shows it inline, so
    labels need no hover); other text is escaped as is.

    Example:
        >>> print(highlight("x<y", [Mark(1, 2, "miss", "miss: <")], ["miss"]))
        x<mark class="seg span-miss mark-start" data-marks="0" title="miss: &lt;">&lt;</mark>y
        >>> highlight("ab", [Mark(0, 2, "match", "right PER: ab", "PER")], ["match"])[-24:]
        'data-tag="PER">ab</mark>'
    """
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    out = []
    for a, b in itertools.pairwise(cuts):
        covering = [i for i, m in enumerate(marks) if m.start <= a and b <= m.end]
        if not covering:
            out.append(esc(text[a:b]))
            continue
        present = {marks[i].kind for i in covering}
        ordered = [k for k in kinds if k in present] + sorted(present - set(kinds))
        starts = ["mark-start"] if any(marks[i].start == a for i in covering) else []
        classes = " ".join(["seg", *(f"span-{k}" for k in ordered), *starts])
        title = "\n".join(marks[i].title for i in covering)
        ids = " ".join(str(i) for i in covering)
        tags = " ".join(marks[i].tag for i in covering if marks[i].end == b and marks[i].tag)
        tag = f' data-tag="{esc(tags)}"' if tags else ""
        out.append(
            f'<mark class="{classes}" data-marks="{ids}" title="{esc(title)}"{tag}>{esc(text[a:b])}</mark>'
        )
    return "".join(out)


def legend(kind_text: Mapping[str, str]) -> str:
    """A colour legend: one swatch per kind (CSS class ``span-KIND``) with its explanation."""
    items = "".join(
        f'<li><span class="swatch span-{esc(k)}">{esc(k.replace("-", " "))}</span> {esc(text)}</li>'
        for k, text in kind_text.items()
    )
    return f'<ul class="legend" aria-label="legend">{items}</ul>'


def counts_line(counts: Mapping[str, int], kinds: Sequence[str]) -> str:
    """``match: 3 · miss: 1 ...`` with each count machine-readable (``data-kind``, ``data-count``)."""
    return " · ".join(
        f'<span class="count span-{esc(k)}" data-kind="{esc(k)}" data-count="{int(counts.get(k, 0))}">'
        f"{esc(k.replace('-', ' '))}: {int(counts.get(k, 0))}</span>"
        for k in kinds
    )


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``(path, scalar)`` pairs of nested JSON-able data, in order (lists of scalars stay whole).

    Example:
        >>> flatten({"a": {"b": 1, "c": [1, 2]}, "d": [{"e": None}]})
        [('a.b', 1), ('a.c', [1, 2]), ('d[0].e', None)]
    """
    if isinstance(data, Mapping):
        if not data:
            return [(prefix, {})] if prefix else []
        out = []
        for key, value in data.items():
            out += flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(data, list | tuple) and any(isinstance(v, Mapping | list | tuple) for v in data):
        out = []
        for i, value in enumerate(data):
            out += flatten(value, f"{prefix}[{i}]")
        return out
    return [(prefix, list(data) if isinstance(data, tuple) else data)]


def data_view(details: Any, errors: Any, *, max_rows: int = MAX_DATA_ROWS) -> str:
    """The generic view of one run's result on one document: its details and errors as tables.

    Used by tasks that do not render a view of their own; values are shown as JSON.
    """
    parts = []
    for title, data in (("Details", details), ("Errors", errors)):
        rows = flatten(data)
        if not rows:
            continue
        body = [
            f"<tr><td>{esc(path)}</td><td>{esc(json.dumps(value, ensure_ascii=False))}</td></tr>"
            for path, value in rows[:max_rows]
        ]
        if len(rows) > max_rows:
            body.append(f'<tr><td colspan="2">… {len(rows) - max_rows} more rows in the run record</td></tr>')
        head = [th("field", sortable=False), th("value", sortable=False)]
        parts.append(
            f'<details class="data-view"><summary>{esc(title)} ({len(rows)})</summary>'
            f"{table(head, body, caption=esc(title), sortable=False)}</details>"
        )
    return "".join(parts) or "<p>nothing recorded</p>"
