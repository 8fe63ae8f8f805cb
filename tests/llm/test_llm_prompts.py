"""The tasks' prompts: few-shot examples written for them (not taken from the article),
consistent, in both styles (chat, completion), recorded with their hash; every LLM adapter
serves every task that has a prompt."""

from __future__ import annotations

import json

import pytest

from benchmark.adapters.base import InputDocument
from benchmark.adapters.llm_adapter import LLMAdapter
from benchmark.document import Document
from benchmark.normalize import parse_quantity
from benchmark.tasks import TASKS, get_task
from benchmark.tasks.llm import prompt_file, prompts_digest
from benchmark.tasks.ner import LABELS
from benchmark.tasks.topics import SECTIONS, TAXONOMY, TOPICS

FEWSHOT = json.loads(prompt_file("fewshot.json"))
LLM_TASKS = [key for key in TASKS.names() if get_task(key).has_llm_prompt]


def build_prompt(task: str, unit: str = "line", style: str = "chat"):
    return get_task(task).llm_prompt(unit=unit, style=style)


def test_every_builtin_task_has_a_prompt_and_llm_adapters_serve_them() -> None:
    from benchmark.adapters import get_adapter

    assert set(LLM_TASKS) >= {"ner", "numeric", "topics", "qa"}
    for name in ("hf-generative", "openai"):
        assert get_adapter(name).tasks == tuple(LLM_TASKS)


def test_no_fewshot_sentence_is_taken_from_the_article(gold_doc: Document) -> None:
    sentences = [ex["text"] for task in LLM_TASKS for ex in FEWSHOT[task]]
    sentences += [ex["question"] for ex in FEWSHOT["qa"]]
    assert len(sentences) >= 14
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


def test_qa_examples_answer_from_their_text() -> None:
    for ex in FEWSHOT["qa"]:
        answer = ex["answer"]["answer"]
        assert answer in ex["text"] or answer in ("是", "否", "无法回答")


def test_topic_examples_use_the_taxonomy() -> None:
    for ex in FEWSHOT["topics"]:
        assert ex["answer"]["section"] in SECTIONS
        assert set(ex["answer"]["topics"]) <= set(TOPICS)


@pytest.mark.parametrize("task", ["ner", "numeric", "topics", "qa"])
@pytest.mark.parametrize("unit", ["line", "document"])
@pytest.mark.parametrize("style", ["chat", "completion"])
def test_prompts_render_and_hash(task: str, unit: str, style: str) -> None:
    prompt = build_prompt(task, unit, style)
    assert "$" not in prompt.system
    assert len(prompt.sha256) == 64 and prompt.sha256 == build_prompt(task, unit, style).sha256
    assert prompt.template_text.startswith("[system]" if style == "chat" else prompt.system)
    info = prompt.info()
    assert info["prompt_sha256"] == prompt.sha256 and info["prompt_template"] == prompt.template_text
    if task == "topics":
        for topic in TOPICS:
            assert TAXONOMY[topic].definition_zh in prompt.system
        assert all(section in prompt.system for section in SECTIONS)
    if task == "ner":
        assert all(f"- {label}：" in prompt.system for label in LABELS)


def test_prompt_hashes_differ_by_task_unit_and_style() -> None:
    hashes = {build_prompt(t, u, s).sha256 for t in LLM_TASKS for u in ("line", "document") for s in ("chat", "completion")}
    # ner, numeric and qa send the same prompt per line and per document
    assert len(hashes) == 2 * (len(LLM_TASKS) + 1)


def test_a_task_without_a_prompt_says_so() -> None:
    from benchmark.tasks.base import Task

    class Bare(Task):
        key, name = "bare", "bare.v1"

        def details(self, doc, pred, ctx):
            return {}

        def unit_stats(self, doc, pred, ctx):
            return {}

        def check(self, doc, records, *, file, gold=True):
            return []

    assert not Bare().has_llm_prompt
    with pytest.raises(ValueError, match="task bare has no LLM prompt"):
        Bare().llm_requests(None)


def test_completion_requests_continue_the_examples(article: InputDocument) -> None:
    for task in LLM_TASKS:
        [first, *_] = get_task(task).llm_requests(article, style="completion")
        examples = len(FEWSHOT[task]) if task != "topics" else 3
        assert first.messages is None and first.stop == ("\n\n",)
        assert first.prompt.startswith(build_prompt(task).system)
        assert first.prompt.endswith("输出：\n") and f"示例 {examples + 1}\n输入：\n" in first.prompt


def test_adapter_version_follows_the_prompts() -> None:
    from benchmark.adapters import get_adapter

    for name in ("hf-generative", "openai"):
        cls = get_adapter(name)
        assert issubclass(cls, LLMAdapter)
        assert cls.version.endswith(prompts_digest()[:8])


def test_requests_per_line_unit_question_and_document(article: InputDocument) -> None:
    ner = get_task("ner").llm_requests(article)
    assert [r.target for r in ner] == list(range(len(article.lines)))
    s, e = article.lines[5]
    assert article.text[s:e] in ner[5].messages[1]["content"] and ner[5].where == "line 5"
    topics = get_task("topics").llm_requests(article)
    assert len(topics) == len(article.units) == 27
    assert "坚持最高站位 / 高举旗帜铸警魂" in topics[17].messages[1]["content"]
    assert "全文第 18 段（共 27 段）" in topics[17].messages[1]["content"]
    whole = get_task("topics").llm_requests(article, unit="document")
    assert len(whole) == 1 and whole[0].target == -1
    assert "[27] " in whole[0].messages[1]["content"] and "【小标题】链接" in whole[0].messages[1]["content"]
    qa = get_task("qa").llm_requests(article)
    questions = article.task_inputs["qa"]
    assert [r.target for r in qa] == list(range(len(questions))) and qa[6].where == f"question {questions[6]['id']}"
    assert qa[6].messages[1]["content"].endswith(f"问题：{questions[6]['question']}")
    assert article.text.strip() in qa[6].messages[1]["content"]
