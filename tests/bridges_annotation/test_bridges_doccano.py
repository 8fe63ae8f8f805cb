"""doccano bridge: JSONL round trip, the span formats of its versions, located import problems."""

from __future__ import annotations

import json

from benchmark.bridges.doccano import export_example, export_jsonl, import_annotations


def test_gold_round_trip_gives_identical_records(tmp_path, article):
    gold = article.gold["ner"]
    path = tmp_path / "doccano.jsonl"
    path.write_text(export_jsonl(article, gold), encoding="utf-8")
    line = json.loads(path.read_text(encoding="utf-8"))
    assert line["text"] == article.text and len(line["label"]) == len(gold)
    records, problems = import_annotations(path, article)
    assert problems == []
    assert records == sorted(gold, key=lambda e: (e.start, e.end, e.label))


def test_code_point_offsets_with_non_bmp_characters(non_bmp_doc):
    doc, entities = non_bmp_doc
    example = export_example(doc, entities)
    assert example["label"] == [[e.start, e.end, e.label] for e in entities]  # code points, unchanged
    records, problems = import_annotations([json.loads(json.dumps(example))], doc)
    assert problems == [] and records == entities


def test_newer_entities_formats_are_read(non_bmp_doc):
    doc, entities = non_bmp_doc
    as_objects = [
        {"id": i, "start_offset": e.start, "end_offset": e.end, "label": e.label}
        for i, e in enumerate(entities)
    ]
    for spans in (as_objects, [[e.start, e.end, e.label] for e in entities]):
        for key in ("entities", "labels"):
            records, problems = import_annotations(
                [{"id": 4, "text": doc.text, key: spans, "relations": []}], doc
            )
            assert problems == [] and records == entities


def test_import_problems_name_line_span_and_field(tmp_path, non_bmp_doc):
    doc, entities = non_bmp_doc
    start = doc.text.index("四川")
    spans = [
        [entities[0].start, entities[0].end, "ORG"],
        [start, start + 2, "CITY"],  # unknown label
        [entities[0].start + 1, entities[0].end, "ORG"],  # overlap
        [start, "x", "GPE"],  # not an integer
        [3, 2, "GPE"],  # end before start
        {"start": 1, "end": 2},  # not a span
        [start, len(doc.text) + 5, "GPE"],  # past the end
    ]
    path = tmp_path / "export.jsonl"
    other = {"text": "别的文档", "label": [], "doc_id": "elsewhere"}
    lines = [
        json.dumps(other, ensure_ascii=False),
        json.dumps({"id": 12, "text": doc.text, "label": spans}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_annotations(path, doc)
    shown = [str(p) for p in result.problems]
    expected = [
        f"{path}: line 2: example 12 label[1].label: unknown label 'CITY'",
        f"{path}: line 2: example 12 label[2].start: entity [2, 6) overlaps entity [1, 6) of line 2: example 12 label[0]",
        f"{path}:2: example 12 label[3].end: expected an integer, got 'x'",
        f"{path}:2: example 12 label[4].end: expected 0 <= start < end, got [3, 2)",
        f"{path}:2: example 12 label[5]: expected [start, end, label]",
        f"{path}: line 2: example 12 label[6].end: {len(doc.text) + 5} is past the end of the text",
    ]
    for prefix in expected:
        assert any(s.startswith(prefix) for s in shown), (prefix, shown)
    assert any("line 1: skipped" in note for note in result.notes)


def test_text_mismatch_missing_or_ambiguous_examples(non_bmp_doc):
    doc, entities = non_bmp_doc
    example = export_example(doc, entities)
    _, problems = import_annotations([example | {"text": "别的"}], doc)
    assert problems[0].field == "text" and "differs" in problems[0].message
    _, problems = import_annotations([example, example], doc)
    assert "2 examples (1, 2)" in str(problems[0])
    _, problems = import_annotations([example | {"entities": []}], doc)
    assert problems[0].field == "label/entities"
    _, problems = import_annotations([], doc)
    assert "no example" in str(problems[0])
