"""Robustness variants (benchmark/variants.py): valid documents whose gold still points at the same text."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark.document import Document, sha256_text
from benchmark.schema import Entity, Heading, span_fields
from benchmark.tasks import get_task
from benchmark.validate import load_corpus, load_document
from benchmark.variants import (
    VARIANTS,
    Edit,
    fullwidth_punctuation,
    fullwidth_text,
    make_variant,
    map_span,
    remap_record,
    shuffled_paragraphs,
    without_page_furniture,
    write_variant,
)

HAS_OPENCC = importlib.util.find_spec("opencc") is not None
needs_opencc = pytest.mark.skipif(not HAS_OPENCC, reason="the traditional variant needs opencc")
NAMES = [pytest.param(n, marks=needs_opencc) if n == "traditional" else n for n in VARIANTS]

# Counted by hand from text.txt and the gold: what sits on the masthead lines (1-4, 6, 8, 10)
# and the byline (line 18) of sichuan-police-2020.
FURNITURE_ENTITIES = [
    "华西都市报", "四川",          # 华西都市报 -A7 四川-
    "四川",                        # A7四川
    "四川公安", "2020",            # • ·四川公安交出一份群众满意的2020成绩单
    "封面新闻",                    # 下载封面新闻APP
    "华西都市报", "封面新闻", "记者", "李逢春", "钟晓璐",  # the byline
]  # fmt: skip
FURNITURE_QUESTIONS = ["q01", "q02", "q03", "q04"]  # evidence on the masthead (A7, APP) or the byline
FURNITURE_UNITS = 8  # 7 masthead units + 1 byline unit
# Deleted: lines 1-11 (76 characters), the whitespace-only line 16 (3), the byline with its
# break (21), and the two empty lines left doubled (1 + 1).
FURNITURE_CHARACTERS = 76 + 3 + 21 + 2
COMMA, SEMICOLON, HYPHEN = "\uff0c", "\uff1b", "\uff0d"


@pytest.fixture(scope="module")
def variants(article: Document) -> dict[str, Document]:
    return {
        name: make_variant(article, name, seed=0) for name in VARIANTS if name != "traditional" or HAS_OPENCC
    }


def _line_context(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The whole line holding ``[start, end)`` and the span's offsets inside it."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    return text[line_start:line_end], start - line_start, end - line_start


def _key(text: str, record: Any) -> tuple[Any, ...]:
    """A record without its offsets, with each span's line and position in that line instead."""
    fields = asdict(record)
    spans = []
    for lo, hi, _ in span_fields(type(record)):
        spans.append(_line_context(text, fields.pop(lo), fields.pop(hi)))
    for pair in fields.pop("evidence", ()):
        spans.append(_line_context(text, *pair))
    return (type(record).__name__, tuple(sorted(fields.items())), tuple(spans))


def _keys(doc: Document) -> Counter[tuple[Any, ...]]:
    records = [r for rs in doc.gold.values() for r in rs] + list(doc.headings)
    return Counter(_key(doc.text, r) for r in records)


# ------------------------------------------------------------------------------- every variant


@pytest.mark.parametrize("name", NAMES)
def test_variant_passes_the_validator(name, article, tmp_path):
    variant = make_variant(article, name, seed=0)
    folder = write_variant(variant, tmp_path)
    assert folder.name == f"{article.id}~{name}"
    loaded, problems = load_document(folder)
    assert [str(p) for p in problems] == []
    assert loaded is not None and loaded.text == variant.text
    assert {k: len(v) for k, v in loaded.gold.items()} == {k: len(v) for k, v in variant.gold.items()}
    assert loaded.meta["variant_of"] == article.id and loaded.meta["variant"] == name
    assert loaded.meta["text_sha256"] == sha256_text(variant.text)
    assert loaded.meta["variant_seed"] == (0 if name == "shuffled" else None)


def test_make_variants_corpus_loads(tmp_path, corpus):
    names = [n for n in VARIANTS if n != "traditional" or HAS_OPENCC]
    for doc in corpus:
        for name in names:
            write_variant(make_variant(doc, name, seed=3), tmp_path)
    assert len(load_corpus(tmp_path)) == len(corpus) * len(names)  # raises on any problem


@pytest.mark.parametrize("name", NAMES)
def test_every_span_points_at_the_converted_old_surface(name, article, variants):
    """Property: new_text[new_start:new_end] is the old surface (converted), in the same line."""
    variant = variants[name]
    if name in ("traditional", "fullwidth"):  # offsets unchanged, characters converted in place
        convert = _converter(name)
        for key, old_records in article.gold.items():
            new_records = variant.gold[key]
            assert len(new_records) == len(old_records)
            for old, new in zip(old_records, new_records, strict=True):
                for lo, hi, surface in span_fields(type(old)):
                    start, end = getattr(new, lo), getattr(new, hi)
                    assert (start, end) == (getattr(old, lo), getattr(old, hi))
                    assert variant.text[start:end] == convert(article.text[start:end])
                    if surface:
                        assert getattr(new, surface) == convert(getattr(old, surface))
                assert getattr(new, "evidence", None) == getattr(old, "evidence", None)
    else:  # characters moved or deleted: every kept record sits at the same place of the same line
        expected = _keys(article)
        if name == "no_furniture":
            expected -= _keys(_only_furniture(article))
        assert _keys(variant) == expected


def _converter(name: str):
    if name == "fullwidth":
        return fullwidth_text
    from benchmark.variants import traditional_text

    return traditional_text


def _only_furniture(doc: Document) -> Document:
    """The records of ``doc`` that lie on masthead or byline lines (computed from line numbers)."""
    lines = doc.text.split("\n")
    furniture_lines = {0, 1, 2, 3, 5, 7, 9, 17}  # 0-based: the masthead lines and the byline
    assert lines[17].startswith("华西都市报-封面新闻记者")

    def on_furniture(record: Any) -> bool:
        starts = [getattr(record, lo) for lo, _, _ in span_fields(type(record))]
        starts += [pair[0] for pair in getattr(record, "evidence", ())]
        return any(doc.text.count("\n", 0, s) in furniture_lines for s in starts)

    gold = {k: [r for r in rs if on_furniture(r)] for k, rs in doc.gold.items()}
    return Document(doc.id, doc.text, doc.meta, gold=gold, headings=[])


# ---------------------------------------------------------------------------------- traditional


@needs_opencc
def test_traditional_converts_in_place(article, variants):
    variant = variants["traditional"]
    text = variant.text
    assert len(text) == len(article.text)
    assert text.startswith("華西都市報 -A7 四川-")
    assert text[article.text.index("四川省公安厅") :].startswith("四川省公安廳")  # 公安 stays, 厅 changes
    assert "2.3萬餘人" in text and "79.1億元" in text  # numerals are converted too
    assert variant.meta["title"] == "四川公安交出一份羣衆滿意的2020成績單"
    changed = variant.meta["variant_changes"]["characters_changed"]
    assert changed == sum(a != b for a, b in zip(article.text, text, strict=True))
    if importlib.metadata.version("opencc") == "1.4.2":
        assert changed == 680
    questions = {q.id: q for q in article.gold["qa"]}
    for item in variant.gold["qa"]:
        assert item.question == questions[item.id].question  # questions stay as asked
    by_id = {q.id: q for q in variant.gold["qa"]}
    assert by_id["q02"].answers[0] == "李逢春 鍾曉璐"
    assert by_id["q48"].answers == ("否", "没有", "未发生")  # yes/no vocabulary is not converted
    assert all(q.answers == ("无法回答",) for q in variant.gold["qa"] if q.answer_type == "unanswerable")


@needs_opencc
def test_traditional_numerals_still_validate(article, tmp_path):
    """Numerals are converted too (2.3萬餘人) and the gold's values still follow from their surfaces."""
    from benchmark.variants import traditional

    variant = traditional(article)
    assert "2.3萬餘人" in variant.text and "79.1億元" in variant.text
    _, problems = load_document(write_variant(variant, tmp_path))
    assert problems == []


# ------------------------------------------------------------------------------------ fullwidth


def test_fullwidth_punctuation(article, variants):
    text = variants["fullwidth"].text
    assert len(text) == len(article.text)
    cjk = r"[\u4e00-\u9fff“”]"
    assert not re.search(f"{cjk}[,;:?!]|[,;:?!]{cjk}", text)
    assert text.count(",") == 0 and text.count(COMMA) == article.text.count(",") == 76
    assert text.count(";") == 0 and text.count(SEMICOLON) == 6
    assert f"华西都市报{HYPHEN}封面新闻记者" in text
    assert text.startswith("华西都市报 -A7 四川-\nA7四川")  # Latin and the page's dashes untouched
    for kept in ("98.78%", "99.59%", "2.3万", "79.1亿元", "30.28亿元", "7·02", "APP"):
        assert kept in text
    assert variants["fullwidth"].meta["variant_changes"]["characters_changed"] == 76 + 6 + 1


def test_fullwidth_text_rules():
    assert fullwidth_text("战,2018年") == f"战{COMMA}2018年"  # one Chinese neighbour is enough for a comma
    assert fullwidth_text("1,000,在") == f"1,000{COMMA}在"  # never inside a number
    assert fullwidth_text("报-封 报 -A7 98.78%") == f"报{HYPHEN}封 报 -A7 98.78%"
    assert fullwidth_text("报(记者)") == "报\uff08记者)"  # a bracket needs Chinese on both sides
    assert fullwidth_text("APP,A7") == "APP,A7"


# --------------------------------------------------------------------------------- no_furniture


def test_no_furniture_drops_exactly_the_furniture(article, variants):
    variant = variants["no_furniture"]
    assert len(article.text) - len(variant.text) == FURNITURE_CHARACTERS
    assert variant.text.startswith(
        "持续深化“一三五七”发展战略\n\n四川公安交出一份群众满意的2020成绩单\n\n  不平凡的2020年"
    )
    expected = {
        "ner": len(article.gold["ner"]) - len(FURNITURE_ENTITIES),  # 103 - 11
        "numeric": len(article.gold["numeric"]),  # no quantity on the masthead or byline
        "qa": len(article.gold["qa"]) - len(FURNITURE_QUESTIONS),  # 78 - 4
        "topics": len(article.gold["topics"]) - FURNITURE_UNITS,  # 27 - 8
    }
    assert {k: len(v) for k, v in variant.gold.items()} == expected == {
        "ner": 92, "numeric": 48, "qa": 74, "topics": 19}  # fmt: skip
    assert sorted(e.text for e in _only_furniture(article).gold["ner"]) == sorted(FURNITURE_ENTITIES)
    assert sorted(q.id for q in _only_furniture(article).gold["qa"]) == FURNITURE_QUESTIONS
    assert not {q.id for q in variant.gold["qa"]} & set(FURNITURE_QUESTIONS)
    assert {u.section for u in variant.gold["topics"]}.isdisjoint({"masthead", "byline"})
    assert variant.meta["variant_changes"]["records_dropped"] == {
        "ner": 11, "numeric": 0, "qa": 4, "topics": 8, "headings": 0}  # fmt: skip
    # headings shift by the 102 characters deleted before them
    assert [h.start for h in variant.headings] == [h.start - FURNITURE_CHARACTERS for h in article.headings]
    assert [h.text for h in variant.headings] == [h.text for h in article.headings]


def test_no_furniture_needs_the_topics_gold():
    with pytest.raises(ValueError, match=r"no gold of a task that tells .* furniture .*can: topics"):
        without_page_furniture(Document("d", "报头\n正文", {"id": "d"}))


# ------------------------------------------------------------------------------------- shuffled


def _body_lines(doc: Document) -> list[str]:
    return [doc.text[s:e] for s, e in doc.lines()]


def test_shuffled_keeps_the_lines_and_the_headings(article, variants):
    variant = variants["shuffled"]
    old, new = _body_lines(article), _body_lines(variant)
    assert sorted(new) == sorted(old) and new != old
    assert article.text.split("\n")[15] == variant.text.split("\n")[15] == "  "  # frame lines stay
    heading_rows = [
        i
        for i, (s, e) in enumerate(article.lines())
        if (s, e) in {(h.start, h.end) for h in article.headings}
    ]
    assert [new[i] for i in heading_rows] == [h.text for h in article.headings]
    assert [variant.text[h.start : h.end] for h in variant.headings] == [h.text for h in article.headings]
    assert variant.meta["variant_changes"]["units_moved"] == 27


def test_shuffled_is_deterministic_per_seed(article):
    assert shuffled_paragraphs(article, 0).text == shuffled_paragraphs(article, 0).text
    assert shuffled_paragraphs(article, 0).text != shuffled_paragraphs(article, 1).text
    assert make_variant(article, "shuffled", seed=5).text == shuffled_paragraphs(article, 5).text


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_shuffled_moves_every_record_with_its_line(article, seed):
    variant = shuffled_paragraphs(article, seed)
    assert _keys(variant) == _keys(article)
    assert sorted(_body_lines(variant)) == sorted(_body_lines(article))


# -------------------------------------------------------------------------------- generic parts


def test_map_span_rejects_a_split_span():
    with pytest.raises(ValueError, match="split"):
        map_span([0, 5, 6], 0, 2)


def test_remap_record_drops_a_span_on_deleted_text_and_maps_evidence(article):
    assert remap_record(Entity(0, 2, "四川", "GPE"), Edit("川", [None, 0]), get_task("ner")) is None
    question = next(q for q in article.gold["qa"] if q.id == "q05")
    index = [None] * 10 + list(range(len(article.text) - 10))
    moved = remap_record(question, Edit(article.text[10:], index), get_task("qa"))
    assert moved.evidence == ((82, 102),) and moved.answers == question.answers


def test_variants_chain_and_unknown_names(article, tmp_path):
    chained = make_variant(make_variant(article, "no_furniture"), "shuffled", seed=2)
    assert chained.id == f"{article.id}~no_furniture~shuffled"
    _, problems = load_document(write_variant(chained, tmp_path))
    assert [str(p) for p in problems] == []
    with pytest.raises(KeyError, match="unknown variant"):
        make_variant(article, "upside_down")


def test_headings_are_remapped_like_records():
    doc = Document("d", "报头\n标题\n正文", {"id": "d"}, headings=[Heading(3, 5, "标题")])
    assert fullwidth_punctuation(doc).headings == [Heading(3, 5, "标题")]


# ------------------------------------------------------------------------------------ the script


def _script():
    path = Path(__file__).resolve().parents[2] / "scripts" / "make_variants.py"
    spec = importlib.util.spec_from_file_location("make_variants", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_writes_and_validates(gold_copy, tmp_path, capsys):
    out = tmp_path / "out"
    args = [
        "--root",
        str(gold_copy.parent),
        "--out",
        str(out),
        "--variant",
        "fullwidth",
        "--variant",
        "shuffled",
    ]
    assert _script().main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        f"{gold_copy.name}~fullwidth",
        f"{gold_copy.name}~shuffled",
    ]
    assert capsys.readouterr().out.count(": ok;") == 2


def test_script_fails_on_invalid_gold(gold_copy, tmp_path):
    (gold_copy / "entities.jsonl").write_text('{"start": 0}\n', encoding="utf-8")
    assert _script().main(["--root", str(gold_copy.parent), "--out", str(tmp_path / "out")]) == 1


def test_script_fails_on_an_invalid_variant(gold_copy, tmp_path, monkeypatch, capsys):
    import benchmark.variants as variants_module

    script = _script()
    real = variants_module.make_variant

    def broken(doc, name, *, seed=0):
        variant = real(doc, name, seed=seed)
        variant.gold["ner"][0] = Entity(0, 2, "不对", "GPE")
        return variant

    monkeypatch.setattr(variants_module, "make_variant", broken)
    args = ["--root", str(gold_copy.parent), "--out", str(tmp_path / "out"), "--variant", "shuffled"]
    assert script.main(args) == 1
    assert "does not match" in capsys.readouterr().err
