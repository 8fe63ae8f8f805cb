"""scripts/new_document.py scaffolds into a temporary root, never into annotations/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.cli.validate import validate_gold
from benchmark.document import GUIDELINES_VERSION, META_FIELDS, sha256_text
from benchmark.tasks import TASKS, get_task

TEXT = "华西都市报\r\n\n  2020年1月8日，四川公安发布会召开。😀\n2021年再见\n"


@pytest.fixture()
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "input.txt"
    path.write_bytes(TEXT.encode("utf-8"))
    return path


def test_scaffold_with_rules_preannotations(tmp_path, text_file, new_document, capsys):
    root = tmp_path / "annotations"
    argv = [
        "new-doc",
        "--text",
        str(text_file),
        "--root",
        str(root),
        "--preannotate",
        "rules",
        "--source",
        "test",
        "--license",
        "CC0",
    ]
    assert new_document.main(argv) == 0
    folder = root / "new-doc"
    assert (folder / "text.txt").read_bytes() == text_file.read_bytes()
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert list(meta) == list(META_FIELDS)
    assert meta["id"] == "new-doc" and meta["title"] == "华西都市报" and meta["source"] == "test"
    assert meta["text_sha256"] == sha256_text(TEXT) and meta["guidelines_version"] == GUIDELINES_VERSION
    assert meta["provenance"] == "not yet annotated" and meta["headings"] == []
    gold_files = {get_task(k).gold_file for k in TASKS.names()}
    assert not gold_files & {p.name for p in folder.iterdir()}  # no gold until a person annotates
    [task] = json.loads((folder / "preannotations.labelstudio.json").read_text(encoding="utf-8"))
    assert "annotations" not in task and task["data"]["text"] == TEXT
    [prediction] = task["predictions"]
    assert prediction["model_version"] == "rules"
    values = [r["value"] for r in prediction["result"]]
    assert {v["labels"][0] for v in values} == {"DATE"}
    assert {v["text"] for v in values} >= {"2020年1月8日", "2021年"}
    assert (folder / "labelstudio_config.xml").read_text(encoding="utf-8").startswith("<View>")
    assert "import_annotations.py" in capsys.readouterr().out
    assert validate_gold(root)[:2] == (1, [])  # a folder with no gold validates


def test_preannotations_accepted_in_label_studio_import_back(
    tmp_path, text_file, new_document, import_script
):
    root = tmp_path / "annotations"
    assert (
        new_document.main(["doc", "--text", str(text_file), "--root", str(root), "--preannotate", "rules"])
        == 0
    )
    tasks = json.loads((root / "doc" / "preannotations.labelstudio.json").read_text(encoding="utf-8"))
    # what Label Studio exports once an annotator submits the suggestions unchanged
    tasks[0]["id"] = 1
    tasks[0]["annotations"] = [{"id": 1, "completed_by": 1, "result": tasks[0]["predictions"][0]["result"]}]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    argv = [str(export), "--format", "labelstudio", "--document", "doc", "--root", str(root)]
    assert import_script.main(argv) == 0
    assert validate_gold(root)[:2] == (1, [])
    lines = (root / "doc" / "entities.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["label"] for line in lines] == ["DATE"] * len(lines) and lines


def test_without_preannotation_and_doccano(tmp_path, text_file, new_document):
    root = tmp_path / "ann"
    assert new_document.main(["d1", "--text", str(text_file), "--root", str(root), "--doccano",
                              "--title", "标题"]) == 0  # fmt: skip
    folder = root / "d1"
    [task] = json.loads((folder / "tasks.labelstudio.json").read_text(encoding="utf-8"))
    assert set(task) == {"data"}
    example = json.loads((folder / "preannotations.doccano.jsonl").read_text(encoding="utf-8"))
    assert example["text"] == TEXT and example["label"] == []
    assert json.loads((folder / "meta.json").read_text(encoding="utf-8"))["title"] == "标题"


def test_refuses_existing_folder_unless_forced(tmp_path, text_file, new_document, capsys):
    root = tmp_path / "ann"
    argv = ["d1", "--text", str(text_file), "--root", str(root)]
    assert new_document.main(argv) == 0
    (root / "d1" / "text.txt").write_text("changed", encoding="utf-8")
    assert new_document.main(argv) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert (root / "d1" / "text.txt").read_text(encoding="utf-8") == "changed"
    assert new_document.main([*argv, "--force"]) == 0
    assert (root / "d1" / "text.txt").read_bytes() == text_file.read_bytes()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--preannotate", "no-such-adapter"], "no-such-adapter"),
        (["--preannotate", "majority"], "does not do ner"),
        (["--preannotate", "oracle"], "reads the gold"),
        (["--preannotate", "rules:bogus=1"], "bogus"),
    ],
)
def test_bad_preannotation_leaves_no_folder(tmp_path, text_file, new_document, capsys, extra, message):
    root = tmp_path / "ann"
    assert new_document.main(["d1", "--text", str(text_file), "--root", str(root), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (root / "d1").exists()


def test_rejects_bad_id_and_non_utf8(tmp_path, text_file, new_document, capsys):
    assert new_document.main(["../x", "--text", str(text_file), "--root", str(tmp_path)]) == 2
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("四川".encode("gbk"))
    assert new_document.main(["x", "--text", str(bad), "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "a document id is" in err and "not UTF-8" in err
