"""Every registered task, present or added later: its gold validates, scores perfectly as its own
prediction, exports, and gives adapters no gold through its inputs."""

from __future__ import annotations

import json

import pytest

from benchmark.adapters import InputDocument
from benchmark.scoring import score_task
from benchmark.tasks import TASKS, get_task
from benchmark.tasks.base import ScoringContext

KEYS = TASKS.names()


@pytest.mark.parametrize("key", KEYS)
def test_task_declares_its_interface(key):
    task = get_task(key)
    assert task.key == key and task.name.startswith(f"{key}.v")
    assert task.gold_file.endswith(".jsonl") and task.description
    assert task.headlines and len({h.name for h in task.headlines}) == len(task.headlines)


@pytest.mark.parametrize("key", KEYS)
def test_gold_scores_perfectly_as_predictions(corpus, key):
    task = get_task(key)
    docs = [d for d in corpus if key in d.gold]
    assert docs, f"no document has gold for {key}"
    result = score_task(task, docs, {d.id: d.gold[key] for d in docs}, ScoringContext(), n_resamples=20)
    assert task.primary.name in result["headline"]
    for spec in task.headlines:
        if spec.name not in result["headline"]:  # not applicable to this system (e.g. a coarse score)
            continue
        value = result["headline"][spec.name]["estimate"]
        assert value == (1.0 if spec.higher_is_better else 0.0), (key, spec.name)
    json.dumps(result)  # JSON-able


@pytest.mark.parametrize("key", KEYS)
def test_empty_predictions_score_low_not_crash(corpus, key):
    task = get_task(key)
    docs = [d for d in corpus if key in d.gold]
    if key == "topics":  # topics must cover every unit: predict one wrong unit each
        from benchmark.schema import Paragraph

        preds = {d.id: [Paragraph(u.start, u.end, "masthead", ("page_furniture",)) for u in d.gold[key]] for d in docs}
    else:
        preds = {d.id: [] for d in docs}
    result = score_task(task, docs, preds, ScoringContext(), n_resamples=20)
    primary = result["headline"][task.primary.name]["estimate"]
    assert primary is not None and primary < 0.5


@pytest.mark.parametrize("key", KEYS)
def test_inputs_never_carry_gold(corpus, key):
    for doc in corpus:
        inputs = InputDocument.from_document(doc).task_inputs.get(key)
        if inputs is None:
            continue
        text = json.dumps(inputs, ensure_ascii=False)
        for record in doc.gold[key]:
            for field in ("answers", "label", "value", "topics", "section"):
                value = getattr(record, field, None)
                if isinstance(value, tuple) and value and value[0] != "无法回答":
                    assert json.dumps(list(value), ensure_ascii=False) not in text, (key, field)


@pytest.mark.parametrize("key", KEYS)
def test_export_rows_and_counts(corpus, key):
    task = get_task(key)
    for doc in corpus:
        if key in doc.gold:
            rows = task.rows(doc)
            assert rows and all(isinstance(r, dict) for r in rows)
            json.dumps(task.counts(doc), ensure_ascii=False)
