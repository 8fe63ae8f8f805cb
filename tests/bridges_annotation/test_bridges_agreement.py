"""Inter-annotator agreement: perfect on the gold itself, exact counts on a hand-made second pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmark.agreement import AgreementError, cohen_kappa, compare_folders
from benchmark.tasks.agreement_stats import entity_disagreements, entity_rule
from benchmark.tasks.ner import GENERIC_TERMS

GOLD = Path(__file__).resolve().parents[2] / "annotations" / "sichuan-police-2020"


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def self_report():
    return compare_folders(GOLD, GOLD)


@pytest.fixture()
def second_pass(tmp_path: Path) -> Path:
    """The gold with five changes: one entity dropped, one GPE->LOC, one boundary extended over
    its quotes, one numeric unit changed, one unit's topics changed."""
    folder = tmp_path / "second-pass" / GOLD.name
    shutil.copytree(GOLD, folder)
    text = (folder / "text.txt").read_text(encoding="utf-8")
    entities = _read(folder / "entities.jsonl")
    entities = [e for e in entities if not (e["text"] == "叶寒冰" and e["start"] == 1226)]  # dropped PER
    first_gpe = next(e for e in entities if e["label"] == "GPE")
    first_gpe["label"] = "LOC"
    case = next(e for e in entities if e["text"] == "江口沉银案")
    case.update(start=case["start"] - 1, end=case["end"] + 1)
    case["text"] = text[case["start"] : case["end"]]
    assert case["text"] == "“江口沉银案”"
    _write(folder / "entities.jsonl", entities)
    facts = _read(folder / "numeric_facts.jsonl")
    facts[0]["unit"] = "人"  # 28名 -> 人
    _write(folder / "numeric_facts.jsonl", facts)
    units = _read(folder / "paragraphs.jsonl")
    units[0]["topics"] = ["overview"]  # was page_furniture
    _write(folder / "paragraphs.jsonl", units)
    return folder


def test_gold_against_itself_is_perfect(self_report):
    report = self_report
    assert report.tasks == ["ner", "numeric", "qa", "topics"]  # registry order
    assert report.disagreements == [] and report.problems == []
    for scheme in ("strict", "partial"):
        assert report.scores["ner"][scheme]["micro"]["f1"] == 1.0
        assert all(c["f1"] == 1.0 for c in report.scores["ner"][scheme]["per_label"].values())
    numeric = report.scores["numeric"]
    assert numeric["span"]["f1"] == 1.0 and numeric["metric"]["agreement"] == 1.0
    assert [numeric[k]["kappa"] for k in ("value", "unit", "qualifier")] == [1.0, 1.0, 1.0]
    topics = report.scores["topics"]
    assert topics["section"]["kappa"] == 1.0 and topics["primary"]["kappa"] == 1.0
    assert topics["topics"]["f1"] == 1.0
    qa = report.scores["qa"]
    assert qa["answers_agree"] == 1.0 and qa["evidence_equal"] == 1.0 and qa["answer_type"]["kappa"] == 1.0


def test_second_pass_gives_the_expected_counts_and_rules(second_pass):
    report = compare_folders(GOLD, second_pass)
    strict = report.scores["ner"]["strict"]["micro"]
    assert (strict["tp"], strict["fn"], strict["fp"]) == (100, 3, 2)
    assert strict["f1"] == pytest.approx(200 / 205)
    partial = report.scores["ner"]["partial"]["micro"]
    assert (partial["correct"], partial["partial"], partial["missed"], partial["spurious"]) == (101, 1, 1, 0)
    assert partial["f1"] == pytest.approx(2 * 101.5 / 205)
    assert report.scores["ner"]["strict"]["per_label"]["LOC"]["fp"] == 1
    assert report.rule_counts() == {"A8": 1, "A-labels": 1, "B3": 1, "C-topics": 1, "other": 1}
    groups = report.by_rule()
    assert groups["other"][0].kind == "only_in_a" and groups["other"][0].a[0]["text"] == "叶寒冰"
    assert groups["A-labels"][0].kind == "label" and groups["A-labels"][0].b[0]["label"] == "LOC"
    assert groups["A8"][0].kind == "boundary" and groups["A8"][0].b[0]["text"] == "“江口沉银案”"
    numeric = report.scores["numeric"]
    assert numeric["span"]["f1"] == 1.0 and numeric["unit"]["agreement"] == pytest.approx(47 / 48)
    assert 0 < numeric["unit"]["kappa"] < 1 and numeric["value"]["kappa"] == 1.0
    assert groups["B3"][0].a[0]["unit"] == "名" and groups["B3"][0].b[0]["unit"] == "人"
    topics = report.scores["topics"]
    assert topics["section"]["kappa"] == 1.0 and topics["primary"]["agreement"] == pytest.approx(26 / 27)
    assert groups["C-topics"][0].kind == "primary_topic"
    assert topics["topics"] == {
        "both": 35,
        "only_a": 1,
        "only_b": 1,
        "f1": pytest.approx(70 / 72),
    }  # 36 topics in all
    # the changed unit breaks the normalizer rule: reported as a warning, the comparison still runs
    assert any("numeric_facts.jsonl" in p and "unit" in p for p in report.problems)


def test_cli_text_and_json(second_pass, agreement_script, capsys):
    assert agreement_script.main([str(GOLD), str(second_pass)]) == 0
    out = capsys.readouterr().out
    assert "strict   micro F1 0.976" in out
    assert "A8 (quotation marks around a whole name are left out): 1" in out
    assert "B3 (unit): 1" in out and "Warnings:" in out
    assert agreement_script.main([str(GOLD), str(second_pass), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rule_counts"]["A-labels"] == 1 and data["scores"]["ner"]["n_b"] == 102
    assert {d["rule"] for d in data["disagreements"]} == {"A8", "A-labels", "B3", "C-topics", "other"}


def test_different_texts_are_refused(tmp_path, agreement_script, capsys):
    other = tmp_path / GOLD.name
    shutil.copytree(GOLD, other)
    with (other / "text.txt").open("a", encoding="utf-8") as handle:
        handle.write("多一行\n")
    with pytest.raises(AgreementError, match="different texts"):
        compare_folders(GOLD, other)
    assert agreement_script.main([str(GOLD), str(other)]) == 2
    assert "different texts" in capsys.readouterr().err


def _e(start: int, end: int, text: str, label: str) -> dict:
    return {"start": start, "end": end, "text": text, "label": label}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (
            [_e(0, 9, "省公安厅厅长叶寒冰", "PER")],
            [_e(0, 4, "省公安厅", "ORG"), _e(4, 6, "厅长", "TITLE"), _e(6, 9, "叶寒冰", "PER")],
            ("split", "A2"),
        ),
        (
            [_e(0, 6, "甘孜州道孚县", "GPE")],
            [_e(0, 3, "甘孜州", "GPE"), _e(3, 6, "道孚县", "GPE")],
            ("split", "A7"),
        ),
        (
            [_e(0, 12, "2021四川公安发布会", "EVENT")],
            [_e(0, 4, "2021", "DATE"), _e(4, 8, "四川公安", "ORG"), _e(8, 12, "发布会", "EVENT")],
            ("split", "A3"),
        ),
        ([_e(0, 6, "四川省公安厅", "ORG")], [_e(0, 3, "四川省", "GPE")], ("boundary", "A1")),
        ([_e(0, 5, "2020年", "DATE")], [_e(0, 4, "2020", "DATE")], ("boundary", "A9")),
        ([_e(0, 4, "abcd", "ORG")], [_e(2, 6, "cdef", "ORG")], ("boundary", "other")),
        ([_e(0, 2, "四川", "GPE")], [_e(0, 2, "四川", "ORG")], ("label", "A-labels")),
        ([_e(0, 2, "四川", "GPE")], [], ("only_in_a", "other")),
    ],
)
def test_entity_rule_heuristic(a, b, expected):
    assert entity_rule(a, b, GENERIC_TERMS) == expected


def test_generic_term_and_date_misses():
    found = entity_disagreements(
        [_e(0, 2, "全省", "GPE")], [_e(5, 10, "2020年", "DATE")], key="ner", generic_terms=GENERIC_TERMS
    )
    assert [(d.kind, d.rule) for d in found] == [("only_in_a", "A6"), ("only_in_b", "A9")]


def test_kappa_na_rule():
    assert cohen_kappa(["exact"] * 3, ["exact"] * 3).kappa is None
    assert cohen_kappa(["exact"] * 3, ["exact"] * 3).agreement == 1.0
    assert cohen_kappa(["a", "b"], ["b", "a"]).kappa == -1.0
