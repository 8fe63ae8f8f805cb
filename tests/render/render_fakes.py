"""Helpers of the renderer tests: an in-memory fake run, and a hostile copy of a real run."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPT_NAME = "<script>window.__pwned=1</script>"
EVIL_MODEL = "evil"


@dataclass
class FakeRun:
    """Duck-typed :class:`benchmark.records.RunRecord` with predictions held in memory."""

    meta: dict[str, Any]
    scores: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)
    preds: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    @property
    def model(self) -> str:
        return self.meta["model"]

    @property
    def run_id(self) -> str:
        return self.meta["run_id"]

    def predictions(self, task_key: str, doc_id: str) -> list[Any]:
        return list(self.preds[(task_key, doc_id)])


def fake_run(
    model: str, tasks: dict[str, list[Any]], doc_id: str, *, display_name: str | None = None
) -> FakeRun:
    """A run with status ``ok`` for every task in ``tasks`` (task key -> predicted records)."""
    meta = {
        "model": model,
        "run_id": "fake0001",
        "display_name": display_name or model,
        "adapter": {"description": f"fake {model}"},
        "tasks": {key: {"status": "ok"} for key in tasks},
    }
    return FakeRun(
        meta=meta,
        scores={key: {} for key in tasks},
        errors={key: {"exception": None} for key in tasks},
        preds={(key, doc_id): records for key, records in tasks.items()},
    )


def add_evil_run(results: Path) -> Path:
    """Copy the ``rules`` run as model ``evil`` with a hostile display name and description."""
    source = next((results / "runs" / "rules").iterdir())
    target = results / "runs" / EVIL_MODEL / source.name
    shutil.copytree(source, target)
    meta = json.loads((target / "meta.json").read_text(encoding="utf-8"))
    meta["model"] = EVIL_MODEL
    meta["display_name"] = SCRIPT_NAME
    meta["adapter"]["description"] = '<img src="x" onerror="window.__pwned=2">'
    (target / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return target


# --------------------------------------------------------------------------- a fake LLM run

LLM_MODEL = "fake-llm"
GARBAGE = "好的，我来分析一下这段话。"
BROKEN_UNITS = {2, 5}  # paragraph units (1-based positions) answered with garbage: parse failures
BROKEN_QUESTIONS = {"q01", "q02"}  # answered with garbage: parse failures
WRONG_QUESTIONS = {"q03", "q04", "q05"}  # answered wrongly: judged wrong


def _answer(doc: Any, text: str) -> str:
    """The fake model's answer to one request: the gold, except for the broken and wrong ones."""
    questions = {q.question: q for q in doc.gold["qa"]}
    asked = text.rsplit("问题：", 1)[-1]
    if asked in questions:
        q = questions[asked]
        if q.id in BROKEN_QUESTIONS:
            return GARBAGE
        answer = "完全不对的答案" if q.id in WRONG_QUESTIONS else q.answers[0]
        return json.dumps({"answer": answer}, ensure_ascii=False)
    units = {doc.text[p.start : p.end]: p for p in doc.gold["topics"]}
    body = text.split("段落：\n", 1)[-1].split("\n\n只输出", 1)[0]
    position = int(text.split("全文第 ", 1)[1].split(" ", 1)[0])
    unit = units[body]
    if position in BROKEN_UNITS:
        return GARBAGE
    topics = list(unit.topics) if position % 3 else list(unit.topics)[:1]  # some multi-topic units lose one
    return json.dumps({"section": unit.section, "topics": topics}, ensure_ascii=False)


class FakeLLMServer:
    """An OpenAI-compatible ``/v1/chat/completions`` on 127.0.0.1 answering from the gold."""

    def __init__(self, doc: Any) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        def reply(handler: BaseHTTPRequestHandler) -> None:
            request = json.loads(handler.rfile.read(int(handler.headers.get("Content-Length", 0))))
            text = next(m["content"] for m in reversed(request["messages"]) if m["role"] == "user")
            body = {"id": "fake", "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": _answer(doc, text)},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}  # fmt: skip
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                reply(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeLLMServer:
        import threading

        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def add_llm_run(results: Path, doc: Any) -> None:
    """A real ``openai`` run (topics and qa) against :class:`FakeLLMServer`, named ``fake-llm``."""
    from benchmark.runner import ModelSpec, run_model

    with FakeLLMServer(doc) as server:
        spec = ModelSpec("openai", {"base_url": server.url, "model": "m", "cache_dir": ""}, name=LLM_MODEL)
        summary = run_model(spec, [doc], ["topics", "qa"], results=results, n_resamples=50, timeout=None)
    assert summary.status == "ok", summary.message
