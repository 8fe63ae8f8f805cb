"""Test helpers: a tiny local causal LM and a scriptable OpenAI-compatible HTTP server.

Nothing here reaches the network or a model hub: the model is a random 1-layer Qwen2 with a
character-level tokenizer built from the characters it will see, saved to a folder; the
server is a stdlib ``ThreadingHTTPServer`` on 127.0.0.1, port 0, in a thread.
"""

from __future__ import annotations

import json
import string
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
SMALL_TEXT = "市公安局通报\n全市破获盗窃案件15起，抓获5名嫌疑人，另有5名在逃。\n张明任局长以来，南江县治安平稳。\n"


def make_input(text: str, headings: tuple[str, ...] = ()) -> Any:
    """An InputDocument of ``text`` whose lines equal to one of ``headings`` are headings."""
    from benchmark.adapters import InputDocument
    from benchmark.document import Document
    from benchmark.schema import Heading

    lines = Document("small", text, {}).lines()
    heads = [Heading(s, e, text[s:e]) for s, e in lines if text[s:e] in headings]
    return InputDocument.from_document(Document("small", text, {}, headings=heads))


def _byte_alphabet() -> dict[int, str]:
    """GPT-2's byte-to-printable-character table (what byte-level BPE tokenizers use)."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def char_tokenizer(texts: Iterable[str]) -> Any:
    """A Qwen2 byte-level BPE tokenizer whose merges make one token of every character of ``texts``."""
    from transformers import Qwen2Tokenizer

    alphabet = _byte_alphabet()
    vocab = {tok: i for i, tok in enumerate(SPECIALS)}
    for ch in alphabet.values():
        vocab.setdefault(ch, len(vocab))
    merges: list[tuple[str, str]] = []
    for ch in sorted(set("".join(texts)) | set(string.printable)):
        pieces = [alphabet[b] for b in ch.encode("utf-8")]
        while len(pieces) > 1:
            pair = (pieces[0], pieces[1])
            merged = pair[0] + pair[1]
            if merged not in vocab:
                vocab[merged] = len(vocab)
                merges.append(pair)
            pieces = [merged, *pieces[2:]]
    tokenizer = Qwen2Tokenizer(
        vocab=vocab,
        merges=merges,
        unk_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens=["<|im_start|>"],
        model_max_length=8192,
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build_tiny_lm(folder: Path, texts: Iterable[str], *, seed: int = 0) -> Path:
    """Save a random 1-layer Qwen2 causal LM and its tokenizer to ``folder``; return the folder."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    tokenizer = char_tokenizer(texts)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=8192,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config).eval()
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


# --------------------------------------------------------------------------- fake server


@dataclass
class Reply:
    """What the fake server answers to one request.

    Attributes:
        status: HTTP status.
        body: A dict (sent as JSON) or a str (sent as is, e.g. a malformed body).
        headers: Extra response headers (``Retry-After``).
        delay: Seconds to wait before answering (longer than the client's timeout: a timeout).
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def chat_body(content: str, *, prompt_tokens: int = 11, completion_tokens: int = 7) -> dict[str, Any]:
    """A chat-completion response body holding ``content``."""
    return {
        "id": "fake",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }  # fmt: skip


def user_text(request: dict[str, Any]) -> str:
    """The content of the last user message of a chat request (a completion request: the text
    after the prompt's last ``输入：``, the request itself without the few-shot examples)."""
    if "prompt" in request:
        return request["prompt"].rsplit("输入：", 1)[-1]
    return next(m["content"] for m in reversed(request["messages"]) if m["role"] == "user")


def as_completion_body(body: Any) -> Any:
    """A chat-completion body turned into a ``/completions`` body (``choices[0].text``)."""
    if not isinstance(body, dict) or not body.get("choices"):
        return body
    choices = [{"index": c.get("index", 0), "text": (c.get("message") or {}).get("content"),
                "finish_reason": c.get("finish_reason")} for c in body["choices"]]  # fmt: skip
    return {**body, "object": "text_completion", "choices": choices}


class Script:
    """Replies in order (``first``), then ``then(request)`` for every later request."""

    def __init__(self, first: Iterable[Reply] = (), then: Callable[[dict[str, Any]], Reply] | None = None):
        self.first = list(first)
        self.then = then or (lambda request: Reply(body=chat_body("[]")))
        self._lock = threading.Lock()

    def __call__(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            if self.first:
                return self.first.pop(0)
        return self.then(request)


def canned(answers: dict[str, str], default: str = "[]") -> Callable[[dict[str, Any]], Reply]:
    """A handler answering with ``answers[key]`` when ``key`` occurs in the user message."""

    def handler(request: dict[str, Any]) -> Reply:
        text = user_text(request)
        content = next((a for key, a in answers.items() if key in text), default)
        return Reply(body=chat_body(content))

    return handler


class FakeOpenAIServer:
    """A ``/v1/chat/completions`` server on 127.0.0.1 (port 0) that records every request.

    Use as a context manager; ``url`` is the API root (``http://127.0.0.1:PORT/v1``).
    """

    def __init__(self, handler: Callable[[dict[str, Any]], Reply]) -> None:
        self.handler = handler
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = json.loads(raw)
                with fake._lock:
                    fake.requests.append(request)
                    fake.headers.append(dict(self.headers))
                if self.path in ("/v1/chat/completions", "/v1/completions"):
                    reply = fake.handler(request)
                    if self.path == "/v1/completions":  # handlers answer in the chat format
                        reply = Reply(reply.status, as_completion_body(reply.body), reply.headers, reply.delay)
                else:
                    reply = Reply(404, "not found")
                with fake._lock:
                    fake.paths.append(self.path)
                time.sleep(reply.delay)
                body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body, ensure_ascii=False)
                data = body.encode("utf-8")
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout)
                    self.close_connection = True

        return Handler

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# --------------------------------------------------------------------------- canned backend


def canned_adapter(answers: Iterable[str | None], **options: Any) -> Any:
    """An LLM adapter whose backend returns ``answers`` in order (None: a failed request).

    The whole ``LLMAdapter.predict`` path runs: the task builds the requests and reads the
    answers. ``options`` are ``unit``, ``prompt`` and ``system_role``; ``adapter.sent`` keeps
    the requests it was given.
    """
    from benchmark.adapters.llm_adapter import Completion, LLMAdapter

    @dataclass(frozen=True)
    class Options:
        unit: str = "line"
        prompt: str = "chat"
        system_role: str = "yes"

    class Canned(LLMAdapter):
        name = "canned-llm"

        def __init__(self) -> None:
            super().__init__(Options(**options))
            self.sent: list[Any] = []

        def complete(self, requests: Any) -> list[Completion]:
            self.sent += list(requests)
            queue = list(answers)
            assert len(queue) == len(requests), (len(queue), len(requests))
            return [Completion(a) if a is not None else Completion(None, error="HTTP 400: bad") for a in queue]

    return Canned()
