"""Render the leaderboard (:func:`benchmark.leaderboard.build`) as one self-contained HTML page.

The page needs no network: CSS and JavaScript are inline (and allowed by hash in a
Content-Security-Policy that forbids everything else), plots are ``data:`` URIs. It shows the
note on intervals, the overall table, one sortable table per task, the failed runs and the
plots, then an error-analysis view per run: the article with gold and predicted entities
highlighted (match, false alarm, miss, wrong type), the numeric facts side by side and the
paragraph topics, gold against predicted.

Every string that comes from a model, a run record or a file goes through :func:`esc`.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from benchmark.document import Document
from benchmark.records import RunRecord
from benchmark.render.markdown import fmt_score

KINDS = ("match", "wrong-type", "false-alarm", "miss")
PLOT_CAPTIONS = {
    "ner_per_label_f1.png": "NER: strict F1 per label and system (n/a: no gold and no prediction)",
    "quality_vs_speed.png": "Primary score of each task (95% interval) against characters per second",
}
KIND_TEXT = {
    "match": "match (predicted span and label equal the gold)",
    "wrong-type": "wrong type (same span as a gold entity, other label)",
    "false-alarm": "false alarm (predicted, no gold entity on that span)",
    "miss": "miss (gold entity not predicted)",
}

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""How the screenshot script and the browser test start Debian's Chromium: headless, and with
nothing that reaches the network (a closed network refuses those connections)."""


def esc(value: Any) -> str:
    """HTML-escape ``str(value)``, quotes included (safe in text and in attribute values).

    Example:
        >>> esc('<script>alert("x")</script>')
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return escape(str(value), quote=True)


# --------------------------------------------------------------------------- entity highlighting


@dataclass(frozen=True)
class Mark:
    """One highlighted item of the NER view: a span, its kind, and the labels on each side."""

    start: int
    end: int
    kind: str
    gold_label: str | None
    pred_label: str | None

    def describe(self, text: str) -> str:
        """Tooltip line, e.g. ``wrong type: gold ORG, predicted GPE: 四川``."""
        surface = text[self.start : self.end]
        if self.kind == "match":
            return f"match {self.gold_label}: {surface}"
        if self.kind == "wrong-type":
            return f"wrong type: gold {self.gold_label}, predicted {self.pred_label}: {surface}"
        if self.kind == "miss":
            return f"miss: gold {self.gold_label}: {surface}"
        return f"false alarm: predicted {self.pred_label}: {surface}"


def classify_entities(gold: Iterable[Any], pred: Iterable[Any]) -> list[Mark]:
    """Pair gold and predicted entities span by span.

    On each exact span: equal labels are matches; the remaining gold and predicted labels are
    paired (in sorted order) as wrong types; what is left over is a miss (gold) or a false
    alarm (predicted). Entities on different spans are never paired, so a boundary error shows
    as a miss plus a false alarm (overlapping).

    Args:
        gold: Records with ``start``, ``end`` and ``label``.
        pred: Predicted records, same fields.

    Returns:
        The marks, sorted by position then kind.

    Example:
        >>> from types import SimpleNamespace as E
        >>> gold = [E(start=0, end=2, label="GPE"), E(start=3, end=5, label="ORG"),
        ...         E(start=6, end=8, label="PER")]
        >>> pred = [E(start=0, end=2, label="GPE"), E(start=3, end=5, label="GPE"),
        ...         E(start=9, end=10, label="LOC")]
        >>> sorted(Counter(m.kind for m in classify_entities(gold, pred)).items())
        [('false-alarm', 1), ('match', 1), ('miss', 1), ('wrong-type', 1)]
    """
    by_span: dict[tuple[int, int], tuple[list[str], list[str]]] = {}
    for side, records in ((0, gold), (1, pred)):
        for r in records:
            by_span.setdefault((r.start, r.end), ([], []))[side].append(r.label)
    marks = []
    for (start, end), (g_labels, p_labels) in sorted(by_span.items()):
        g_left, p_left = Counter(g_labels), Counter(p_labels)
        matched = g_left & p_left
        g_rest, p_rest = sorted((g_left - matched).elements()), sorted((p_left - matched).elements())
        marks += [Mark(start, end, "match", label, label) for label in sorted(matched.elements())]
        marks += [Mark(start, end, "wrong-type", g, p) for g, p in zip(g_rest, p_rest, strict=False)]
        marks += [Mark(start, end, "miss", g, None) for g in g_rest[len(p_rest) :]]
        marks += [Mark(start, end, "false-alarm", None, p) for p in p_rest[len(g_rest) :]]
    return sorted(marks, key=lambda m: (m.start, m.end, KINDS.index(m.kind)))


def highlight(text: str, marks: Sequence[Mark]) -> str:
    """The text as HTML, cut into segments at every mark boundary.

    A segment covered by marks becomes ``<mark class="seg span-KIND ...">`` (one class per kind
    covering it, and ``mark-start`` where a mark begins, to separate adjacent entities) with a
    ``title`` listing them and ``data-marks`` their indices; other text is escaped as is.

    Example:
        >>> print(highlight("x<y", [Mark(1, 2, "miss", "ORG", None)]))
        x<mark class="seg span-miss mark-start" data-marks="0" title="miss: gold ORG: &lt;">&lt;</mark>y
    """
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    out = []
    for a, b in itertools.pairwise(cuts):
        covering = [i for i, m in enumerate(marks) if m.start <= a and b <= m.end]
        if not covering:
            out.append(esc(text[a:b]))
            continue
        kinds = [k for k in KINDS if any(marks[i].kind == k for i in covering)]
        starts = ["mark-start"] if any(marks[i].start == a for i in covering) else []
        classes = " ".join(["seg", *(f"span-{k}" for k in kinds), *starts])
        title = "\n".join(marks[i].describe(text) for i in covering)
        ids = " ".join(str(i) for i in covering)
        out.append(f'<mark class="{classes}" data-marks="{ids}" title="{esc(title)}">{esc(text[a:b])}</mark>')
    return "".join(out)


# --------------------------------------------------------------------------- small helpers


def _num(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _value(value: float) -> str:
    """A numeric-fact value without exponent notation: ``7,910,000,000``, ``0.9``."""
    return f"{value:,}" if isinstance(value, int) else f"{value:,.12g}"


def _sort_attr(value: float | int | None) -> str:
    return ' data-sort-value=""' if value is None else f' data-sort-value="{value!r}"'


def _name(row: dict[str, Any]) -> str:
    name = esc(row.get("display_name") or row.get("model", ""))
    if not row.get("uses_gold"):
        return name
    return f'{name} <span class="gold-tag" title="reads gold labels">(gold)</span>'


def _zh(text: str) -> str:
    return f'<span lang="zh-Hans">{esc(text)}</span>'


def _table(head: Sequence[str], body: Sequence[str], *, caption: str, sortable: bool = True) -> str:
    cls = ' class="sortable"' if sortable else ""
    return (
        f'<div class="table-wrap"><table{cls}><caption>{caption}</caption><thead><tr>{"".join(head)}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _th(label: str, title: str = "", *, sortable: bool = True) -> str:
    tip = f' title="{esc(title)}"' if title else ""
    inner = f'<button type="button">{esc(label)}</button>' if sortable else esc(label)
    return f'<th scope="col"{tip}>{inner}</th>'


def _score_cell(score: dict[str, Any] | None) -> str:
    """The estimate, and its 95% interval on a second line (the full text in the tooltip)."""
    estimate = (score or {}).get("estimate")
    text = fmt_score(score)
    if estimate is None or "[" not in text:
        return f'<td class="num"{_sort_attr(estimate)}>{esc(text)}</td>'
    head, interval = text.split(" ", 1)
    return (
        f'<td class="num"{_sort_attr(estimate)} title="{esc(text)} (95% interval)">{esc(head)}'
        f'<span class="ci">{esc(interval)}</span></td>'
    )


# --------------------------------------------------------------------------- leaderboard tables


def notes_section(board: dict[str, Any]) -> str:
    """The header: documents, guidelines, and how sure the numbers are."""
    docs = ", ".join(esc(d) for d in board.get("documents", []))
    return (
        f"<p>Documents: {docs}. Guidelines {esc(board.get('guidelines_version', ''))}, gold hash "
        f"<code>{esc(str(board.get('gold_hash', ''))[:16])}</code>.</p>"
        '<section class="note" aria-labelledby="h-sure"><h2 id="h-sure">How sure are these numbers?</h2>'
        f"<p>{esc(board.get('ci_note', ''))}</p><p>Significance: {esc(board.get('significance', ''))}.</p>"
        f"<p>{esc(board.get('uses_gold_note', ''))}</p></section>"
    )


def overall_section(overall: dict[str, Any]) -> str:
    """The overall table with its policy."""
    tasks = overall.get("tasks", [])
    head = [_th("rank"), _th("system"), _th("overall"), _th("tasks")]
    head += [_th(t, f"primary score of {t}") for t in tasks]
    body = []
    for row in overall.get("rows", []):
        cells = [
            f'<td class="num"{_sort_attr(row["rank"])}>{row["rank"]}</td>',
            f"<td>{_name(row)}</td>",
            f'<td class="num"{_sort_attr(row["overall"])}>{row["overall"]:.3f}</td>',
            f'<td class="num"{_sort_attr(row["tasks_covered"])}>{row["tasks_covered"]}/{len(tasks)}</td>',
        ]
        for t in tasks:
            v = row["per_task"].get(t)
            cells.append(f'<td class="num"{_sort_attr(v)}>{"-" if v is None else f"{v:.3f}"}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    table = _table(head, body, caption="Overall (click a column header to sort)")
    return (
        '<section aria-labelledby="h-overall"><h2 id="h-overall">Overall</h2>'
        f"<p>{esc(overall.get('policy', ''))}</p>{table}</section>"
    )


def _labels_cell(row: dict[str, Any]) -> str:
    labels = row.get("labels", [])
    unsupported = ", ".join(row.get("unsupported_labels", [])) or "-"
    merged = "; ".join("+".join(g) for g in row.get("merged_labels", [])) or "-"
    title = f"unsupported: {unsupported}; merged: {merged}"
    return (
        f'<td{_sort_attr(len(labels))} title="{esc(title)}">{esc(", ".join(labels))}'
        f"<br><small>unsupported: {esc(unsupported)}; merged: {esc(merged)}</small></td>"
    )


def _task_row(table: dict[str, Any], row: dict[str, Any]) -> str:
    similar = row.get("not_significantly_different_from_above")
    p = row.get("p_value_vs_above")
    mark_title = "" if p is None else f' title="p = {p:.3f} against the system ranked above"'
    cells = [
        f'<td class="num"{_sort_attr(row["rank"])}>{row["rank"]}</td>',
        f'<td class="approx"{mark_title}>{"≈" if similar else ""}</td>',
        f'<td title="{esc(row.get("description", ""))}">{_name(row)}</td>',
        *(_score_cell(row["scores"].get(h["name"])) for h in table["headlines"]),
    ]
    if table["key"] == "ner":
        cells.append(_labels_cell(row))
    cells += [
        f'<td class="num"{_sort_attr(row.get("load_seconds"))}>{_num(row.get("load_seconds"), 2)}</td>',
        f'<td class="num"{_sort_attr(row.get("chars_per_second"))}>{_num(row.get("chars_per_second"))}</td>',
    ]
    return f"<tr>{''.join(cells)}</tr>"


def _failed_list(failed: Sequence[dict[str, Any]]) -> str:
    if not failed:
        return ""
    items = "".join(
        f"<li><strong>{esc(f['model'])}</strong> (<code>{esc(f['run_id'])}</code>): {esc(f['status'])}"
        f"<pre>{esc(f.get('exception') or '')}</pre></li>"
        for f in failed
    )
    return f'<div class="failed"><h3>Failed runs</h3><ul>{items}</ul></div>'


def robustness_section(robustness: dict[str, Any]) -> str:
    """Each system's change in score on each variant, with its paired interval."""
    rows = robustness.get("rows", [])
    if not rows:
        return ""
    head = [_th("task"), _th("variant"), _th("system"), _th("metric"), _th("original"), _th("on variant"),
            _th("change", "variant minus original, paired 95% interval"), _th("p")]  # fmt: skip
    body = []
    for row in rows:
        change = {"estimate": row["change"], "low": row["low"], "high": row["high"]}
        cells = [f"<td>{esc(row['task'])}</td>", f"<td>{esc(row['variant'])}</td>", f"<td>{_name(row)}</td>",
                 f"<td>{esc(row['metric'])}</td>", _score_cell({"estimate": row["original"]}),
                 _score_cell({"estimate": row["on_variant"]}), _score_cell(change),
                 _score_cell({"estimate": row["p_value"]})]  # fmt: skip
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<section aria-labelledby="h-robust"><h2 id="h-robust">Robustness</h2>'
        f"<p>{esc(robustness.get('note', ''))}</p>{_table(head, body, caption='Score change per variant')}"
        "</section>"
    )


def task_section(table: dict[str, Any]) -> str:
    """One task's table: rank, ≈, system, every headline with its interval, coverage, speed."""
    key = esc(table["key"])
    head = [_th("rank"), _th("≈", "not significantly different from the row above"), _th("system")]
    for h in table["headlines"]:
        direction = "higher is better" if h.get("higher_is_better", True) else "lower is better"
        head.append(_th(h["name"], f"{h['description']} ({direction})"))
    if table["key"] == "ner":
        head.append(_th("labels", "labels the system predicts; unsupported and merged labels"))
    head += [_th("load s", "seconds to load the model"), _th("chars/s", "characters per second predicted")]
    body = [_task_row(table, row) for row in table["rows"]]
    if not body:
        body = [f'<tr><td colspan="{len(head)}">no runs</td></tr>']
    descriptions = "".join(
        f"<li><code>{esc(h['name'])}</code>: {esc(h['description'])}</li>" for h in table["headlines"]
    )
    caption = f"{esc(table['task'])}, ranked by {esc(table['primary'])} (click a column header to sort)"
    return (
        f'<section aria-labelledby="h-task-{key}"><h2 id="h-task-{key}">{esc(table["task"])}: '
        f"{esc(table['description'])}</h2><details><summary>Scores</summary><ul>{descriptions}</ul></details>"
        f"{_table(head, body, caption=caption)}{_failed_list(table['failed'])}</section>"
    )


def plots_section(images: Sequence[Path]) -> str:
    """Every plot inline as a base64 ``data:`` URI."""
    figures = []
    for path in images:
        path = Path(path)
        if not path.is_file():
            continue
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        alt = PLOT_CAPTIONS.get(path.name, path.stem.replace("_", " "))
        figures.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
            f"<figcaption>{esc(alt)}</figcaption></figure>"
        )
    if not figures:
        return ""
    return f'<section aria-labelledby="h-plots"><h2 id="h-plots">Plots</h2>{"".join(figures)}</section>'


# --------------------------------------------------------------------------- error analysis


def _task_status(run: RunRecord, key: str) -> tuple[bool, str]:
    """Whether the run has ``key`` scored, else the reason to show (not run / failed)."""
    entry = run.meta.get("tasks", {}).get(key)
    if entry is None:
        return False, "not run"
    status = entry.get("status")
    if status == "ok" and key in run.scores:
        return True, ""
    exception = run.errors.get(key, {}).get("exception") or ""
    return False, f"{status}: {exception}" if exception else str(status or "not run")


def _load_predictions(run: RunRecord, key: str, doc: Document) -> tuple[list[Any] | None, str]:
    if key not in doc.gold:
        return None, "no gold annotation of this task for this document"
    ok, reason = _task_status(run, key)
    if not ok:
        return None, reason
    try:
        return run.predictions(key, doc.id), ""
    except (OSError, ValueError) as exc:
        return None, f"predictions unreadable: {exc}"


def legend() -> str:
    """The colour legend of the entity view."""
    items = "".join(
        f'<li><span class="swatch span-{k}">{esc(k.replace("-", " "))}</span> {esc(KIND_TEXT[k])}</li>'
        for k in KINDS
    )
    return f'<ul class="legend" aria-label="legend">{items}</ul>'


def ner_view(run: RunRecord, doc: Document) -> str:
    """The article with gold and predicted entities highlighted, counts, and the list of marks."""
    pred, reason = _load_predictions(run, "ner", doc)
    if pred is None:
        return f'<h5>Entities</h5><p class="not-run">{esc(reason)}</p>'
    marks = classify_entities(doc.gold.get("ner", []), pred)
    counts = Counter(m.kind for m in marks)
    summary = " · ".join(
        f'<span class="count span-{k}" data-kind="{k}" data-count="{counts[k]}">{esc(k.replace("-", " "))}: '
        f"{counts[k]}</span>"
        for k in KINDS
    )
    rows = [
        f'<tr class="row-{m.kind}"><td>{esc(m.kind.replace("-", " "))}</td>'
        f'<td class="num" data-sort-value="{m.start}">{m.start}–{m.end}</td>'
        f"<td>{_zh(doc.text[m.start : m.end])}</td><td>{esc(m.gold_label or '')}</td>"
        f"<td>{esc(m.pred_label or '')}</td></tr>"
        for m in marks
        if m.kind != "match"
    ]
    errors = _table(
        [_th("kind"), _th("offsets"), _th("text"), _th("gold"), _th("predicted")],
        rows or ['<tr><td colspan="5">no errors</td></tr>'],
        caption="Entity errors",
    )
    return (
        f'<h5>Entities</h5><p class="ner-counts">{summary}</p>{legend()}'
        "<p><small>Strict matching: a boundary error shows as a miss and a false alarm overlapping. "
        "Hover a highlight for its labels.</small></p>"
        f'<div class="article" lang="zh-Hans">{highlight(doc.text, marks)}</div>'
        f"<details><summary>Entity errors ({len(rows)})</summary>{errors}</details>"
    )


def fact_differences(gold: Any, pred: Any) -> list[str]:
    """Which of value, unit, metric keep two overlapping facts from a fact-level match.

    Example:
        >>> from types import SimpleNamespace as F
        >>> fact_differences(F(value=7, unit="名", metric="民辅警"), F(value=7.0, unit="名", metric="个人"))
        ['metric']
    """
    from benchmark.metrics.strings import char_f1

    out = []
    if not math.isclose(gold.value, pred.value, rel_tol=1e-9):
        out.append("value")
    if gold.unit != pred.unit:
        out.append("unit")
    similarity = char_f1(gold.metric, pred.metric)
    if similarity is None or similarity < 0.5:
        out.append("metric")
    return out


def _fact_cells(fact: Any | None, differs: Sequence[str] = ()) -> str:
    if fact is None:
        return '<td class="none">-</td><td class="none">-</td><td class="none">-</td>'
    value = f"{_value(fact.value)} {fact.unit} ({fact.qualifier})"
    value_cls = ' class="mismatch"' if {"value", "unit"} & set(differs) else ""
    metric_cls = ' class="mismatch"' if "metric" in differs else ""
    return f"<td>{_zh(fact.text)}</td><td{value_cls}>{_zh(value)}</td><td{metric_cls}>{_zh(fact.metric)}</td>"


def _fact_row(gold: Any | None, pred: Any | None, status: str) -> str:
    differs = fact_differences(gold, pred) if status == "mismatch" else []
    label = f"{status} ({', '.join(differs)})" if differs else status
    return (
        f'<tr class="fact-{status.replace(" ", "-")}"><td>{esc(label)}</td>'
        f"{_fact_cells(gold, differs)}{_fact_cells(pred, differs)}</tr>"
    )


def pair_facts(gold: Sequence[Any], pred: Sequence[Any]) -> list[tuple[Any | None, Any | None, str]]:
    """Gold and predicted numeric facts side by side, with the scorer's matching.

    ``match``: a fact-level match (span overlaps, value and unit equal, metric close);
    ``mismatch``: spans matched but value, unit or metric differ (a miss and a false alarm for
    fact F1); ``miss``; ``false alarm``. Sorted by position.
    """
    from benchmark.metrics import score_numeric
    from benchmark.schema import record_to_dict

    result = score_numeric([record_to_dict(f) for f in gold], [record_to_dict(f) for f in pred])
    rows: list[tuple[Any | None, Any | None, str]] = []
    used_g, used_p = set(), set()
    for gi, pi in result.fact_matches:
        rows.append((gold[gi], pred[pi], "match"))
        used_g.add(gi)
        used_p.add(pi)
    for m in result.matches:
        if m["gold"] not in used_g and m["pred"] not in used_p:
            rows.append((gold[m["gold"]], pred[m["pred"]], "mismatch"))
            used_g.add(m["gold"])
            used_p.add(m["pred"])
    rows += [(g, None, "miss") for i, g in enumerate(gold) if i not in used_g]
    rows += [(None, p, "false alarm") for i, p in enumerate(pred) if i not in used_p]
    return sorted(rows, key=lambda r: min(f.start for f in r[:2] if f is not None))


def numeric_view(run: RunRecord, doc: Document) -> str:
    """Numeric facts: gold and predicted side by side."""
    pred, reason = _load_predictions(run, "numeric", doc)
    if pred is None:
        return f'<h5>Numeric facts</h5><p class="not-run">{esc(reason)}</p>'
    pairs = pair_facts(doc.gold.get("numeric", []), pred)
    counts = Counter(status for *_, status in pairs)
    head = [_th(h, sortable=False) for h in ("status", "gold", "gold value", "gold metric",
                                             "predicted", "predicted value", "predicted metric")]  # fmt: skip
    body = [_fact_row(g, p, status) for g, p, status in pairs]
    summary = ", ".join(f"{k}: {counts[k]}" for k in ("match", "mismatch", "miss", "false alarm"))
    table = _table(head, body or ['<tr><td colspan="7">no facts</td></tr>'], caption="Numeric facts",
                   sortable=False)  # fmt: skip
    return f"<h5>Numeric facts</h5><p>{esc(summary)}</p>{table}"


def _topic_cells(unit: Any | None, other: Any | None) -> str:
    if unit is None:
        return '<td class="none">-</td><td class="none">-</td>'
    section_bad = other is None or other.section != unit.section
    topics_bad = other is None or set(other.topics) != set(unit.topics)
    return (
        f'<td class="{"mismatch" if section_bad else "ok"}">{esc(unit.section)}</td>'
        f'<td class="{"mismatch" if topics_bad else "ok"}">{esc(", ".join(unit.topics))}</td>'
    )


def topics_view(run: RunRecord, doc: Document) -> str:
    """Paragraph units: gold section and topics against the predicted ones, mismatches marked."""
    pred, reason = _load_predictions(run, "topics", doc)
    if pred is None:
        return f'<h5>Paragraph topics</h5><p class="not-run">{esc(reason)}</p>'
    by_span = {(u.start, u.end): u for u in pred}
    gold = doc.gold.get("topics", [])
    spans = sorted({(u.start, u.end) for u in gold} | set(by_span))
    gold_by_span = {(u.start, u.end): u for u in gold}
    body, wrong = [], 0
    for start, end in spans:
        g, p = gold_by_span.get((start, end)), by_span.get((start, end))
        same = g is not None and p is not None and g.section == p.section and set(g.topics) == set(p.topics)
        wrong += not same
        excerpt = doc.text[start:end]
        short = excerpt if len(excerpt) <= 40 else excerpt[:39] + "…"
        body.append(
            f'<tr class="{"ok" if same else "mismatch-row"}"><td>{"" if same else "✗"}</td>'
            f'<td title="{esc(excerpt)}">{_zh(short)}</td>{_topic_cells(g, p)}{_topic_cells(p, g)}</tr>'
        )
    head = [_th(h, sortable=False) for h in ("", "paragraph", "gold section", "gold topics",
                                             "predicted section", "predicted topics")]  # fmt: skip
    return (
        f"<h5>Paragraph topics</h5><p>{len(spans) - wrong} of {len(spans)} units fully right; "
        f"mismatches marked ✗.</p>" + _table(head, body, caption="Paragraph topics", sortable=False)
    )


def run_section(index: int, run: RunRecord, docs: Sequence[Document]) -> str:
    """The error-analysis view of one run, for every document."""
    name = run.meta.get("display_name", run.model)
    parts = [
        f'<section class="run" id="run-{index}" data-model="{esc(run.model)}" '
        f'data-run-id="{esc(run.run_id)}" aria-labelledby="h-run-{index}">'
        f'<h3 id="h-run-{index}">{esc(name)} <small>({esc(run.model)}, run <code>{esc(run.run_id)}</code>)'
        "</small></h3>"
        f"<p>{esc(run.meta.get('adapter', {}).get('description', ''))}</p>"
    ]
    for doc in docs:
        parts.append(
            f'<article class="doc" data-doc="{esc(doc.id)}"><h4>Document {esc(doc.id)}</h4>'
            f"{ner_view(run, doc)}{numeric_view(run, doc)}{topics_view(run, doc)}</article>"
        )
    parts.append("</section>")
    return "".join(parts)


def analysis_section(runs: Sequence[RunRecord], docs: Sequence[Document]) -> str:
    """A run picker (a native select, keyboard accessible) and one section per run."""
    if not runs:
        return ""
    options = "".join(
        f'<option value="run-{i}">{esc(r.meta.get("display_name", r.model))} ({esc(r.run_id)})</option>'
        for i, r in enumerate(runs)
    )
    sections = "".join(run_section(i, r, docs) for i, r in enumerate(runs))
    return (
        '<section aria-labelledby="h-analysis"><h2 id="h-analysis">Error analysis</h2>'
        '<p><label for="run-select">Run: </label><select id="run-select">'
        f"{options}</select></p>{sections}</section>"
    )


# --------------------------------------------------------------------------- page


CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 82rem; padding: 0 1rem;
       color: #1b1b1b; line-height: 1.45; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
caption { text-align: left; font-size: .85rem; color: #555; padding: .2rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .45rem; vertical-align: top; }
th { background: #f2f2f2; }
th button { font: inherit; font-weight: bold; background: none; border: 0; padding: 0; cursor: pointer; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
.table-wrap { overflow-x: auto; }
.ci { display: block; font-size: .78em; color: #555; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.approx { text-align: center; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: .3rem 1rem; }
.failed pre { white-space: pre-wrap; background: #fdecea; padding: .3rem; }
.gold-tag { color: #8a6d00; font-size: .85em; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
.article { white-space: pre-wrap; font-size: 1rem; line-height: 1.9; border: 1px solid #ddd;
           padding: .75rem; background: #fcfcfc; }
mark.seg, .swatch { background: none; color: inherit; border-radius: 2px; padding: 0 1px; }
mark.mark-start { margin-left: 2px; }
.span-match { background: #c8efc8 !important; border-bottom: 2px solid #2e7d32; }
.span-wrong-type { background: #e6d3f7 !important; border-bottom: 2px solid #7b1fa2; }
.span-false-alarm { background: #ffd8a8 !important; }
.span-miss { color: #b71c1c !important; text-decoration: underline wavy #d32f2f; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem;
          font-size: .85rem; }
.count { padding: 0 .3rem; }
td.mismatch, tr.fact-miss, tr.fact-false-alarm, tr.fact-mismatch { background: #fdecea; }
tr.fact-match td:first-child, td.ok { color: #2e7d32; }
td.none { color: #999; }
.not-run { color: #666; font-style: italic; }
select { font-size: 1rem; }
"""

JS = """
(function () {
  function key(cell) {
    if (!cell) { return ""; }
    var v = cell.getAttribute("data-sort-value");
    return v === null ? cell.textContent.trim() : v;
  }
  function sortTable(table, col, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keys = rows.map(function (r) { return key(r.cells[col]); });
    var numeric = keys.every(function (k) { return k === "" || isFinite(Number(k)); });
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var order = rows.map(function (r, i) { return i; });
    order.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      if (x === "" || y === "") { return x === y ? a - b : (x === "" ? 1 : -1); }
      var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      return c === 0 ? a - b : (asc ? c : -c);
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    order.forEach(function (i) { body.appendChild(rows[i]); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = th.querySelector("button");
      if (button) { button.addEventListener("click", function () { sortTable(table, col, th); }); }
    });
  });
  var select = document.getElementById("run-select");
  if (select) {
    var show = function () {
      document.querySelectorAll("section.run").forEach(function (s) { s.hidden = s.id !== select.value; });
    };
    select.addEventListener("change", show);
    show();
  }
})();
"""


def _csp() -> str:
    """Allow only the page's own inline style and script (by hash) and ``data:`` images."""

    def digest(text: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    return (
        f"default-src 'none'; img-src data:; style-src '{digest(CSS)}'; script-src '{digest(JS)}'; "
        "base-uri 'none'; form-action 'none'"
    )


def render(
    board: dict[str, Any], runs: Sequence[RunRecord], docs: Sequence[Document], images: Sequence[Path]
) -> str:
    """The whole leaderboard as one self-contained HTML page.

    Args:
        board: The leaderboard structure.
        runs: The run records (for the error-analysis view).
        docs: The gold documents.
        images: PNG files to embed (from :func:`benchmark.render.plots.render_all`).

    Returns:
        The page, UTF-8 text.
    """
    body = [
        "<h1>Leaderboard</h1>",
        notes_section(board),
        overall_section(board.get("overall", {})),
        *(task_section(table) for table in board.get("tasks", {}).values()),
        robustness_section(board.get("robustness", {})),
        plots_section(images),
        analysis_section([r for r in runs if not r.meta.get("variant")], docs),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp())}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>Leaderboard: {esc(board.get('benchmark', 'benchmark'))}</title>"
        f"<style>{CSS}</style></head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + f"\n<script>{JS}</script>\n</body></html>\n"
    )
