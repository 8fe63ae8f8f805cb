"""``hf-generative`` with a tiny random Qwen2 built in the test (plumbing), and with canned
answers in place of generation (grounding and records exactly)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.adapters import InputDocument, get_adapter
from benchmark.adapters.llm_common import build_prompt
from benchmark.document import Document
from benchmark.runner import accept, ground
from benchmark.schema import Entity, NumericFact, Paragraph
from benchmark.tasks import get_task

pytest.importorskip("torch")
pytest.importorskip("transformers")


def load(model: Path | str, **options: object):
    adapter = get_adapter("hf-generative").from_config({"model": str(model), **options})
    adapter.load()
    return adapter


def test_random_model_plumbing_on_the_article(tiny_lm: Path, gold_doc: Document, article: InputDocument) -> None:
    adapter = load(tiny_lm, max_new_tokens=6, device="cpu")
    first = adapter.predict("topics", [article])[0]
    n = len(article.units)
    assert first.info["requests"] == n and first.info["request_failures"] == 0
    assert first.info["parse_failures"] == n  # a random model writes no JSON; each failure is counted
    assert first.info["counts"]["fallback_units"] == n and len(first.problems) == 2 * n
    assert first.info["prompt_sha256"] == build_prompt("topics").sha256
    assert len(first.info["per_request"]) == n and first.info["totals"]["completion_tokens"] > 0
    assert accept(get_task("topics"), gold_doc, first.records)  # exactly one valid record per unit
    second = adapter.predict("topics", [article])[0]
    assert second.records == first.records and second.problems == first.problems  # greedy: deterministic


def test_random_model_batched_ner(tiny_lm: Path, small_doc: InputDocument) -> None:
    one = load(tiny_lm, max_new_tokens=5, device="cpu").predict("ner", [small_doc, small_doc])
    batched = load(tiny_lm, max_new_tokens=5, batch_size=3, device="cpu").predict("ner", [small_doc])
    assert [p.doc_id for p in one] == ["small", "small"]
    for pred in (*one, *batched):
        assert pred.info["requests"] == 3
        assert pred.info["parse_failures"] + pred.info["counts"].get("invalid_items", 0) >= 0
        assert {m.label for m in pred.mentions} <= set(get_adapter("hf-generative").labels)
    assert one[0].mentions == one[1].mentions


def test_model_is_required_and_needs_a_chat_template(tmp_path: Path, tiny_lm: Path) -> None:
    with pytest.raises(ValueError, match="needs model="):
        load("")
    import shutil

    folder = tmp_path / "no-template"
    shutil.copytree(tiny_lm, folder)
    (folder / "chat_template.jinja").unlink(missing_ok=True)
    config = json.loads((folder / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="no chat template"):
        load(folder)


CANNED = {
    "市公安局通报": '[{"text": "市公安局", "label": "ORG"}]',
    "全市破获": '```json\n[{"text": "15起", "value": 15, "unit": "起", "qualifier": "exact", '
    '"metric": "破获盗窃案件"}, {"text": "5名", "value": 5, "unit": "名", "metric": "嫌疑人"}]\n```',
    "张明任局长": '[{"text": "张明", "label": "PER"}, {"text": "南江县", "label": "GPE"}]',
}


def canned_generate(conversations):
    out = []
    for messages in conversations:
        user = messages[-1]["content"]
        text = next((a for key, a in CANNED.items() if key in user), "[]")
        if "所在小标题" in user:
            text = '{"section": "lead", "topics": ["crime"]}' if "全市破获" in user else "不知道"
        out.append((text, {"prompt_tokens": 1, "completion_tokens": 1}))
    return out


def test_canned_answers_are_grounded_exactly(tiny_lm: Path, small_doc: InputDocument) -> None:
    adapter = load(tiny_lm, device="cpu")
    adapter._generate = canned_generate
    ner = adapter.predict("ner", [small_doc])[0]
    entities, grounding = ground(small_doc, ner)
    text = small_doc.text
    expected = [("市公安局", "ORG"), ("张明", "PER"), ("南江县", "GPE")]
    assert entities == [Entity(text.index(s), text.index(s) + len(s), s, label) for s, label in expected]
    assert grounding["ungrounded"] == 0 and ner.info["parse_failures"] == 0
    numeric = adapter.predict("numeric", [small_doc])[0]
    assert numeric.records == [
        NumericFact(15, 18, "15起", 15, "起", "exact", "破获盗窃案件", 9, 15),
        NumericFact(21, 23, "5名", 5, "名", "exact", "嫌疑人", 23, 26),
    ]
    topics = adapter.predict("topics", [small_doc])[0]
    (a, b), (c, d) = small_doc.units
    assert topics.records == [Paragraph(a, b, "lead", ("crime",)), Paragraph(c, d, "lead", ("overview",))]
    assert topics.info["parse_failures"] == 1 and topics.info["counts"]["fallback_units"] == 1
