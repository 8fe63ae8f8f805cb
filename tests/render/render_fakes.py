"""Helpers of the renderer tests: an in-memory fake run, and a hostile copy of a real run."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPT_NAME = "<script>window.__pwned=1</script>"
EVIL_MODEL = "evil"


@dataclass
class FakeRun:
    """Duck-typed :class:`benchmark.records.RunRecord` with predictions held in memory."""

    meta: dict[str, Any]
    scores: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)
    preds: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    @property
    def model(self) -> str:
        return self.meta["model"]

    @property
    def run_id(self) -> str:
        return self.meta["run_id"]

    def predictions(self, task_key: str, doc_id: str) -> list[Any]:
        return list(self.preds[(task_key, doc_id)])


def fake_run(
    model: str, tasks: dict[str, list[Any]], doc_id: str, *, display_name: str | None = None
) -> FakeRun:
    """A run with status ``ok`` for every task in ``tasks`` (task key -> predicted records)."""
    meta = {
        "model": model,
        "run_id": "fake0001",
        "display_name": display_name or model,
        "adapter": {"description": f"fake {model}"},
        "tasks": {key: {"status": "ok"} for key in tasks},
    }
    return FakeRun(
        meta=meta,
        scores={key: {} for key in tasks},
        errors={key: {"exception": None} for key in tasks},
        preds={(key, doc_id): records for key, records in tasks.items()},
    )


def add_evil_run(results: Path) -> Path:
    """Copy the ``rules`` run as model ``evil`` with a hostile display name and description."""
    source = next((results / "runs" / "rules").iterdir())
    target = results / "runs" / EVIL_MODEL / source.name
    shutil.copytree(source, target)
    meta = json.loads((target / "meta.json").read_text(encoding="utf-8"))
    meta["model"] = EVIL_MODEL
    meta["display_name"] = SCRIPT_NAME
    meta["adapter"]["description"] = '<img src="x" onerror="window.__pwned=2">'
    (target / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return target
