"""scripts/import_annotations.py writes entities.jsonl only when the import has no problem."""

from __future__ import annotations

import json

from benchmark.bridges.doccano import export_jsonl
from benchmark.bridges.label_studio import export_tasks
from benchmark.validate import load_document


def test_label_studio_import_writes_only_without_problems(
    tmp_path, gold_copy, article, import_script, capsys
):
    root = gold_copy.parent
    target = gold_copy / "entities.jsonl"
    original = target.read_bytes()
    tasks = export_tasks(article, article.gold["ner"], kind="gold")
    tasks[0]["annotations"][0]["result"][0]["value"]["labels"] = ["NOPE"]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    argv = [str(export), "--format", "labelstudio", "--document", article.id, "--root", str(root), "--force"]
    assert import_script.main(argv) == 2
    out = capsys.readouterr().out
    assert "result e0001.label: unknown label 'NOPE'" in out and "nothing written" in out
    assert target.read_bytes() == original

    tasks[0]["annotations"][0]["result"][0]["value"]["labels"] = ["ORG"]
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    assert import_script.main(argv[:-1]) == 2  # the gold file exists: --force needed
    assert "pass --force" in capsys.readouterr().err
    assert import_script.main(argv) == 0
    assert target.read_bytes() == original  # the round trip rewrites the gold byte for byte
    doc, problems = load_document(gold_copy)
    assert problems == [] and doc is not None and doc.gold["ner"] == article.gold["ner"]


def test_doccano_import_to_out_file(tmp_path, gold_copy, article, import_script):
    export = tmp_path / "doccano.jsonl"
    export.write_text(export_jsonl(article, article.gold["ner"]), encoding="utf-8")
    out = tmp_path / "out" / "entities.jsonl"
    argv = [
        str(export),
        "--format",
        "doccano",
        "--document",
        article.id,
        "--root",
        str(gold_copy.parent),
        "--out",
        str(out),
    ]
    assert import_script.main(argv) == 0
    assert out.read_bytes() == (gold_copy / "entities.jsonl").read_bytes()


def test_unknown_document(tmp_path, import_script, capsys):
    argv = [str(tmp_path / "x.json"), "--format", "doccano", "--document", "nope", "--root", str(tmp_path)]
    assert import_script.main(argv) == 2
    assert "no document 'nope'" in capsys.readouterr().err
