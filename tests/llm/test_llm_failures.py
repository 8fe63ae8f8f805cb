"""Failures are failures: an unusable answer leaves its unit out (scored as wrong or missed, never
guessed), the run record carries the failure rates, and a task whose answers all fail is a failed
task. Also: qa through ``openai``, the completion style and ``system_role=no`` on the wire."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_fakes import FakeOpenAIServer, Reply, chat_body, user_text

from benchmark.adapters import InputDocument, get_adapter
from benchmark.document import Document
from benchmark.runner import ModelSpec, run_model
from benchmark.tasks import get_task

pytest.importorskip("httpx")
GARBAGE = "好的，我来分析一下这段话。"


def gold_answers(doc: Document, broken_units: set[int], broken_questions: set[str]):
    """A server that answers topics and qa with the gold, except for the broken units/questions."""
    units = {doc.text[p.start : p.end]: p for p in doc.gold["topics"]}
    questions = {q.question: q for q in doc.gold["qa"]}

    def handler(request: dict) -> Reply:
        text = user_text(request)
        if text.rsplit("问题：", 1)[-1] in questions:
            q = questions[text.rsplit("问题：", 1)[-1]]
            answer = GARBAGE if q.id in broken_questions else json.dumps({"answer": q.answers[0]}, ensure_ascii=False)
            return Reply(body=chat_body(answer))
        body = text.split("段落：\n", 1)[-1].split("\n\n只输出", 1)[0]
        unit = units[body]
        position = int(text.split("全文第 ", 1)[1].split(" ", 1)[0])
        if position in broken_units:
            return Reply(body=chat_body(GARBAGE))
        return Reply(body=chat_body(json.dumps({"section": unit.section, "topics": list(unit.topics)})))

    return handler


def run(server: FakeOpenAIServer, doc: Document, tasks: list[str], tmp_path: Path, **options: object):
    spec = ModelSpec("openai", {"base_url": server.url, "model": "m", "cache_dir": "", **options})
    return run_model(spec, [doc], tasks, results=tmp_path / "results", n_resamples=10)


def test_garbage_units_are_missing_counted_and_the_rest_scored(tmp_path: Path, gold_doc: Document) -> None:
    broken_units, broken_questions = {1, 2, 9, 20, 27}, {"q01", "q40", "q78"}
    with FakeOpenAIServer(gold_answers(gold_doc, broken_units, broken_questions)) as server:
        summary = run(server, gold_doc, ["topics", "qa"], tmp_path)
    assert summary.status == "ok", summary.message
    n_units, n_questions = len(gold_doc.gold["topics"]), len(gold_doc.gold["qa"])
    # the failed units are absent from the predictions, not filled with a default
    topics = summary.outcomes["topics"].predictions[gold_doc.id]
    assert len(topics) == n_units - len(broken_units)
    qa = summary.outcomes["qa"].predictions[gold_doc.id]
    assert sorted(q.id for q in qa) == sorted(q.id for q in gold_doc.gold["qa"] if q.id not in broken_questions)
    # a missing unit scores as wrong (section) and missed (every gold topic); the rest are right
    headline = summary.scores["topics"]["headline"]
    assert headline["section_accuracy"]["estimate"] == (n_units - len(broken_units)) / n_units
    units = sorted(gold_doc.gold["topics"], key=lambda u: u.start)
    missed = sum(len(units[i - 1].topics) for i in broken_units)
    total = sum(len(u.topics) for u in units)
    assert headline["topics_micro_f1"]["estimate"] == pytest.approx(2 * (total - missed) / (2 * total - missed))
    assert summary.scores["qa"]["headline"]["accuracy"]["estimate"] == (n_questions - 3) / n_questions
    # the run record carries the failure rates (errors.json: TASK.info.DOC.llm)
    errors = json.loads((summary.run_path / "errors.json").read_text(encoding="utf-8"))
    llm = errors["topics"]["info"][gold_doc.id]["llm"]
    assert llm["requests"] == n_units and llm["parse_failures"] == len(broken_units)
    assert llm["parse_failure_rate"] == pytest.approx(len(broken_units) / n_units, abs=1e-6)
    assert llm["units_answered"] == n_units - 5 and llm["grounding_failures"] == 0
    assert errors["qa"]["info"][gold_doc.id]["llm"]["parse_failure_rate"] == pytest.approx(3 / n_questions, abs=1e-6)
    from benchmark.adapters.llm_adapter import combine_summaries

    assert combine_summaries(errors["qa"]["info"])["parse_failures"] == 3
    assert any(p.startswith(f"{gold_doc.id}: unit 0: unparseable answer") for p in errors["topics"]["problems"])
    assert get_task("topics").check(gold_doc, topics, file="x", gold=False) == []


def test_all_garbage_is_a_failed_task_not_a_zero(tmp_path: Path, gold_doc: Document) -> None:
    with FakeOpenAIServer(lambda request: Reply(body=chat_body(GARBAGE))) as server:
        summary = run(server, gold_doc, ["numeric", "topics"], tmp_path)
    assert summary.status == "failed"
    for task in ("numeric", "topics"):
        outcome = summary.outcomes[task]
        assert outcome.status == "failed" and "every answer failed to parse" in outcome.exception
        assert task not in summary.scores
    errors = json.loads((summary.run_path / "errors.json").read_text(encoding="utf-8"))
    assert errors["topics"]["status"] == "failed"
    assert "every answer failed to parse: 27 of 27 unusable" in errors["topics"]["exception"]


def adapter_for(url: str, **options: object):
    adapter = get_adapter("openai").from_config({"base_url": url, "model": "m", "cache_dir": "", **options})
    adapter.load()
    return adapter


def test_completion_style_goes_to_the_completions_endpoint(small_doc: InputDocument) -> None:
    def handler(request: dict) -> Reply:
        answer = '[{"text": "张明", "label": "PER"}]' if "张明" in user_text(request) else "[]"
        return Reply(body=chat_body(answer))

    with FakeOpenAIServer(handler) as server:
        pred = adapter_for(server.url, prompt="completion").predict("ner", [small_doc])[0]
    assert set(server.paths) == {"/v1/completions"} and len(server.requests) == 3
    # Requests go out concurrently: pick the one for the unit that names 张明, not the third to arrive.
    (sent,) = [r for r in server.requests if r["prompt"].endswith("张明任局长以来，南江县治安平稳。\n\n请按要求输出 JSON 数组。\n输出：\n")]
    assert "messages" not in sent and sent["stop"] == ["\n\n"] and sent["max_tokens"] == 1024
    assert sent["prompt"].startswith(get_task("ner").llm_prompt(style="completion").system)
    assert [(m.line_index, m.text) for m in pred.mentions] == [(2, "张明")]
    assert pred.info["style"] == "completion" and pred.info["prompt_template"].endswith("输出：\n")


def test_system_role_no_puts_the_instructions_in_the_user_turn(small_doc: InputDocument) -> None:
    with FakeOpenAIServer(lambda request: Reply(body=chat_body("[]"))) as server:
        adapter_for(server.url, system_role="no").predict("ner", [small_doc])
        adapter_for(server.url).predict("ner", [small_doc])
    system = get_task("ner").llm_prompt().system
    merged, plain = server.requests[0]["messages"], server.requests[3]["messages"]
    assert [m["role"] for m in merged] == ["user"] and merged[0]["content"].startswith(f"{system}\n\n文本：")
    assert [m["role"] for m in plain] == ["system", "user"] and plain[0]["content"] == system
