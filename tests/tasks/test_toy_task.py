"""A fifth task defined here and nowhere else goes through validate, variants, export and agreement.

The toy task ``stance.v1`` labels spans of the text with a stance. It lives only in this
module: its record type, its gold file ``stances.jsonl`` in a temporary copy of the
annotations folder, and its class, registered with ``register_task`` for the test and
unregistered after. Nothing else in the package is changed for it: if a framework module
named the built-in tasks, or lacked a hook, one of these steps would fail.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from benchmark.document import Document
from benchmark.schema import Problem
from benchmark.tasks import TASKS, get_task, register_task
from benchmark.tasks.base import Headline, ScoringContext, Task, f1_of_counts, overlap_problems

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "annotations" / "sichuan-police-2020"
STANCES = ("positive", "negative", "neutral")


@dataclass(frozen=True, slots=True)
class Stance:
    """A span of the text and the stance it takes."""

    start: int
    end: int
    text: str
    stance: str

    SPANS: ClassVar[tuple[tuple[str, str, str | None], ...]] = (("start", "end", "text"),)


class StanceTask(Task):
    """Toy task: stance of text spans (one module, nothing else)."""

    name = "stance.v1"
    key = "stance"
    gold_file = "stances.jsonl"
    record_type = Stance
    description = "toy task: the stance of text spans"
    labels = STANCES
    fields: ClassVar[dict[str, str]] = {"stance": "positive, negative or neutral", "text": "the span"}
    headlines = (Headline("span_f1", "F1 of spans with the right stance", f1_of_counts),)

    def record_key(self, record: Stance) -> Any:
        return (record.start, record.end, record.stance)

    def check(
        self, doc: Document, records: Sequence[Stance], *, file: str, gold: bool = True
    ) -> list[Problem]:
        problems = [
            Problem(file, i, "stance", f"unknown stance {r.stance!r}; expected one of {', '.join(STANCES)}")
            for i, r in enumerate(records, start=1)
            if r.stance not in STANCES
        ]
        return problems + overlap_problems(records, file=file, what="stance")

    def details(self, doc: Document, pred: Sequence[Stance], ctx: ScoringContext) -> dict[str, Any]:
        gold = {self.record_key(r) for r in doc.gold.get(self.key, [])}
        got = {self.record_key(r) for r in pred}
        return {"tp": len(gold & got), "fp": len(got - gold), "fn": len(gold - got)}

    def unit_stats(self, doc: Document, pred: Sequence[Stance], ctx: ScoringContext) -> dict[str, np.ndarray]:
        units = self.units(doc)
        rows = np.zeros((len(units), 3))
        gold = {self.record_key(r) for r in doc.gold.get(self.key, [])}
        got = {self.record_key(r) for r in pred}
        for i, (start, end) in enumerate(units):
            inside = lambda keys, s=start, e=end: {k for k in keys if s <= k[0] and k[1] <= e}  # noqa: E731
            g, p = inside(gold), inside(got)
            rows[i] = (len(g & p), len(p - g), len(g - p))
        return {"span_f1": rows}


def _stance(text: str, surface: str, stance: str, *, after: str = "") -> dict[str, Any]:
    start = text.index(surface, text.index(after) + len(after) if after else 0)
    return {"start": start, "end": start + len(surface), "text": surface, "stance": stance}


@pytest.fixture()
def toy_task() -> Iterator[type[Task]]:
    assert "stance" not in TASKS
    register_task(StanceTask)
    try:
        yield StanceTask
    finally:
        TASKS.unregister("stance")
    assert "stance" not in TASKS


def _write_toy_gold(folder: Path, rows: list[dict[str, Any]]) -> None:
    (folder / "stances.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if isinstance(meta.get("annotated"), list):  # the folder lists its annotated tasks
        meta["annotated"] = [*meta["annotated"], "stance"]
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.fixture()
def toy_root(tmp_path: Path, toy_task) -> Path:
    """annotations/ copied to tmp_path, the article with three toy gold records."""
    folder = tmp_path / "annotations" / ARTICLE.name
    shutil.copytree(ARTICLE, folder)
    text = (folder / "text.txt").read_text(encoding="utf-8")
    _write_toy_gold(folder, [
        _stance(text, "华西都市报", "neutral"),  # on the masthead line: page furniture
        _stance(text, "四川公安交出一份群众满意的2020成绩单", "positive", after="发展战略"),  # the title
        _stance(text, "不平凡的2020年刚刚过去", "neutral"),
    ])  # fmt: skip
    return tmp_path / "annotations"


def test_validate_reads_and_checks_the_toy_gold(toy_root):
    from benchmark.validate import load_corpus, load_document

    [doc] = load_corpus(toy_root)
    assert [r.stance for r in doc.gold["stance"]] == ["neutral", "positive", "neutral"]
    assert all(doc.text[r.start : r.end] == r.text for r in doc.gold["stance"])
    folder = toy_root / ARTICLE.name
    rows = [json.loads(line) for line in (folder / "stances.jsonl").read_text(encoding="utf-8").splitlines()]
    rows[1]["stance"] = "angry"
    rows[2]["text"] = "别的字"
    _write_toy_gold(folder, rows)
    _, problems = load_document(folder)
    found = [str(p) for p in problems]
    assert any("stances.jsonl:2: stance: unknown stance 'angry'" in p for p in found), found
    assert any("stances.jsonl:3" in p and "text" in p for p in found), found


def test_variants_carry_the_toy_gold(toy_root, tmp_path):
    from benchmark.validate import load_corpus, load_document
    from benchmark.variants import VARIANTS, make_variant, write_variant

    [doc] = load_corpus(toy_root)
    for name in VARIANTS:
        variant = make_variant(doc, name)
        _, problems = load_document(write_variant(variant, tmp_path / "variants"))
        assert [str(p) for p in problems] == [], name
        for record in variant.gold["stance"]:
            assert variant.text[record.start : record.end] == record.text, name
    no_furniture = make_variant(doc, "no_furniture")
    assert [r.stance for r in no_furniture.gold["stance"]] == ["positive", "neutral"]  # the masthead went
    assert no_furniture.meta["variant_changes"]["records_dropped"]["stance"] == 1
    assert make_variant(doc, "traditional").gold["stance"][1].text == "四川公安交出一份羣衆滿意的2020成績單"
    shuffled = make_variant(doc, "shuffled")
    assert sorted(r.text for r in shuffled.gold["stance"]) == sorted(r.text for r in doc.gold["stance"])


def test_hf_export_has_a_toy_config_with_its_card(toy_root, tmp_path):
    pytest.importorskip("datasets")
    from datasets import load_dataset

    from benchmark.bridges.hf_datasets import export_dataset
    from benchmark.validate import load_corpus

    folder = export_dataset(load_corpus(toy_root), tmp_path / "hf")
    ds = load_dataset(str(folder), "stance", split="test")
    assert ds.num_rows == 3 and sorted(ds["stance"]) == ["neutral", "neutral", "positive"]
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "toy task: the stance of text spans" in card and "positive, negative or neutral" in card
    info = json.loads((folder / "export_info.json").read_text(encoding="utf-8"))
    assert info["tasks"]["stance"] == "stance.v1" and info["rows"]["stance"] == 3


def test_agreement_compares_the_toy_task(toy_root, tmp_path, capsys):
    from benchmark.agreement import compare_folders, render_text

    first = toy_root / ARTICLE.name
    second = tmp_path / "second" / ARTICLE.name
    shutil.copytree(first, second)
    rows = [json.loads(line) for line in (second / "stances.jsonl").read_text(encoding="utf-8").splitlines()]
    rows[1]["stance"] = "negative"
    (second / "stances.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    report = compare_folders(first, second)
    assert "stance" in report.tasks
    assert report.scores["stance"]["records"] == {
        "both": 2,
        "only_a": 1,
        "only_b": 1,
        "f1": 0.6666666666666666,
    }
    stance = [d for d in report.disagreements if d.task == "stance"]
    assert [(d.kind, d.rule) for d in stance] == [("only_in_a", "other"), ("only_in_b", "other")]
    assert report.scores["ner"]["strict"]["micro"]["f1"] == 1.0  # the built-in tasks still compared
    text = render_text(report)
    assert "stance: 3 records in A, 3 in B" in text and "stance=negative" in text


def test_the_toy_task_is_gone_after_the_test():
    assert "stance" not in TASKS
    with pytest.raises(KeyError):
        get_task("stance")


def test_the_toy_task_walks_the_whole_path(toy_root, tmp_path):
    """evaluate -> leaderboard (every format) -> compare -> variants -> export -> agreement -> lm-eval."""
    from benchmark.tasks.checks import check_task_path

    found = check_task_path("stance", toy_root, tmp_path)
    table = found["board"]["tasks"]["stance"]
    assert table["task"] == "stance.v1"
    flawed = next(r for r in table["rows"] if r["model"] == "flawed-oracle")
    assert flawed["scores"]["span_f1"]["estimate"] < 1.0
    assert found["compare"]["tasks"]["stance"]["task"] == "stance.v1"
