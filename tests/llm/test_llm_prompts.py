"""The prompts: few-shot examples written for them (not taken from the article), consistent,
and recorded with their hash."""

from __future__ import annotations

import json

import pytest

from benchmark.adapters.base import InputDocument
from benchmark.adapters.llm_common import (
    LLMAdapter,
    build_prompt,
    build_requests,
    fewshot_sentences,
    prompt_file,
    prompts_digest,
)
from benchmark.document import Document
from benchmark.normalize import parse_quantity
from benchmark.tasks.ner import LABELS
from benchmark.tasks.topics import SECTIONS, TAXONOMY, TOPICS

FEWSHOT = json.loads(prompt_file("fewshot.json"))


def test_no_fewshot_sentence_is_taken_from_the_article(gold_doc: Document) -> None:
    sentences = fewshot_sentences()
    assert len(sentences) >= 9
    article = gold_doc.text
    for sentence in sentences:
        assert sentence not in article
        for part in filter(None, sentence.replace("，", "。").split("。")):
            assert part not in article, part
        shared = [sentence[i : i + 6] for i in range(len(sentence) - 5) if sentence[i : i + 6] in article]
        assert shared == [], f"{sentence!r} shares {shared} with the article"


def test_ner_examples_are_consistent() -> None:
    for ex in FEWSHOT["ner"]:
        for ent in ex["answer"]:
            assert ent["text"] in ex["text"]
            assert ent["label"] in LABELS


def test_numeric_examples_agree_with_the_normalizer() -> None:
    for ex in FEWSHOT["numeric"]:
        for fact in ex["answer"]:
            parsed = parse_quantity(fact["text"])
            assert (parsed.value, parsed.unit, parsed.qualifier) == (fact["value"], fact["unit"], fact["qualifier"])
            assert fact["text"] in ex["text"] and fact["metric"] in ex["text"]


def test_topic_examples_use_the_taxonomy() -> None:
    for ex in FEWSHOT["topics"]:
        assert ex["answer"]["section"] in SECTIONS
        assert set(ex["answer"]["topics"]) <= set(TOPICS)


@pytest.mark.parametrize("task", ["ner", "numeric", "topics"])
@pytest.mark.parametrize("unit", ["line", "document"])
def test_prompts_render_and_hash(task: str, unit: str) -> None:
    prompt = build_prompt(task, unit)
    assert "$" not in prompt.system
    assert len(prompt.sha256) == 64 and prompt.sha256 == build_prompt(task, unit).sha256
    info = prompt.info()
    assert info["prompt_sha256"] == prompt.sha256 and info["prompt_template"] == prompt.template_text
    if task == "topics":
        for topic in TOPICS:
            assert TAXONOMY[topic].definition_zh in prompt.system
        assert all(section in prompt.system for section in SECTIONS)
    if task == "ner":
        assert all(f"- {label}：" in prompt.system for label in LABELS)


def test_prompt_hashes_differ_by_task_and_unit() -> None:
    hashes = {build_prompt(t, u).sha256 for t in ("ner", "numeric", "topics") for u in ("line", "document")}
    assert len(hashes) == 4  # ner and numeric send the same prompt per line and per document


def test_adapter_version_follows_the_prompts() -> None:
    from benchmark.adapters import get_adapter

    for name in ("hf-generative", "openai"):
        cls = get_adapter(name)
        assert issubclass(cls, LLMAdapter)
        assert cls.version.endswith(prompts_digest()[:8])


def test_requests_per_line_unit_and_document(article: InputDocument) -> None:
    ner = build_requests(build_prompt("ner"), article, 0)
    assert [r.target for r in ner] == list(range(len(article.lines)))
    s, e = article.lines[5]
    assert article.text[s:e] in ner[5].messages[1]["content"]
    topics = build_requests(build_prompt("topics"), article, 0)
    assert len(topics) == len(article.units) == 27
    assert "坚持最高站位 / 高举旗帜铸警魂" in topics[17].messages[1]["content"]
    assert "全文第 18 段（共 27 段）" in topics[17].messages[1]["content"]
    whole = build_requests(build_prompt("topics", "document"), article, 3)
    assert len(whole) == 1 and whole[0].target == -1 and whole[0].doc_index == 3
    assert "[27] " in whole[0].messages[1]["content"] and "【小标题】链接" in whole[0].messages[1]["content"]
