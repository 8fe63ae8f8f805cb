"""Render the leaderboard structure (:func:`benchmark.leaderboard.build`) as PNG plots.

Two figures, both deterministic for the same board (fixed size, dpi and fonts, no date or
version in the PNG metadata) and written atomically:

* ``per_label.png``: one panel per task whose rows carry label rows (``Task.label_rows``; NER's
  strict F1 per label), one bar per system and label; a value that is not applicable (for F1: no
  gold and no prediction) is drawn as a gap marked ``n/a``, not as 0;
* ``quality_vs_speed.png``: one panel per task, the primary score with its 95% interval
  against characters per second (log scale), one labelled point per system.

matplotlib is imported inside the functions (Agg, no pyplot), so importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmark.render.rows import badge, label_rows

PER_LABEL_FILE = "per_label.png"
SPEED_FILE = "quality_vs_speed.png"
DPI = 100
# Families tried after DejaVu Sans for glyphs it lacks (CJK system names); only installed ones are used.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "SimHei",
    "Microsoft YaHei",
)
_PNG_METADATA: dict[str, Any] = {"Software": None}


def render_all(board: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write every plot of ``board`` into ``out_dir``.

    Args:
        board: The leaderboard structure.
        out_dir: The folder for the PNG files (created if missing).

    Returns:
        The paths written, in a fixed order.
    """
    out_dir = Path(out_dir)
    colours = system_colours(board)
    return [
        _save(per_label_figure(board, colours), out_dir / PER_LABEL_FILE),
        _save(speed_figure(board, colours), out_dir / SPEED_FILE),
    ]


def system_key(row: dict[str, Any]) -> tuple[str, str]:
    """The identity of a system across tables: ``(model, run_id)``."""
    return (str(row.get("model", "")), str(row.get("run_id", "")))


def system_colours(board: dict[str, Any]) -> dict[tuple[str, str], str]:
    """One colour per system, stable across figures (overall order first, then task tables).

    Example:
        >>> a, b = {"model": "a", "run_id": "1"}, {"model": "b", "run_id": "2"}
        >>> board = {"overall": {"rows": [a]}, "tasks": {"t": {"rows": [b, a]}}}
        >>> system_colours(board)
        {('a', '1'): '#1f77b4', ('b', '2'): '#ff7f0e'}
    """
    palette = (
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    )  # fmt: skip
    keys: list[tuple[str, str]] = []
    tables = [board.get("overall", {}), *board.get("tasks", {}).values()]
    for table in tables:
        for row in table.get("rows", []):
            if system_key(row) not in keys:
                keys.append(system_key(row))
    return {key: palette[i % len(palette)] for i, key in enumerate(keys)}


def display_names(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Names for the legend: the display name, with the run id where two rows share a name, and
    the badge of what the system has seen (:func:`benchmark.render.rows.badge`).

    Example:
        >>> x1, x2 = {"display_name": "x", "run_id": "abcdef123"}, {"display_name": "x", "run_id": "99"}
        >>> display_names([x1, x2, {"model": "y", "run_id": "1", "reads": "gold"}])
        ['x [abcdef]', 'x [99]', 'y (gold)']
    """
    base = [str(r.get("display_name") or r.get("model", "?")) for r in rows]
    out = []
    for name, row in zip(base, rows, strict=True):
        if base.count(name) > 1:
            name = f"{name} [{str(row.get('run_id', ''))[:6]}]"
        tag = badge(row)
        out.append(name if tag is None else f"{name} ({tag})")
    return out


def _label_order(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every label of the rows' label rows, in the order they first appear."""
    return list(dict.fromkeys(name for row in rows for name in label_rows(row)))


def per_label_tables(board: dict[str, Any]) -> list[dict[str, Any]]:
    """The task tables whose rows carry label rows (``Task.label_rows``), in board order."""
    return [t for t in board.get("tasks", {}).values() if any(label_rows(r) for r in t.get("rows", []))]


def per_label_figure(board: dict[str, Any], colours: dict[tuple[str, str], str]) -> Any:
    """One panel per task with label rows: grouped bars per label (x) and system; None drawn ``n/a``."""
    from matplotlib.figure import Figure

    tables = per_label_tables(board)
    with _style():
        fig = Figure(figsize=(10, 4.8 * max(len(tables), 1)), dpi=DPI)
        axes = fig.subplots(max(len(tables), 1), 1, squeeze=False)[:, 0]
        for ax, table in zip(axes, tables, strict=False):
            _per_label_panel(ax, table, colours)
        if not tables:
            axes[0].text(0.5, 0.5, "no task has per-label rows", transform=axes[0].transAxes, ha="center",
                         va="center")  # fmt: skip
            axes[0].set_axis_off()
        fig.tight_layout()
    return fig


def _per_label_panel(ax: Any, table: dict[str, Any], colours: dict[tuple[str, str], str]) -> None:
    rows = [r for r in table.get("rows", []) if label_rows(r)]
    labels = _label_order(rows)
    width = 0.8 / max(len(rows), 1)
    for i, (row, name) in enumerate(zip(rows, display_names(rows), strict=True)):
        values_of = label_rows(row)
        xs = [j - 0.4 + width * (i + 0.5) for j in range(len(labels))]
        values = [values_of.get(label) for label in labels]
        present = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        ax.bar([x for x, _ in present], [v for _, v in present], width=width * 0.95,
               color=colours.get(system_key(row), "#333333"), label=name)  # fmt: skip
        for x, v in zip(xs, values, strict=True):
            if v is None:
                ax.text(x, 0.01, "n/a", rotation=90, ha="center", va="bottom", fontsize=7, color="#555555")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score per label")
    ax.set_title(f"{table.get('task', '')}: per label (n/a = not applicable)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def speed_figure(board: dict[str, Any], colours: dict[tuple[str, str], str]) -> Any:
    """One panel per task: primary score (95% interval) against chars/s on a log axis."""
    from matplotlib.figure import Figure

    tables = list(board.get("tasks", {}).values())
    with _style():
        fig = Figure(figsize=(5 * max(len(tables), 1), 4.4), dpi=DPI)
        axes = fig.subplots(1, max(len(tables), 1), squeeze=False)[0]
        for ax, table in zip(axes, tables, strict=False):
            _speed_panel(ax, table, colours)
        fig.suptitle("Quality against speed (error bars: 95% bootstrap interval)")
        fig.tight_layout()
    return fig


def _speed_panel(ax: Any, table: dict[str, Any], colours: dict[tuple[str, str], str]) -> None:
    primary = table.get("primary", "")
    rows = table.get("rows", [])
    skipped = []
    plotted = 0
    for row, name in zip(rows, display_names(rows), strict=True):
        score = row.get("scores", {}).get(primary) or {}
        speed, est = row.get("chars_per_second"), score.get("estimate")
        if est is None or speed is None or not math.isfinite(speed) or speed <= 0:
            skipped.append(name)
            continue
        low = score.get("low", est) if score.get("low") is not None else est
        high = score.get("high", est) if score.get("high") is not None else est
        colour = colours.get(system_key(row), "#333333")
        ax.errorbar([speed], [est], yerr=[[max(est - low, 0.0)], [max(high - est, 0.0)]], fmt="o",
                    color=colour, ecolor=colour, capsize=3)  # fmt: skip
        ax.annotate(name, (speed, est), textcoords="offset points", xytext=(5, 4), fontsize=8)
        plotted += 1
    if plotted:
        ax.set_xscale("log")
        ax.margins(x=0.25)
    ax.set_ylim(-0.05, 1.08)
    ax.set_xlabel("characters per second (log)")
    ax.set_ylabel(primary)
    ax.set_title(str(table.get("task", "")))
    ax.grid(alpha=0.3)
    if not rows:
        ax.text(0.5, 0.5, "no runs", transform=ax.transAxes, ha="center", va="center")
    if skipped:
        ax.text(0.01, 0.01, "no speed or score: " + ", ".join(skipped), transform=ax.transAxes, fontsize=7,
                va="bottom", color="#555555")  # fmt: skip


@contextlib.contextmanager
def _style() -> Iterator[None]:
    """Fixed rc settings (fonts with a CJK fallback where installed) for reproducible figures.

    Warnings about glyphs no installed font has (a CJK name without a CJK font) are silenced:
    those characters are drawn as boxes, which is all that can be done.
    """
    import matplotlib
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    families = ["DejaVu Sans", *(f for f in CJK_FAMILIES if f in installed)]
    rc = {"font.family": families, "figure.dpi": DPI, "savefig.dpi": DPI, "axes.unicode_minus": False}
    with warnings.catch_warnings(), matplotlib.rc_context(rc):
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        yield


def _save(fig: Any, path: Path) -> Path:
    """Render ``fig`` to PNG bytes (no timestamp or version) and write them atomically."""
    buffer = io.BytesIO()
    with _style():
        fig.savefig(buffer, format="png", dpi=DPI, metadata=_PNG_METADATA)
    write_bytes_atomic(path, buffer.getvalue())
    return path


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
