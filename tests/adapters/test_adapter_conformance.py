"""Every registered adapter, built-in or plug-in, follows the adapter contract on the article."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmark.adapters import ADAPTERS, Adapter, InputDocument, get_adapter
from benchmark.document import Document
from benchmark.tasks import get_task
from benchmark.validate import surface_problems

_LOADED: dict[str, Adapter] = {}
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "default.yaml"


def configured_options(name: str) -> dict | None:
    """Options for an adapter that needs a model, from configs/default.yaml (local files only)."""
    models = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))["models"]
    root = DEFAULT_CONFIG.parents[1]
    for entry in models:
        model = entry.get("options", {}).get("model", "")
        if entry["name"] == name and (root / model).exists():
            return {**entry["options"], "model": str(root / model)}
    return None


def loaded(name: str) -> Adapter:
    """Construct and load each adapter once per session (taggers take seconds to load)."""
    if name not in _LOADED:
        cls = get_adapter(name)
        ok, hint = cls.available()
        if not ok:
            pytest.skip(hint)
        options = {} if cls.offline else configured_options(name)
        if options is None:
            pytest.skip(f"{name} needs a user-supplied model or server (tested in its own suite)")
        adapter = cls.from_config(options)
        adapter.load()
        _LOADED[name] = adapter
    return _LOADED[name]


# Cases over 5 s on the 2-core machine run with the slow tests (.ci/run -m slow), so the
# default run stays under its time cap; every adapter is still checked in CI.
SLOW_CASES = {("tfidf-logreg", "topics")}


def cases() -> list[object]:
    out: list[object] = []
    for name in ADAPTERS.names():
        for task in get_adapter(name).tasks:
            marks = [pytest.mark.slow] if (name, task) in SLOW_CASES else []
            out.append(pytest.param(name, task, marks=marks, id=f"{name}-{task}"))
    return out


def test_every_adapter_declares_its_contract() -> None:
    from benchmark.tasks import TASKS
    from benchmark.tasks.ner import LABELS

    for name in ADAPTERS.names():
        cls = get_adapter(name)
        assert cls.name == name
        assert cls.tasks and set(cls.tasks) <= set(TASKS.names()), name
        assert set(cls.labels) <= set(LABELS), name
        assert ("ner" in cls.tasks) == bool(cls.labels), name
        for group in cls.merged_labels:
            assert set(group) <= set(LABELS), name
        assert cls.description, name
        cls()  # default options construct


@pytest.mark.parametrize(("name", "task"), cases())
def test_predictions_are_valid_and_deterministic(
    name: str, task: str, gold_doc: Document, article: InputDocument
) -> None:
    adapter = loaded(name)
    first = adapter.predict(task, [article, article])
    second = adapter.predict(task, [article])
    assert [p.doc_id for p in first] == [article.id, article.id]
    assert first[0].records == first[1].records == second[0].records
    assert first[0].problems == second[0].problems
    pred = first[0]
    problems = surface_problems(article.text, pred.records, file=name)
    problems += get_task(task).check(gold_doc, pred.records, file=name, gold=False)
    assert [str(p) for p in problems] == []
    assert all(isinstance(m, str) for m in pred.problems)
    if task == "ner":
        assert {r.label for r in pred.records} <= set(adapter.labels)
    if task in ("ner", "numeric"):
        assert pred.records == sorted(pred.records, key=lambda r: (r.start, r.end))
    if task == "topics":
        assert [(r.start, r.end) for r in pred.records] == list(article.units)
