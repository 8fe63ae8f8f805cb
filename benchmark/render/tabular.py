"""Render the leaderboard structure as JSON and as CSV (one row per system, task and score)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from benchmark.render.rows import reads


def to_json(board: dict[str, Any]) -> str:
    """Indented JSON, Chinese unescaped, keys in insertion order (deterministic)."""
    return json.dumps(board, ensure_ascii=False, indent=2) + "\n"


COLUMNS = ["task", "rank", "model", "run_id", "metric", "estimate", "low", "high", "uses_gold", "reads",
           "reference", "group", "kind"]  # fmt: skip


def to_csv(board: dict[str, Any]) -> str:
    """One row per system, task and score: the columns of :data:`COLUMNS`.

    ``reads`` says what the system has seen of the benchmark (``Adapter.reads``: nothing, gold,
    other-units-gold, article); ``uses_gold`` is true for the two gold values. A reference row
    (the oracle, the ceiling) has ``reference`` true and no rank; ``group`` holds the letters of
    the compact letter display (rows sharing a letter are not significantly different);
    ``kind`` is ``Adapter.kind`` (rules, tagger, classifier, retrieval, llm...).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for table in board["tasks"].values():
        for row in table["rows"]:
            for metric, score in row["scores"].items():
                writer.writerow(
                    [
                        table["task"],
                        row["rank"],
                        row["model"],
                        row["run_id"],
                        metric,
                        score["estimate"],
                        score["low"],
                        score["high"],
                        row["uses_gold"],
                        reads(row),
                        bool(row.get("reference")),
                        row.get("group", ""),
                        row.get("kind", ""),
                    ]
                )
    return out.getvalue()
