"""The validator: the gold passes; every class of corruption is caught with a precise message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.cli.validate import main as validate_main
from benchmark.tasks import get_task
from benchmark.validate import load_document, validate_predictions

ROOT = Path(__file__).resolve().parent.parent


def _rewrite(path: Path, line: int, change) -> None:
    """Apply ``change(dict) -> dict`` to the JSON object on 1-based ``line`` of ``path``."""
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[line - 1] = json.dumps(change(json.loads(rows[line - 1])), ensure_ascii=False)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _messages(folder: Path) -> list[str]:
    return [str(p) for p in load_document(folder)[1]]


def test_gold_is_valid(gold_copy):
    assert _messages(gold_copy) == []


def test_cli_validates_all_gold(capsys):
    assert validate_main([]) == 0
    assert "ok: 1 document(s) valid" in capsys.readouterr().out


def test_script_exit_codes(gold_copy):
    ok = subprocess.run([sys.executable, "scripts/validate.py"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    _rewrite(gold_copy / "entities.jsonl", 1, lambda r: r | {"label": "PERSON"})
    bad = subprocess.run(
        [sys.executable, "scripts/validate.py", "--root", str(gold_copy.parent)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "entities.jsonl:1: label: unknown label 'PERSON'" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


# Each corruption: (file, line, change, expected fragments of one message).
CORRUPTIONS = {
    "shifted offset": (
        "entities.jsonl", 3, lambda r: r | {"start": r["start"] + 1, "end": r["end"] + 1},
        ["entities.jsonl:3: text:", "does not match text["],
    ),
    "wrong surface": (
        "entities.jsonl", 5, lambda r: r | {"text": "成都"},
        ["entities.jsonl:5: text: '成都' does not match"],
    ),
    "overlap": (
        "entities.jsonl", 2, lambda r: r | {"start": 0, "end": 2, "text": "华西"},
        ["entities.jsonl:1: start: entity [0, 5) overlaps entity [0, 2) on line 2"],
    ),
    "unknown label": (
        "entities.jsonl", 4, lambda r: r | {"label": "COMPANY"},
        ["entities.jsonl:4: label: unknown label 'COMPANY'; expected one of PER, ORG"],
    ),
    "end past text": (
        "entities.jsonl", 1, lambda r: r | {"end": 99999},
        ["entities.jsonl:1: end: 99999 is past the end of the text (2610 characters)"],
    ),
    "end before start": (
        "entities.jsonl", 1, lambda r: r | {"end": r["start"]},
        ["entities.jsonl:1: end: must be > start"],
    ),
    "wrong type": (
        "entities.jsonl", 6, lambda r: r | {"start": str(r["start"])},
        ["entities.jsonl:6: start: expected an integer, got str"],
    ),
    "missing field": (
        "entities.jsonl", 7, lambda r: {k: v for k, v in r.items() if k != "label"},
        ["entities.jsonl:7: label: missing field"],
    ),
    "unknown field": (
        "entities.jsonl", 8, lambda r: r | {"score": 0.9},
        ["entities.jsonl:8: score: unknown field"],
    ),
    "bad value": (
        "numeric_facts.jsonl", 1, lambda r: r | {"value": 29},
        ["numeric_facts.jsonl:1: value: 29 disagrees with the surface '28名', which normalizes to 28"],
    ),
    "scale not applied": (
        "numeric_facts.jsonl", 22, lambda r: r | {"value": 79.1},
        ["numeric_facts.jsonl:22: value: 79.1 disagrees with the surface '79.1亿元'"],
    ),
    "bad unit": (
        "numeric_facts.jsonl", 2, lambda r: r | {"unit": "个"},
        ["numeric_facts.jsonl:2: unit: '个' disagrees with the surface '7名'"],
    ),
    "bad qualifier": (
        "numeric_facts.jsonl", 3, lambda r: r | {"qualifier": "about"},
        ["numeric_facts.jsonl:3: qualifier: unknown qualifier 'about'; expected one of exact"],
    ),
    "qualifier disagrees": (
        "numeric_facts.jsonl", 4, lambda r: r | {"qualifier": "approx"},
        ["numeric_facts.jsonl:4: qualifier: 'approx' disagrees with the surface '98.78%', which reads 'exact'"],
    ),
    "metric mismatch": (
        "numeric_facts.jsonl", 1, lambda r: r | {"metric_start": r["metric_start"] + 1},
        ["numeric_facts.jsonl:1: metric:", "does not match text["],
    ),
    "not a number value": (
        "numeric_facts.jsonl", 1, lambda r: r | {"value": "28"},
        ["numeric_facts.jsonl:1: value: expected a number, got str"],
    ),
    "unknown section": (
        "paragraphs.jsonl", 2, lambda r: r | {"section": "header"},
        ["paragraphs.jsonl:2: section: unknown section 'header'"],
    ),
    "unknown topic": (
        "paragraphs.jsonl", 12, lambda r: r | {"topics": ["sports"]},
        ["paragraphs.jsonl:12: topics: unknown topic 'sports'"],
    ),
    "empty topics": (
        "paragraphs.jsonl", 12, lambda r: r | {"topics": []},
        ["paragraphs.jsonl:12: topics: at least one topic is required"],
    ),
    "unit not stripped": (
        "paragraphs.jsonl", 3, lambda r: r | {"start": r["start"] - 2},
        ["paragraphs.jsonl:3: start:", "is not a paragraph unit"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corruption_is_caught(gold_copy, name):
    file, line, change, fragments = CORRUPTIONS[name]
    _rewrite(gold_copy / file, line, change)
    messages = _messages(gold_copy)
    assert any(all(f in m for f in fragments) for m in messages), messages


def test_missing_paragraph(gold_copy):
    path = gold_copy / "paragraphs.jsonl"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(rows[:5] + rows[6:]) + "\n", encoding="utf-8")
    messages = _messages(gold_copy)
    assert any(
        "paragraphs.jsonl: missing paragraph unit [" in m and "下载封面新闻APP" in m for m in messages
    ), messages


def test_duplicated_paragraph(gold_copy):
    path = gold_copy / "paragraphs.jsonl"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*rows, rows[0]]) + "\n", encoding="utf-8")
    assert any(
        "paragraphs.jsonl:28: start:" in m and "already annotated on line 1" in m
        for m in _messages(gold_copy)
    )


def test_text_hash(gold_copy):
    text = gold_copy / "text.txt"
    text.write_bytes(text.read_bytes().replace("2020成绩单".encode(), "2021成绩单".encode(), 1))
    messages = _messages(gold_copy)
    assert any("meta.json: text_sha256:" in m and "is not the sha256 of text.txt" in m for m in messages)


def test_invalid_json_line(gold_copy):
    path = gold_copy / "entities.jsonl"
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[9] = rows[9][:-1]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert any(m.startswith(f"{path}:10: invalid JSON") for m in _messages(gold_copy))


def test_all_problems_reported_not_just_first(gold_copy):
    _rewrite(gold_copy / "entities.jsonl", 1, lambda r: r | {"label": "X"})
    _rewrite(gold_copy / "entities.jsonl", 9, lambda r: r | {"label": "Y"})
    _rewrite(gold_copy / "numeric_facts.jsonl", 1, lambda r: r | {"value": 1})
    messages = _messages(gold_copy)
    assert len(messages) >= 3
    assert {m.split(": ")[0].rsplit("/", 1)[-1] for m in messages} >= {
        "entities.jsonl:1",
        "entities.jsonl:9",
        "numeric_facts.jsonl:1",
    }


def test_line_numbers_skip_blank_lines(gold_copy):
    """Problems name the line in the file, also after a blank line."""
    path = gold_copy / "entities.jsonl"
    rows = path.read_text(encoding="utf-8").splitlines()
    rows.insert(0, "")
    row = json.loads(rows[3])
    rows[3] = json.dumps(row | {"label": "BAD"}, ensure_ascii=False)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert any(m.endswith("entities.jsonl:4: label: unknown label 'BAD'; expected one of "
                          "PER, ORG, GPE, LOC, DATE, EVENT, TITLE") for m in _messages(gold_copy))  # fmt: skip


def test_heading_must_be_a_whole_line(gold_copy):
    meta_path = gold_copy / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["headings"][0]["end"] -= 1
    meta["headings"][0]["text"] = meta["headings"][0]["text"][:-1]
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    assert any("headings:1: start:" in m and "is not a whole line" in m for m in _messages(gold_copy))


def test_predictions_skip_gold_only_rules(gold_copy, article):
    """A wrong value is a wrong prediction, not a malformed file; a wrong surface is malformed."""
    path = gold_copy / "numeric_facts.jsonl"
    _rewrite(path, 1, lambda r: r | {"value": 29})
    records, problems = validate_predictions(path, article, get_task("numeric"))
    assert problems == [] and len(records) == 48
    _rewrite(path, 2, lambda r: r | {"text": "8名"})
    assert [p.field for p in validate_predictions(path, article, get_task("numeric"))[1]] == ["text"]


def test_cli_predictions_folder(gold_copy, capsys):
    assert validate_main([str(gold_copy / "entities.jsonl")]) == 0
    _rewrite(gold_copy / "entities.jsonl", 2, lambda r: r | {"label": "NOPE"})
    assert validate_main([str(gold_copy)]) == 1
    out = capsys.readouterr().out
    assert "entities.jsonl:2: label: unknown label 'NOPE'" in out
    assert validate_main([str(gold_copy / "missing.jsonl")]) == 2  # a user mistake: exit 2, one line
    err = capsys.readouterr().err
    assert "no such file or folder" in err and len(err.strip().splitlines()) == 1


# -- a document folder is validated as gold; large files print at most 50 problems --------------


def _run_validate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "scripts/validate.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def _break_meta(folder: Path) -> None:
    (folder / "meta.json").write_text('{"id": "sichuan-police-2020",', encoding="utf-8")


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda f: (f / "text.txt").write_text((f / "text.txt").read_text("utf-8") + "x", encoding="utf-8"),
         "is not the sha256 of text.txt"),
        (lambda f: (f / "entities.jsonl").unlink(), "entities.jsonl: file not found (ner is listed as annotated"),
        (_break_meta, "meta.json:1: invalid JSON"),
    ],
    ids=["changed text", "missing entities.jsonl", "broken meta"],
)  # fmt: skip
def test_corrupted_document_folder_is_not_ok(gold_copy, corrupt, message):
    assert _run_validate(str(gold_copy)).returncode == 0  # an intact copy is gold, and valid
    corrupt(gold_copy)
    for args in ([str(gold_copy)], ["--root", str(gold_copy)]):
        done = _run_validate(*args)
        assert done.returncode == 1, done.stdout
        assert message in done.stdout and "ok:" not in done.stdout


def test_tasks_not_annotated_yet_are_reported_not_required(gold_copy):
    meta = json.loads((gold_copy / "meta.json").read_text(encoding="utf-8"))
    meta["annotated"] = ["ner", "numeric", "topics"]
    (gold_copy / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    (gold_copy / "qa.jsonl").unlink()
    done = _run_validate(str(gold_copy))
    assert done.returncode == 0, done.stdout
    assert f"{gold_copy}: qa: not annotated yet" in done.stdout
    meta["annotated"] = ["ner", "quiz"]
    (gold_copy / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    assert "annotated: unknown task 'quiz'" in _run_validate(str(gold_copy)).stdout


def test_printed_problems_are_capped(tmp_path, article):
    folder = tmp_path / "sichuan-police-2020"
    folder.mkdir()
    row = json.dumps({"start": 0, "end": 2, "text": "XX", "label": "NOPE"}, ensure_ascii=False)
    (folder / "entities.jsonl").write_text((row + "\n") * 20000, encoding="utf-8")
    done = _run_validate(str(folder / "entities.jsonl"))
    lines = done.stdout.splitlines()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(lines) == 52, lines[-3:]  # 50 problems, a count of the rest, the total
    total = int(lines[51].split()[0])
    assert total >= 40000 and lines[51] == f"{total} problem(s) in 1 predictions file(s)"  # label, text per line
    assert lines[50].startswith(f"... and {total - 50} more: ") and "(label)" in lines[50] and "(text)" in lines[50]
