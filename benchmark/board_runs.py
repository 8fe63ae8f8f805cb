"""What the board says about a run beyond its scores: what it has seen, its kind, its folder, LLM failures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from benchmark.document import Document
from benchmark.provenance import gold_hash
from benchmark.records import RunRecord

#: The ``reads`` value of a reference row (the ceiling, shown but not ranked).
REFERENCE = "gold"


def _adapter_class(run: RunRecord) -> Any:
    """The registered adapter class of the run (None: no longer registered, or a predictions file)."""
    try:
        from benchmark.adapters import get_adapter

        return get_adapter(run.meta.get("adapter", {}).get("name", ""))
    except Exception:  # an unknown name raises with "did you mean"
        return None


def reads_of(run: RunRecord) -> str:
    """What the run's system has seen (``Adapter.reads``).

    A record written before ``reads`` existed said only ``uses_gold``: its adapter's current
    declaration is used when the adapter is still registered (so leave-one-out systems are not
    taken for the oracle), else ``gold`` for ``uses_gold`` and ``nothing`` otherwise.
    """
    adapter = run.meta.get("adapter", {})
    if adapter.get("reads"):
        return str(adapter["reads"])
    cls = _adapter_class(run)
    if cls is not None:
        return str(cls.reads)
    return "gold" if adapter.get("uses_gold") else "nothing"


def kind_of(run: RunRecord) -> str:
    """What kind of system the run's is (``Adapter.kind``: rules, tagger, llm...; ``other`` if unknown)."""
    recorded = run.meta.get("adapter", {}).get("kind")
    if recorded:
        return str(recorded)
    cls = _adapter_class(run)
    if cls is not None and getattr(cls, "kind", None):
        return str(cls.kind)
    return "reference" if reads_of(run) == REFERENCE else "other"


def run_path(run: RunRecord) -> str:
    """The run folder relative to the board's folder: ``runs/MODEL/RUN_ID/``."""
    return f"runs/{run.path.parent.name}/{run.path.name}/"


def llm_failures(run: RunRecord, key: str) -> dict[str, Any] | None:
    """The run's LLM failure rates of ``key`` summed over its documents (None: not an LLM run)."""
    from benchmark.adapters.llm_adapter import combine_summaries

    info = (run.errors.get(key) or {}).get("info") if isinstance(run.errors.get(key), dict) else None
    return combine_summaries(info) if isinstance(info, dict) else None


_GOLD_HASHES: dict[tuple[Any, ...], tuple[tuple[Document, ...], str]] = {}


def gold_hash_of(docs: Sequence[Document], task_keys: Iterable[str] | None = None) -> str:
    """:func:`benchmark.provenance.gold_hash`, memoised for these document objects.

    A board build asks for the same hashes many times (per run, per pair); documents are not
    changed while a board is built, and :func:`forget_gold_hashes` empties the memo.
    """
    keys = None if task_keys is None else tuple(sorted(task_keys))
    memo_key = (tuple(id(d) for d in docs), keys)
    found = _GOLD_HASHES.get(memo_key)
    if found is not None and all(a is b for a, b in zip(found[0], docs, strict=True)):
        return found[1]
    value = gold_hash(docs, keys)
    _GOLD_HASHES[memo_key] = (tuple(docs), value)
    return value


def forget_gold_hashes() -> None:
    """Empty the memo of :func:`gold_hash_of` (at the start of each build)."""
    _GOLD_HASHES.clear()
