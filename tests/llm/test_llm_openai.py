"""``openai`` against a scripted local server: canned answers, retries, backoff, timeouts,
bad bodies, the cache, and the API key kept out of every file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_fakes import FakeOpenAIServer, Reply, Script, canned, chat_body, user_text

from benchmark.adapters import InputDocument, get_adapter
from benchmark.adapters import openai_compatible as oc
from benchmark.document import Document
from benchmark.runner import ModelSpec, ground, run_model
from benchmark.schema import Entity, NumericFact

pytest.importorskip("httpx")

FACTS = json.dumps([{"text": "15起", "value": 15, "unit": "起", "qualifier": "exact", "metric": "破获盗窃案件"}],
                   ensure_ascii=False)  # fmt: skip
ANSWERS = {
    "市公安局通报": '[{"text": "市公安局", "label": "ORG"}]',
    "全市破获": '好的：\n```json\n[{"text": "盗窃案件", "label": "EVENT"},]\n```',
    "张明任局长": '[{“text”：“南江县”，“label”：“GPE”}]',
}


@pytest.fixture()
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff waits are recorded instead of slept."""
    recorded: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(oc, "backoff_sleep", fake_sleep)
    return recorded


def adapter_for(url: str, tmp_path: Path, **options: object):
    raw = {"base_url": url, "model": "fake-model", "cache_dir": str(tmp_path / "cache"), **options}
    adapter = get_adapter("openai").from_config(raw)
    adapter.load()
    return adapter


def test_canned_answers_grounded_with_usage(tmp_path: Path, small_doc: InputDocument) -> None:
    with FakeOpenAIServer(canned(ANSWERS)) as server:
        pred = adapter_for(server.url, tmp_path).predict("ner", [small_doc])[0]
        with pytest.raises(RuntimeError, match="every answer failed to parse: 3 of 3 unusable"):
            adapter_for(server.url, tmp_path).predict("numeric", [small_doc])  # ner JSON: no valid fact
    entities, _ = ground(small_doc, pred)
    text = small_doc.text
    assert [(e.text, e.label) for e in entities] == [("市公安局", "ORG"), ("盗窃案件", "EVENT"), ("南江县", "GPE")]
    assert all(e == Entity(text.index(e.text), text.index(e.text) + len(e.text), e.text, e.label) for e in entities)
    assert pred.info["llm"]["parse_failures"] == 0 and pred.info["totals"]["prompt_tokens"] == 33
    assert [m["completion_tokens"] for m in pred.info["per_request"]] == [7, 7, 7]
    assert all(m["latency_s"] > 0 and m["attempts"] == 1 for m in pred.info["per_request"])
    request = server.requests[0]
    assert request["model"] == "fake-model" and request["temperature"] == 0.0 and request["max_tokens"] == 1024
    assert [m["role"] for m in request["messages"]] == ["system", "user"]


def test_429_and_500_are_retried_with_backoff(tmp_path: Path, small_doc: InputDocument, delays: list[float]) -> None:
    script = Script(
        [Reply(429, {"error": "slow down"}, headers={"Retry-After": "0.05"}), Reply(500, "oops"), Reply(503, "")],
        then=canned(ANSWERS),
    )
    with FakeOpenAIServer(script) as server:
        pred = adapter_for(server.url, tmp_path, concurrency=1).predict("ner", [small_doc])[0]
    assert len(server.requests) == 3 + 3  # three failures, then the three lines
    assert delays[0] == 0.05  # Retry-After respected
    # exponential backoff with jitter: attempt k waits in [d/2, d] for d = 0.5 * 2**k
    assert 0.5 <= delays[1] <= 1.0 and 1.0 <= delays[2] <= 2.0
    assert pred.info["llm"]["request_failures"] == 0 and pred.info["totals"]["retries"] == 3
    assert [m["attempts"] for m in pred.info["per_request"]] == [4, 1, 1]


def test_retries_are_bounded(tmp_path: Path, small_doc: InputDocument, delays: list[float]) -> None:
    error = "all 3 requests failed; first error: line 0: request failed: HTTP 500"
    with FakeOpenAIServer(Script(then=lambda r: Reply(500, "down"))) as server, pytest.raises(RuntimeError, match=error):
        adapter_for(server.url, tmp_path, max_retries=2).predict("ner", [small_doc])
    assert len(server.requests) == 3 * 3 and len(delays) == 3 * 2


def test_timeout_is_retried(tmp_path: Path, small_doc: InputDocument, delays: list[float]) -> None:
    with FakeOpenAIServer(Script([Reply(body=chat_body("[]"), delay=1.0)], then=canned(ANSWERS))) as server:
        pred = adapter_for(server.url, tmp_path, concurrency=1, timeout=0.2).predict("ner", [small_doc])[0]
    assert len(server.requests) == 4 and len(delays) == 1
    assert pred.info["llm"]["request_failures"] == 0 and pred.info["per_request"][0]["attempts"] == 2


def test_every_request_failing_fails_the_task(
    tmp_path: Path, small_doc: InputDocument, delays: list[float]
) -> None:
    def handler(request: dict) -> Reply:
        text = user_text(request)
        if "市公安局通报" in text:
            return Reply(200, "{not json")
        if "全市破获" in text:
            return Reply(200, {"choices": [], "usage": {}})
        return Reply(401, {"error": {"message": "bad key"}})

    with FakeOpenAIServer(handler) as server:
        adapter = adapter_for(server.url, tmp_path)
        with pytest.raises(RuntimeError, match="all 6 requests failed; first error: line 0: request failed: malformed JSON body"):
            adapter.predict("ner", [small_doc, small_doc])
        completions = adapter.client.complete_all([[{"role": "user", "content": "张明任局长"}]])
    assert len(server.requests) == 7 and delays == []  # none of these is retried
    assert completions[0].error == 'HTTP 401: {"error": {"message": "bad key"}}'
    assert completions[0].meta["status"] == 401 and completions[0].meta["attempts"] == 1


def test_some_failures_are_counted(tmp_path: Path, small_doc: InputDocument, delays: list[float]) -> None:
    def handler(request: dict) -> Reply:
        text = user_text(request)
        if "市公安局通报" in text:
            return Reply(200, "{not json")
        if "全市破获" in text:
            return Reply(200, {"choices": [], "usage": {}})
        return Reply(body=chat_body(ANSWERS["张明任局长"]))

    with FakeOpenAIServer(handler) as server:
        pred = adapter_for(server.url, tmp_path).predict("ner", [small_doc])[0]
    assert len(server.requests) == 3 and delays == []
    assert pred.info["llm"]["request_failures"] == 2 and pred.info["totals"]["failed"] == 2
    assert pred.info["llm"]["units_answered"] == 1 and pred.info["llm"]["parse_failure_rate"] == 0.0
    assert pred.problems[0].startswith("line 0: request failed: malformed JSON body")
    assert pred.problems[1] == "line 1: request failed: response has no choices"
    assert [m.text for m in pred.mentions] == ["南江县"]


def test_cache_makes_a_rerun_free_and_resumes(tmp_path: Path, small_doc: InputDocument, delays: list[float]) -> None:
    flaky = {"fail": True}

    def handler(request: dict) -> Reply:
        if flaky["fail"] and "张明任局长" in user_text(request):
            return Reply(400, "no")
        return canned(ANSWERS)(request)

    with FakeOpenAIServer(handler) as server:
        first = adapter_for(server.url, tmp_path).predict("ner", [small_doc])[0]
        assert len(server.requests) == 3 and first.info["llm"]["request_failures"] == 1
        flaky["fail"] = False
        resumed = adapter_for(server.url, tmp_path).predict("ner", [small_doc])[0]  # only the failed one again
        assert len(server.requests) == 4 and resumed.info["totals"]["cached"] == 2
        again = adapter_for(server.url, tmp_path, api_key_env="SOME_OTHER_KEY").predict("ner", [small_doc])[0]
        assert len(server.requests) == 4  # zero requests: the key is not part of the cache key
        other = adapter_for(server.url, tmp_path, max_tokens=99).predict("ner", [small_doc])[0]
        assert len(server.requests) == 7  # a sampling parameter is
    assert again.mentions == resumed.mentions and again.info["totals"]["cached"] == 3
    assert again.info["per_request"][0]["completion_tokens"] == 7  # usage kept in the cache
    assert other.info["totals"]["cached"] == 0
    files = list((tmp_path / "cache").rglob("*"))
    assert len([f for f in files if f.suffix == ".json"]) == 6 and not [f for f in files if ".tmp" in f.name]


def article_answers(request: dict) -> Reply:
    system, text = request["messages"][0]["content"], user_text(request)
    if "阅读理解" in system:
        return Reply(body=chat_body('{"answer": "无法回答"}'))
    if "版块" in system:
        return Reply(body=chat_body('{"section": "lead", "topics": ["overview"]}'))
    if "命名实体" in system:
        return Reply(body=chat_body('[{"text": "四川", "label": "GPE"}]' if "四川" in text else "[]"))
    if "98.78%" in text:
        return Reply(body=chat_body('[{"text": "98.78%", "value": 98.78, "unit": "%", "metric": "破案率"}]'))
    return Reply(body=chat_body("[]"))


def test_run_model_records_and_the_key_stays_secret(
    tmp_path: Path, gold_doc: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-test-0d5be1f7c2a94e36"
    monkeypatch.setenv("BENCH_LLM_TEST_KEY", secret)
    options = {"model": "m", "api_key_env": "BENCH_LLM_TEST_KEY", "cache_dir": str(tmp_path / "cache")}
    with FakeOpenAIServer(article_answers) as server:
        spec = ModelSpec("openai", {"base_url": server.url, **options})
        tasks = ["ner", "numeric", "topics", "qa"]
        summary = run_model(spec, [gold_doc], tasks, results=tmp_path / "results", n_resamples=10)
        n = len(server.requests)
        rerun = run_model(spec, [gold_doc], tasks, results=tmp_path / "results", n_resamples=10, force=True)
        assert len(server.requests) == n  # the re-run is served from the cache
    assert summary.status == "ok" and rerun.status == "ok", summary.message
    assert n == 2 * len(gold_doc.lines()) + 27 + len(gold_doc.gold["qa"])
    assert {h.get("Authorization") or h.get("authorization") for h in server.headers} == {f"Bearer {secret}"}
    written = [f for f in tmp_path.rglob("*") if f.is_file()]
    assert len(written) > 10
    for path in written:
        assert secret.encode() not in path.read_bytes(), path
    errors = json.loads((summary.run_path / "errors.json").read_text(encoding="utf-8"))
    for task in tasks:
        info = errors[task]["info"][gold_doc.id]
        assert len(info["prompt_sha256"]) == 64 and info["prompt_template"].startswith("[system]")
        assert info["totals"]["requests"] == info["llm"]["requests"] and info["llm"]["parse_failures"] == 0
    assert errors["ner"]["grounding"][gold_doc.id]["ungrounded"] == 0
    numeric = summary.outcomes["numeric"].predictions[gold_doc.id]
    assert [(f.text, f.metric) for f in numeric] == [("98.78%", "破案率")] * 2
    assert all(isinstance(f, NumericFact) for f in numeric)
    meta = json.loads((summary.run_path / "meta.json").read_text(encoding="utf-8"))
    assert meta["adapter"]["config"]["api_key_env"] == "BENCH_LLM_TEST_KEY"
