"""Label Studio bridge: round trips, UTF-16 offsets, located import problems, predictions."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET

from benchmark.bridges.label_studio import LABEL_COLOURS, export_tasks, import_annotations, labeling_config
from benchmark.tasks.ner import LABELS


def _through_json(tasks):
    return json.loads(json.dumps(tasks, ensure_ascii=False))


def test_gold_round_trip_gives_identical_records(article):
    gold = article.gold["ner"]
    tasks = _through_json(export_tasks(article, gold, kind="gold"))
    assert len(tasks) == 1 and tasks[0]["data"]["text"] == article.text
    records, problems = import_annotations(tasks, article)
    assert problems == []
    assert records == sorted(gold, key=lambda e: (e.start, e.end, e.label))


def test_utf16_offsets_with_non_bmp_characters(non_bmp_doc):
    doc, entities = non_bmp_doc
    [task] = _through_json(export_tasks(doc, entities, kind="gold"))
    for entity, result in zip(entities, task["annotations"][0]["result"], strict=True):
        js_start = len(doc.text[: entity.start].encode("utf-16-le")) // 2  # JavaScript's index
        js_end = len(doc.text[: entity.end].encode("utf-16-le")) // 2
        assert (result["value"]["start"], result["value"]["end"]) == (js_start, js_end)
        assert result["value"]["text"] == entity.text
    shifted = task["annotations"][0]["result"][1]["value"]  # 𠮷野家 after one emoji: +1 unit
    assert (shifted["start"], shifted["end"]) == (entities[1].start + 1, entities[1].end + 2)
    records, problems = import_annotations([task], doc)
    assert problems == [] and records == entities


def test_codepoint_offsets_are_detected_and_importable(non_bmp_doc):
    doc, entities = non_bmp_doc
    [task] = export_tasks(doc, entities, kind="gold")
    for result, entity in zip(task["annotations"][0]["result"], entities, strict=True):
        result["value"].update(start=entity.start, end=entity.end)  # as if stored as code points
    _, problems = import_annotations([task], doc)
    assert problems and any("offsets='codepoint'" in p.message for p in problems)
    records, problems = import_annotations([task], doc, offsets="codepoint")
    assert problems == [] and records == entities


def test_predictions_are_exported_as_predictions(article):
    tasks = export_tasks(article, article.gold["ner"][:3], kind="predictions", model_name="rules", score=0.5)
    [task] = tasks
    assert "annotations" not in task
    assert task["predictions"][0]["model_version"] == "rules"
    assert task["predictions"][0]["score"] == 0.5
    assert len(task["predictions"][0]["result"]) == 3
    records, problems = import_annotations(tasks, article)  # predictions are never read as gold
    assert records == [] and "no usable annotation" in str(problems[0])


def test_labeling_config_lists_every_label_with_a_colour():
    root = ET.fromstring(labeling_config())
    labels = root.find("Labels")
    assert labels is not None and labels.get("name") == "label" and labels.get("toName") == "text"
    assert [(e.get("value"), e.get("background")) for e in labels] == [
        (lab, LABEL_COLOURS[lab]) for lab in LABELS
    ]
    text = root.find("Text")
    assert text is not None and text.get("name") == "text" and text.get("value") == "$text"


def _export(doc, results, **annotation):
    return [
        {"id": 7, "data": {"text": doc.text}, "annotations": [{"id": 3, "result": results, **annotation}]}
    ]


def _result(rid, start, end, text, labels):
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text, "labels": labels},
    }


def test_import_problems_name_task_result_and_field(non_bmp_doc):
    doc, _ = non_bmp_doc
    # UTF-16 offsets: 😀=0-2, 华西都市报=2-7, \n=7, 𠮷=8-10, 野家=10-12, 在=12, 四川=13-15
    results = [
        _result("ok", 2, 7, "华西都市报", ["ORG"]),
        _result("r1", 13, 15, "四川", ["CITY"]),  # unknown label
        _result("r2", 13, 15, "成都", ["GPE"]),  # surface differs
        _result("r3", 4, 6, "都市", ["ORG"]),  # overlaps "ok"
        _result("r4", 8, 12, "𠮷野家", ["ORG", "GPE"]),  # two labels
        _result("r5", 9, 12, "野家", ["ORG"]),  # inside the surrogate pair of 𠮷
        {"id": "r6", "from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["x"]}},
        _result("r7", "13", 15, "四川", ["GPE"]),
    ]
    _, problems = import_annotations(_export(doc, results), doc, file="export.json")
    shown = [str(p) for p in problems]
    where = "export.json: task 7.annotation 3.result"
    expected = [
        f"{where} r1.label: unknown label 'CITY'",
        f"{where} r2.text: '成都' does not match",
        f"{where} r3.start: entity [3, 5) overlaps entity [1, 6) of task 7.annotation 3.result ok",
        f"{where} r4.value.labels: expected exactly one label",
        f"{where} r5.value.start: UTF-16 offset 9 is past the text or inside a surrogate pair",
        f"{where} r6.type: 'choices'; expected 'labels'",
        f"{where} r7.value.start: expected an integer",
    ]
    for prefix in expected:
        assert any(s.startswith(prefix) for s in shown), (prefix, shown)
    assert all(p.field and p.field.startswith("task 7.annotation 3.result") for p in problems)


def test_import_rejects_another_text_and_skips_other_documents(non_bmp_doc):
    doc, entities = non_bmp_doc
    [task] = export_tasks(doc, entities, kind="gold")
    other = copy.deepcopy(task) | {"id": 9}
    other["data"]["text"] = doc.text.replace("四川", "成都")
    other["data"].pop("doc_id")
    _, problems = import_annotations([other], doc)
    assert any(p.field == "task 9.data.text" and "differs" in p.message for p in problems)
    foreign = copy.deepcopy(task)
    foreign["data"]["doc_id"] = "another-document"
    result = import_annotations([foreign, task], doc)
    assert result.problems == [] and result.records == entities
    assert any("another document" in note for note in result.notes)


def test_cancelled_skipped_most_recent_or_chosen_annotator_picked(non_bmp_doc):
    doc, entities = non_bmp_doc
    [task] = export_tasks(doc, entities, kind="gold")
    results = task["annotations"][0]["result"]
    task["annotations"] = [
        {
            "id": 1,
            "completed_by": {"id": 5, "email": "a@x.org"},
            "updated_at": "2024-05-01T10:00:00Z",
            "result": results[:1],
        },
        {"id": 2, "completed_by": 6, "updated_at": "2024-05-02T10:00:00.123456Z", "result": results},
        {
            "id": 3,
            "completed_by": 6,
            "updated_at": "2024-05-03T10:00:00Z",
            "was_cancelled": True,
            "result": [],
        },
    ]
    latest = import_annotations([task], doc)
    assert latest.problems == [] and latest.records == entities
    assert any("annotation 2" in n and "1 cancelled skipped" in n for n in latest.notes)
    chosen = import_annotations([task], doc, annotator="a@x.org")
    assert chosen.problems == [] and chosen.records == entities[:1]
    missing = import_annotations([task], doc, annotator="nobody")
    assert missing.records == [] and "by annotator 'nobody'" in str(missing.problems[0])


def test_import_reads_an_export_file(tmp_path, non_bmp_doc):
    doc, entities = non_bmp_doc
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export_tasks(doc, entities, kind="gold"), ensure_ascii=True), encoding="utf-8")
    records, problems = import_annotations(path, doc)
    assert problems == [] and records == entities
    path.write_text("[{", encoding="utf-8")
    _, problems = import_annotations(path, doc)
    assert str(problems[0]).startswith(f"{path}: ") and "invalid JSON" in str(problems[0])
