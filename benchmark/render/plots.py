"""Render the leaderboard structure (:func:`benchmark.leaderboard.build`) as SVG plots, written by hand.

No plotting library: every plot is a list of small panels (360 px wide, so a phone shows them
unscaled) with one row per system and direct labels (the system's name above its bar, the value
at the end), so no label can overlap another. Two plots, both deterministic for the same board:

* ``per_label``: one panel per task with label rows (``Task.label_rows``) and label: each
  system's value as a bar; a value that is not applicable is written ``n/a`` with no bar, a 0 is
  written ``0.000`` with a red tick at 0, so the two cannot be confused;
* ``quality_vs_speed``: per task, the primary score with its 95% interval, and characters per
  second on a log axis, one row per system in rank order (reference rows first, in grey).

The page inlines the panels (:func:`panels_html`); :func:`render_all` also writes each plot as a
standalone ``.svg`` file (the panels stacked) under ``plots/``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.render.rows import badge, label_rows
from benchmark.render.widgets import esc
from benchmark.schema import atomic_write_bytes

PER_LABEL_FILE = "per_label.svg"
SPEED_FILE = "quality_vs_speed.svg"
WIDTH = 360
ROW = 34  # pixels per system: the name and the value on one line, then the bar
TOP = 30
LEFT, RIGHT = 8, 8  # bar area: from LEFT to WIDTH - RIGHT
FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', sans-serif"
GREY, BAR, ZERO = "#9e9e9e", "#1f6fb4", "#c62828"


@dataclass(frozen=True)
class Panel:
    """One small SVG: its title, height and body (SVG elements, escaped already)."""

    title: str
    height: int
    body: str


def display_names(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Names for the rows: the display name, with the run id where two rows share a name, the badge
    of what the system has seen (:func:`benchmark.render.rows.badge`), and "reference" where it is one.

    Example:
        >>> x1, x2 = {"display_name": "x", "run_id": "abcdef123"}, {"display_name": "x", "run_id": "99"}
        >>> display_names([x1, x2, {"model": "y", "run_id": "1", "reads": "gold", "reference": True}])
        ['x [abcdef]', 'x [99]', 'y (gold) — reference, unranked']
    """
    base = [str(r.get("display_name") or r.get("model", "?")) for r in rows]
    out = []
    for name, row in zip(base, rows, strict=True):
        if base.count(name) > 1:
            name = f"{name} [{str(row.get('run_id', ''))[:6]}]"
        tag = badge(row)
        name = name if tag is None else f"{name} ({tag})"
        out.append(f"{name} — reference, unranked" if row.get("reference") else name)
    return out


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def _speed(value: float) -> str:
    return f"{value:,.0f} chars/s" if value >= 10 else f"{value:.2g} chars/s"


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 12, fill: str = "#1b1b1b",
          cls: str = "") -> str:  # fmt: skip
    c = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{c}>'
            f"{esc(content)}</text>")  # fmt: skip


def _bar_row(
    i: int,
    row: dict[str, Any],
    name: str,
    value: float | None,
    fraction: float | None,
    *,
    low: float | None = None,
    high: float | None = None,
    text: str | None = None,
) -> str:
    """One system's row: its name and its value on one line, then a bar to ``fraction`` of the axis
    (None: no bar, ``n/a`` written instead) with an optional interval (fractions)."""
    y = TOP + i * ROW
    span = WIDTH - LEFT - RIGHT
    colour = GREY if row.get("reference") else BAR
    parts = [_text(LEFT, y + 12, name, size=12)]
    parts.append(f'<line x1="{LEFT}" y1="{y + 16}" x2="{LEFT}" y2="{y + 30}" stroke="#777"/>')
    if value is None:
        parts.append(_text(LEFT + 6, y + 28, "n/a (not applicable)", size=11, fill="#666", cls="na"))
        return "".join(parts)
    width = max(0.0, min(1.0, fraction or 0.0)) * span
    if width > 0:
        parts.append(f'<rect x="{LEFT}" y="{y + 18}" width="{width:.1f}" height="10" fill="{colour}"/>')
    else:  # a true zero: a red tick at the origin, not an empty space
        parts.append(f'<rect x="{LEFT}" y="{y + 16}" width="3" height="14" fill="{ZERO}" class="zero"/>')
    if low is not None and high is not None:
        x1, x2 = LEFT + max(0.0, low) * span, LEFT + min(1.0, high) * span
        parts.append(f'<line x1="{x1:.1f}" y1="{y + 23}" x2="{x2:.1f}" y2="{y + 23}" stroke="#111" '
                     'stroke-width="1.5"/>')  # fmt: skip
        for x in (x1, x2):
            parts.append(f'<line x1="{x:.1f}" y1="{y + 19}" x2="{x:.1f}" y2="{y + 27}" stroke="#111"/>')
    parts.append(_text(WIDTH - 4, y + 12, text if text is not None else _fmt(value), anchor="end", size=12,
                       cls="value"))  # fmt: skip
    return "".join(parts)


def _panel(title: str, rows: list[str], axis: str) -> Panel:
    height = TOP + len(rows) * ROW + 18
    body = _text(LEFT, 16, title, size=13, cls="title") + "".join(rows)
    body += _text(LEFT, height - 5, axis, size=10, fill="#555")
    return Panel(title, height, body)


def _ordered(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reference rows first, then the others in the table's order (rank order)."""
    return [r for r in rows if r.get("reference")] + [r for r in rows if not r.get("reference")]


def per_label_panels(board: dict[str, Any]) -> list[Panel]:
    """One panel per task with label rows and per label: each system's value (n/a: no bar)."""
    panels = []
    for table in board.get("tasks", {}).values():
        rows = [r for r in _ordered(table.get("rows", [])) if label_rows(r)]
        labels = list(dict.fromkeys(name for r in rows for name in label_rows(r)))
        for label in labels:
            bars = []
            for i, (row, name) in enumerate(zip(rows, display_names(rows), strict=True)):
                value = label_rows(row).get(label)
                bars.append(_bar_row(i, row, name, value, value))
            panels.append(_panel(f"{table.get('task', '')}: {label}", bars, "0 to 1; n/a: not applicable"))
    return panels


def speed_panels(board: dict[str, Any]) -> list[Panel]:
    """Per task: the primary score with its 95% interval, and characters per second (log axis)."""
    panels = []
    for table in board.get("tasks", {}).values():
        rows = _ordered(table.get("rows", []))
        if not rows:
            continue
        primary = table.get("primary", "")
        names = display_names(rows)
        score_bars = []
        for i, (row, name) in enumerate(zip(rows, names, strict=True)):
            score = (row.get("scores") or {}).get(primary) or {}
            est = score.get("estimate")
            score_bars.append(_bar_row(i, row, name, est, est, low=score.get("low"), high=score.get("high")))
        panels.append(_panel(f"{table.get('task', '')}: {primary}", score_bars,
                             "0 to 1; black line: 95% bootstrap interval"))  # fmt: skip
        speeds = [r.get("chars_per_second") for r in rows]
        finite = [s for s in speeds if isinstance(s, int | float) and s > 0 and math.isfinite(s)]
        if not finite:
            continue
        lo, hi = math.floor(math.log10(min(finite))), math.ceil(math.log10(max(finite)))
        hi = max(hi, lo + 1)
        speed_bars = []
        for i, (row, name, s) in enumerate(zip(rows, names, speeds, strict=True)):
            ok = s in finite
            fraction = (math.log10(s) - lo + 0.05) / (hi - lo + 0.05) if ok else None
            text = _speed(s) if ok else None
            speed_bars.append(_bar_row(i, row, name, s if ok else None, fraction, text=text))
        axis = f"characters per second, log scale from 10^{lo} to 10^{hi}"
        panels.append(_panel(f"{table.get('task', '')}: speed", speed_bars, axis))
    return panels


def _svg(panel: Panel, *, standalone: bool = False) -> str:
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    return (
        f'<svg{ns} class="plot" viewBox="0 0 {WIDTH} {panel.height}" width="{WIDTH}" height="{panel.height}" '
        f'role="img" aria-label="{esc(panel.title)}" font-family="{esc(FONT)}">'
        f"<title>{esc(panel.title)}</title>{panel.body}</svg>"
    )


def panels_html(panels: Sequence[Panel]) -> str:
    """The panels as inline SVG elements, for the page (each 360 px wide)."""
    return "".join(_svg(p) for p in panels)


def standalone_svg(panels: Sequence[Panel], title: str) -> str:
    """The panels stacked in one SVG document (a file of its own)."""
    y, groups = 24, []
    for p in panels:
        groups.append(f'<g transform="translate(0,{y})">{p.body}</g>')
        y += p.height + 10
    if not panels:
        groups.append(_text(LEFT, 44, "nothing to plot", size=12))
        y += 30
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {y}" width="{WIDTH}" height="{y}" '
        f'font-family="{esc(FONT)}"><title>{esc(title)}</title><rect width="100%" height="100%" fill="#fff"/>'
        f"{_text(LEFT, 16, title, size=14)}{''.join(groups)}</svg>\n"
    )


PLOTS = (
    (PER_LABEL_FILE, "Per-label scores (n/a: not applicable; 0: a red tick)", per_label_panels),
    (SPEED_FILE, "Primary score (95% interval) and speed per system", speed_panels),
)


def render_all(board: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write every plot of ``board`` into ``out_dir`` as a standalone SVG file (unchanged bytes are
    not rewritten).

    Args:
        board: The leaderboard structure.
        out_dir: The folder for the SVG files (created if missing).

    Returns:
        The paths, in a fixed order.
    """
    out_dir = Path(out_dir)
    paths = []
    for name, title, make in PLOTS:
        path = out_dir / name
        data = standalone_svg(make(board), title).encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            atomic_write_bytes(path, data)
        paths.append(path)
    return paths
