"""Render the leaderboard structure as JSON and as CSV (one row per system, task and score)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any


def to_json(board: dict[str, Any]) -> str:
    """Indented JSON, Chinese unescaped, keys in insertion order (deterministic)."""
    return json.dumps(board, ensure_ascii=False, indent=2) + "\n"


def to_csv(board: dict[str, Any]) -> str:
    """Columns: task, rank, model, run_id, metric, estimate, low, high, uses_gold."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["task", "rank", "model", "run_id", "metric", "estimate", "low", "high", "uses_gold"])
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
                    ]
                )
    return out.getvalue()
