"""The ``hf-ner`` adapter end to end on tiny models saved to tmp_path and loaded by path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MSRA_LABELS, ROOT

from benchmark.adapters import InputDocument, get_adapter
from benchmark.adapters.hf_token_classification import (
    HfTokenClassificationAdapter,
    merge_windows,
    to_ascii,
    window_starts,
)
from benchmark.adapters.options import OptionError
from benchmark.document import Document
from benchmark.schema import Entity
from benchmark.tasks import get_task
from benchmark.validate import surface_problems


def make_doc(text: str, doc_id: str = "t") -> tuple[Document, InputDocument]:
    doc = Document(id=doc_id, text=text, meta={})
    return doc, InputDocument(doc_id, text, (), tuple(doc.lines()))


def run(model: Path, text: str, **options: object) -> tuple[list[Entity], object]:
    adapter = get_adapter("hf-ner").from_config({"model": str(model), **options})
    adapter.load()
    doc, inp = make_doc(text)
    [pred] = adapter.predict("ner", [inp])
    assert_valid(doc, pred.records)
    return pred.records, pred


def assert_valid(doc: Document, records: list[Entity]) -> None:
    assert surface_problems(doc.text, records, file="x") == []
    assert get_task("ner").check(doc, records, file="x", gold=False) == []
    assert records == sorted(records, key=lambda e: (e.start, e.end))


def triples(records: list[Entity]) -> list[tuple[str, str]]:
    return [(e.text, e.label) for e in records]


# -- contract and options ---------------------------------------------------------------------


def test_registered_and_declared() -> None:
    cls = get_adapter("hf-ner")
    assert cls is HfTokenClassificationAdapter
    assert cls.tasks == ("ner",)
    assert cls.offline is False
    assert cls.requires == ("torch", "transformers")


def test_import_stays_light() -> None:
    code = "import sys, benchmark.adapters; sys.exit(int('torch' in sys.modules or 'transformers' in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_labels_from_named_map() -> None:
    adapter = get_adapter("hf-ner").from_config({"model": "x", "label_map": "ontonotes4"})
    assert adapter.labels == ("PER", "ORG", "GPE", "LOC")
    assert adapter.merged_labels == ()
    msra = get_adapter("hf-ner").from_config({"model": "x", "label_map": "msra"})
    assert msra.merged_labels == (("GPE", "LOC"),)


def test_missing_model_is_a_clear_error() -> None:
    adapter = get_adapter("hf-ner").from_config({})
    with pytest.raises(OptionError, match="option 'model' is required"):
        adapter.load()


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"label_map": "conll"}, "unknown map 'conll'"),
        ({"scheme": "IO"}, "not one of"),
        ({"batch_size": "0"}, "batch_size"),
        ({"device": "tpu"}, "not one of"),
        ({"stride": "-1"}, "stride"),
    ],
)
def test_bad_options(raw: dict[str, str], match: str) -> None:
    with pytest.raises(OptionError, match=match):
        get_adapter("hf-ner").from_config({"model": "x", **raw})


def test_half_precision_needs_gpu(msra_like: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    adapter = get_adapter("hf-ner").from_config({"model": str(msra_like), "dtype": "float16"})
    with pytest.raises(OptionError, match="needs a GPU"):
        adapter.load()
    cuda = get_adapter("hf-ner").from_config({"model": str(msra_like), "device": "cuda"})
    with pytest.raises(OptionError, match="no GPU"):
        cuda.load()


# -- decoding through a char-level model ------------------------------------------------------


def test_char_model_spans(msra_like: Path) -> None:
    text = "标题 张三\n\n  张三在北京工作，李和四川省公安厅。\n"
    records, pred = run(msra_like, text)
    assert triples(records) == [("张三", "PER"), ("张三", "PER"), ("北京", "GPE"), ("李", "PER"),
                                ("四川省", "GPE"), ("公安厅", "ORG")]  # fmt: skip
    assert records[2] == Entity(text.index("北京"), text.index("北京") + 2, "北京", "GPE")
    assert pred.problems == []
    assert pred.info["label_map"] == "msra"
    assert pred.info["scheme"] == "BMES"


def test_auto_labels_after_load(msra_like: Path) -> None:
    adapter = get_adapter("hf-ner").from_config({"model": str(msra_like)})
    assert "LOC" in adapter.labels  # before load: the class-level union
    adapter.load()
    assert adapter.labels == ("PER", "ORG", "GPE")
    assert adapter.merged_labels == (("GPE", "LOC"),)


def test_ill_formed_sequences_dropped(msra_like: Path) -> None:
    # 张 alone is B-PER without E-PER; 三 alone is E-PER without B-; 四川 lacks its E-LOC.
    records, _ = run(msra_like, "张在三，四川在北京")
    assert triples(records) == [("北京", "GPE")]


def test_forced_bio_scheme_drops_bmes_only_spans(msra_like: Path) -> None:
    # Decoded as BIO, E-/M-/S- tags are ill-formed: 张三 (B E) -> 张, 李 (S) -> nothing.
    records, pred = run(msra_like, "张三和李", scheme="BIO")
    assert triples(records) == [("张", "PER")]
    assert pred.info["scheme"] == "BIO"


def test_fullwidth_mapping_keeps_offsets(msra_like: Path) -> None:
    text = "在ＡＢＣ和ABC，１２"
    records, _ = run(msra_like, text)
    assert triples(records) == [("ＡＢＣ", "ORG"), ("ABC", "ORG")]
    assert records[0].start == 1 and records[0].end == 4
    plain, _ = run(msra_like, text, fullwidth_to_ascii="false")
    assert triples(plain) == [("ABC", "ORG")]
    assert to_ascii("０９ＡＺａｚ") == "09AZaz" and len(to_ascii("ｘ１")) == 2


def test_batch_size_and_documents(msra_like: Path) -> None:
    texts = ["张三在北京。\n李", "四川省公安厅\n\n北京", "无"]
    docs = [make_doc(t, f"d{i}") for i, t in enumerate(texts)]
    outputs = []
    for batch_size in ("1", "16"):
        adapter = get_adapter("hf-ner").from_config({"model": str(msra_like), "batch_size": batch_size})
        adapter.load()
        preds = adapter.predict("ner", [inp for _, inp in docs])
        assert [p.doc_id for p in preds] == ["d0", "d1", "d2"]
        for (doc, _), p in zip(docs, preds, strict=True):
            assert_valid(doc, p.records)
        outputs.append([p.records for p in preds])
    assert outputs[0] == outputs[1]
    assert triples(outputs[0][1]) == [("四川省", "GPE"), ("公安厅", "ORG"), ("北京", "GPE")]
    assert outputs[0][2] == []


# -- windows ----------------------------------------------------------------------------------


def test_long_line_windows_equal_one_pass(msra_like: Path) -> None:
    line = "张三在北京工作，李和四川省公安厅。" * 20  # 340 characters on one line
    text = "标题\n" + line + "\n"
    whole, whole_pred = run(msra_like, text)
    assert whole_pred.info["windows"] == 2  # the title and one window for the line (512 positions)
    for max_length, stride in (("16", "4"), ("16", "0"), ("23", "7"), ("64", "32")):
        windowed, pred = run(msra_like, text, max_length=max_length, stride=stride)
        assert pred.info["windows"] > 2
        assert windowed == whole, (max_length, stride)
    assert len(whole) == 20 * 5


def test_window_entity_across_boundary(msra_like: Path) -> None:
    # With 8 tokens per window (6 content), stride 2: 四川省 straddles the first window edge.
    text = "在在在在四川省在在北京"
    windowed, _ = run(msra_like, text, max_length="8", stride="2")
    assert triples(windowed) == [("四川省", "GPE"), ("北京", "GPE")]


def test_merge_windows_prefers_centre() -> None:
    # Two windows of 6 over 10 tokens: token 4 is at depth min(4, 1) = 1 in the first window
    # and 0 in the second -> first; token 5 is at depth 0 in the first, 1 in the second -> second.
    assert merge_windows([(0, list("aaaaaa")), (4, list("bbbbbb"))]) == list("aaaaabbbbb")
    # Token 5: depth 2 vs 0 -> first; token 6: depth 1 in both -> the earlier window; token 7: 0 vs 2.
    merged = merge_windows([(0, list("abcdefgh")), (5, list("ABCDEFGH"))])
    assert merged == list("abcdefgCDEFGH")
    assert merge_windows([(0, [1, 2, 3])]) == [1, 2, 3]
    assert merge_windows([]) == []
    with pytest.raises(ValueError, match="gap"):
        merge_windows([(0, [1]), (2, [3])])


def test_merge_windows_with_synthetic_logits() -> None:
    """Window predictions that are wrong near their edges merge to the right sequence."""
    import random

    rng = random.Random(1)
    truth = [rng.randrange(5) for _ in range(100)]
    size, stride = 20, 8
    windows = []
    start = 0
    while True:
        preds = list(truth[start : start + size])
        n = len(preds)
        for i in range(n):  # corrupt every token within 2 of an inner window edge
            if (i < 2 and start > 0) or (i >= n - 2 and start + n < len(truth)):
                preds[i] = -1
        windows.append((start, preds))
        if start + n >= len(truth):
            break
        start += size - stride
    assert merge_windows(windows) == truth


def test_window_starts_alignment() -> None:
    offs = [[(i, i + 1) for i in range(0, 6)], [(i, i + 1) for i in range(4, 10)], [(i, i + 1) for i in range(8, 12)]]
    assert window_starts(offs, 2) == [0, 4, 8]
    assert window_starts([[(0, 2), (2, 4)], [(9, 10)]], 0) == [0, 2]  # no overlap found: by length


# -- word-piece tokenizer ---------------------------------------------------------------------

ONTO_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-GPE", "I-GPE", "B-LOC", "I-LOC"]


def test_wordpiece_model_spans(make_model) -> None:
    folder = make_model(
        "wp",
        labels=ONTO_LABELS,
        token_tags={
            "四川": "B-GPE",
            "##省": "I-GPE",
            "公安": "B-ORG",
            "##厅": "I-ORG",
            "john": "B-PER",
            "##son": "I-PER",
            "smith": "I-PER",
            "长江": "B-LOC",
        },
        tokenizer_kind="wordpiece",
        extra_vocab=["works", "at", "in", "和", "##和", "the"],
    )
    text = "Johnson Smith works at 四川省 公安厅\n长江和 the 四川"
    records, pred = run(folder, text)
    assert triples(records) == [("Johnson Smith", "PER"), ("四川省", "GPE"), ("公安厅", "ORG"),
                                ("长江", "LOC"), ("四川", "GPE")]  # fmt: skip
    assert pred.info["label_map"] == "ontonotes4" and pred.info["scheme"] == "BIO"
    # a window boundary inside a multi-piece word
    windowed, _ = run(folder, text, max_length="5", stride="1")
    assert windowed == records


def test_wordpiece_span_starting_mid_word(make_model) -> None:
    folder = make_model(
        "wp2",
        labels=ONTO_LABELS,
        token_tags={"##son": "B-PER"},
        tokenizer_kind="wordpiece",
        extra_vocab=["john"],
    )
    records, _ = run(folder, "Johnson")
    assert records == [Entity(4, 7, "son", "PER")]


# -- unsupported and unknown native labels ----------------------------------------------------

CLUENER_LABELS = ["O", *(f"{p}-{t}" for t in ("name", "book", "address") for p in "BIES")]


def test_unsupported_dropped_silently_unknown_reported(make_model) -> None:
    folder = make_model(
        "cluener",
        labels=CLUENER_LABELS,
        token_tags={"张": "B-name", "三": "E-name", "红": "B-book", "楼": "E-book", "京": "S-address"},
        extra_vocab=list("读和"),
    )
    records, pred = run(folder, "张三读红楼和京")
    assert triples(records) == [("张三", "PER"), ("京", "GPE")]
    assert pred.problems == []
    assert pred.info["dropped_unsupported"] == {"book": 1}
    records, pred = run(folder, "张三读红楼和京", label_map="msra")
    assert records == []
    assert len(pred.problems) == 3 and all("unknown to label map 'msra'" in p for p in pred.problems)


def test_labels_without_a_map_are_an_option_error(make_model) -> None:
    folder = make_model("odd", labels=["O", "B-DISEASE", "I-DISEASE"], token_tags={"病": "B-DISEASE"})
    adapter = get_adapter("hf-ner").from_config({"model": str(folder)})
    with pytest.raises(OptionError, match="label_map"):
        adapter.load()


# -- random weights on the article ------------------------------------------------------------


def test_random_model_on_article_is_valid(make_model, article, train_script) -> None:
    chars = sorted({c for c in article.text if not c.isspace()})
    folder = make_model("random", labels=MSRA_LABELS, token_tags={}, extra_vocab=chars, random=True,
                        max_positions=64)  # fmt: skip
    adapter = get_adapter("hf-ner").from_config({"model": str(folder), "stride": "16"})
    adapter.load()
    [pred] = adapter.predict("ner", [InputDocument.from_document(article)])
    assert_valid(article, pred.records)
    assert {e.label for e in pred.records} <= set(adapter.labels)
    assert pred.info["windows"] > len(article.lines())  # some lines are longer than 64 tokens
    assert pred.problems == []


def test_windows_cover_every_character_of_a_long_line(msra_like):
    """Regression: some transformers/tokenizers versions return only the first overflow window;
    the adapter cuts windows itself, so a long line is covered to its last character."""
    from benchmark.adapters.hf_token_classification import token_window_starts

    adapter = get_adapter("hf-ner").from_config({"model": str(msra_like), "max_length": 16, "stride": 4})
    adapter.load()
    line = "四川省公安厅召开新闻发布会" * 23  # 299 characters, about 22 windows of 14 tokens
    windows = adapter._windows([line])
    covered = sorted({i for w in windows for a, b in w.offsets for i in range(a, b)})
    assert covered == list(range(len(line)))
    assert len(windows) == len(token_window_starts(len(line), 14, 4))
    assert all(len(w.input_ids) <= 16 for w in windows)
