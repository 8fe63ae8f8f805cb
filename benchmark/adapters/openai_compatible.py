"""The ``openai`` adapter: any OpenAI-compatible server (vLLM, Ollama, llama.cpp server,
``transformers serve``, cloud APIs).

``prompt=chat`` (default) sends each task's request as chat messages to
``/chat/completions``; ``prompt=completion`` sends the task's few-shot completion text to
``/completions`` (base models), with its stop strings. ``system_role=no`` puts the
instructions into the first user turn, for chat templates without a system role.

Requests go out concurrently (``httpx.AsyncClient``, at most ``concurrency`` in flight),
each with its own timeout, and are retried with exponential backoff and jitter on 429,
5xx, timeouts and connection errors (a ``Retry-After`` header sets the wait instead).
Answers are cached on disk under the sha256 of (base URL, model, messages or prompt, sampling
parameters), so a re-run or a resumed run issues no request for what it already has.
The API key is read from the environment variable named by ``api_key_env`` at load time;
it is sent in the ``Authorization`` header and stored nowhere (not in the options, the
cache, the run record or error messages).

A request that fails for good (a non-retryable 4xx, a malformed body, empty ``choices``,
retries exhausted) is counted in the document's ``Prediction.info`` and ``problems``;
the unit is left out of the predictions, and the task fails only when no answer at all was
usable.

Usage::

    OPENAI_API_KEY=... evaluate.py --model openai:base_url=http://HOST:8000/v1,model=MODEL,concurrency=32
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import json
import os
import random
import time
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from benchmark.adapters.base import register_adapter
from benchmark.adapters.llm_adapter import Completion, LLMAdapter
from benchmark.schema import atomic_write_text
from benchmark.tasks.llm import prompts_digest

T = TypeVar("T")
BACKOFF_BASE = 0.5  # seconds before the first retry (before jitter)
BACKOFF_CAP = 30.0  # longest backoff between two attempts
RETRY_AFTER_CAP = 300.0  # longest wait a Retry-After header can impose
CACHE_FORMAT = 1


@dataclass(frozen=True)
class OpenAIOptions:
    """Options of ``openai``.

    Attributes:
        base_url: The API root, e.g. ``http://127.0.0.1:8000/v1`` (``/chat/completions`` or
            ``/completions`` is appended).
        model: The model name the server knows (required).
        api_key_env: NAME of the environment variable holding the API key (unset or empty: no key).
        concurrency: Requests in flight at once.
        max_retries: Retries after the first attempt (429, 5xx, timeouts, connection errors).
        timeout: Seconds per attempt.
        temperature: Sampling temperature (0: greedy).
        max_tokens: Completion budget per request.
        cache_dir: Response cache folder (empty: no cache).
        unit: ``line`` (one request per line, paragraph unit or question) or ``document``.
        prompt: ``chat`` (messages to ``/chat/completions``) or ``completion`` (the task's
            few-shot text to ``/completions``, for base models).
        system_role: ``yes`` (a system message) or ``no`` (instructions lead the first user
            turn: for chat templates that drop or refuse a system message).
    """

    base_url: str = "http://127.0.0.1:8000/v1"
    model: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 8
    max_retries: int = 5
    timeout: float = 60.0
    temperature: float = 0.0
    max_tokens: int = 1024
    cache_dir: str = ".cache/llm"
    unit: Literal["line", "document"] = "line"
    prompt: Literal["chat", "completion"] = "chat"
    system_role: Literal["yes", "no"] = "yes"

    def __post_init__(self) -> None:
        url_ok = self.base_url.startswith(("http://", "https://"))
        checks = [
            (url_ok, f"base_url must start with http:// or https://, got {self.base_url!r}"),
            (self.concurrency >= 1, f"concurrency must be >= 1, got {self.concurrency}"),
            (self.max_retries >= 0, f"max_retries must be >= 0, got {self.max_retries}"),
            (self.timeout > 0, f"timeout must be > 0, got {self.timeout}"),
            (self.max_tokens >= 1, f"max_tokens must be >= 1, got {self.max_tokens}"),
        ]  # fmt: skip
        for ok, message in checks:
            if not ok:
                raise ValueError(message)


class RequestFailed(Exception):
    """One attempt failed; ``retry`` says whether another attempt may succeed."""

    def __init__(self, message: str, *, retry: bool, status: int | None = None, wait: float | None = None):
        super().__init__(message)
        self.retry, self.status, self.wait = retry, status, wait


async def backoff_sleep(seconds: float) -> None:
    """Wait between attempts (a module function so tests can record the delays)."""
    await asyncio.sleep(seconds)


def backoff_delay(
    attempt: int, rng: random.Random, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP
) -> float:
    """Exponential backoff with jitter: uniform in [d/2, d] for d = min(cap, base * 2**attempt).

    Example:
        >>> rng = random.Random(0)
        >>> [0.25 <= backoff_delay(0, rng) <= 0.5, 2.0 <= backoff_delay(3, rng) <= 4.0]
        [True, True]
    """
    delay = min(cap, base * 2**attempt)
    return delay / 2 + rng.uniform(0, delay / 2)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), capped.

    Example:
        >>> retry_after_seconds("2"), retry_after_seconds(None), retry_after_seconds("soon")
        (2.0, None, None)
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, even inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class ResponseCache:
    """Successful answers on disk, one JSON file per request key, written atomically."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached entry, or None (a missing or unreadable file is a miss)."""
        try:
            entry = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        ok = (
            isinstance(entry, dict)
            and entry.get("format") == CACHE_FORMAT
            and isinstance(entry.get("content"), str)
        )
        return entry if ok else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        atomic_write_text(self.path(key), json.dumps({"format": CACHE_FORMAT, **entry}, ensure_ascii=False))


class ChatClient:
    """Concurrent chat-completion requests with retries, backoff, timeouts and a disk cache.

    Args:
        base_url: The API root (``.../v1``).
        model: The model name sent with every request.
        api_key: The secret (kept in this object only; None sends no Authorization header).
        concurrency: Requests in flight at once.
        max_retries: Retries after the first attempt.
        timeout: Seconds per attempt.
        temperature: Sampling temperature.
        max_tokens: Completion budget per request.
        cache: Where answers are cached (None: no cache).
        seed: Seed of the backoff jitter.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        concurrency: int = 8,
        max_retries: int = 5,
        timeout: float = 60.0,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        cache: ResponseCache | None = None,
        seed: int | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._api_key = api_key or None
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.timeout = timeout
        self.params = {"temperature": temperature, "max_tokens": max_tokens}
        self.cache = cache
        self._rng = random.Random(seed)

    def __repr__(self) -> str:  # never show the key
        return f"ChatClient(base_url={self.base_url!r}, model={self.model!r})"

    def cache_key(self, request: Any) -> str:
        """sha256 of (base URL, model, request, parameters): what the answer depends on, not the key.

        ``request`` is chat messages (a list) or a part built by :func:`request_part`.
        """
        part = _part(request)
        material = {"base_url": self.base_url, "model": self.model, **part, "params": self.params}
        text = json.dumps(material, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def complete_all(self, conversations: Sequence[Any]) -> list[Completion]:
        """Answer every request (chat messages, or a :func:`request_part`) (blocking), in order."""
        return run_sync(self.acomplete_all(conversations))

    async def acomplete_all(self, conversations: Sequence[Any]) -> list[Completion]:
        """Answer every request concurrently, in order."""
        import httpx

        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        semaphore = asyncio.Semaphore(self.concurrency)
        async with httpx.AsyncClient(
            headers=headers, timeout=httpx.Timeout(self.timeout), limits=limits
        ) as client:
            tasks = [self._one(client, semaphore, _part(c)) for c in conversations]
            return list(await asyncio.gather(*tasks))

    async def _one(self, client: Any, semaphore: asyncio.Semaphore, part: dict[str, Any]) -> Completion:
        """One request: from the cache, or sent (within the semaphore) and then cached."""
        key = self.cache_key(part)
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            return Completion(cached["content"], meta={"cached": True, "attempts": 0, "latency_s": 0.0,
                                                        **_usage(cached.get("usage"))})  # fmt: skip
        async with semaphore:
            completion = await self._with_retries(client, part)
        if completion.text is not None and self.cache is not None:
            self.cache.put(key, {"content": completion.text, "usage": completion.meta.pop("_usage", None),
                                 "finish_reason": completion.meta.get("finish_reason")})  # fmt: skip
        completion.meta.pop("_usage", None)
        return completion

    async def _with_retries(self, client: Any, part: dict[str, Any]) -> Completion:
        """Attempt until success, a non-retryable failure, or ``max_retries`` retries.

        The wait between attempts (``Retry-After`` or backoff) keeps its concurrency slot,
        which eases the load on a server that answered 429 or 5xx.
        """
        started = time.perf_counter()
        attempt = 0
        while True:
            t0 = time.perf_counter()
            try:
                body = await self._attempt(client, part)
                content, meta = _read_body(body, chat="messages" in part)
            except RequestFailed as exc:
                if not exc.retry or attempt >= self.max_retries:
                    return Completion(None, error=self._scrub(str(exc)), meta={
                        "cached": False, "attempts": attempt + 1, "status": exc.status,
                        "latency_s": round(time.perf_counter() - started, 4)})  # fmt: skip
                wait = exc.wait if exc.wait is not None else backoff_delay(attempt, self._rng)
                await backoff_sleep(wait)
                attempt += 1
                continue
            meta |= {
                "cached": False,
                "attempts": attempt + 1,
                "latency_s": round(time.perf_counter() - t0, 4),
                "total_s": round(time.perf_counter() - started, 4),
            }
            return Completion(content, meta=meta)

    async def _attempt(self, client: Any, part: dict[str, Any]) -> Any:
        """One POST; the decoded JSON body, or :class:`RequestFailed` saying whether to retry."""
        import httpx

        payload = {"model": self.model, **part, **self.params, "stream": False}
        endpoint = "chat/completions" if "messages" in part else "completions"
        try:
            response = await client.post(f"{self.base_url}/{endpoint}", json=payload)
        except httpx.TimeoutException as exc:
            raise RequestFailed(
                f"timeout after {self.timeout:g} s ({type(exc).__name__})", retry=True
            ) from None
        except httpx.TransportError as exc:
            raise RequestFailed(f"connection error: {type(exc).__name__}: {exc}", retry=True) from None
        status = response.status_code
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            raise RequestFailed(f"HTTP {status}: {response.text[:200]}", retry=True, status=status, wait=wait)
        if status >= 400:
            raise RequestFailed(f"HTTP {status}: {response.text[:200]}", retry=False, status=status)
        try:
            return response.json()
        except ValueError:
            raise RequestFailed(
                f"malformed JSON body: {response.text[:120]!r}", retry=False, status=status
            ) from None


def _usage(usage: Any) -> dict[str, int]:
    if not isinstance(usage, dict):
        return {}
    return {k: usage[k] for k in ("prompt_tokens", "completion_tokens") if isinstance(usage.get(k), int)}


def request_part(request: Any) -> dict[str, Any]:
    """What one request adds to the POST body: ``messages``, or ``prompt`` and ``stop``.

    Example:
        >>> from benchmark.tasks.llm import LLMRequest
        >>> request_part(LLMRequest(0, "line 0", prompt="输入：甲\\n输出：", stop=("\\n\\n",)))
        {'prompt': '输入：甲\\n输出：', 'stop': ['\\n\\n']}
    """
    if request.prompt is not None:
        part: dict[str, Any] = {"prompt": request.prompt}
        return part | {"stop": list(request.stop)} if request.stop else part
    return {"messages": list(request.messages)}


def _part(request: Any) -> dict[str, Any]:
    """A request part from chat messages (a list) or a part (a dict), as given."""
    return dict(request) if isinstance(request, dict) else {"messages": list(request)}


def _read_body(body: Any, *, chat: bool = True) -> tuple[str, dict[str, Any]]:
    """The content and usage of a (chat) completion body; :class:`RequestFailed` if absent."""
    choices = body.get("choices") if isinstance(body, dict) else None
    if not isinstance(choices, list) or not choices:
        raise RequestFailed("response has no choices", retry=False, status=200)
    first = choices[0] if isinstance(choices[0], dict) else {}
    if chat:
        message = first.get("message")
        content = message.get("content") if isinstance(message, dict) else None
    else:
        content = first.get("text")
    if not isinstance(content, str):
        what = "message content" if chat else "text"
        raise RequestFailed(f"first choice has no {what}", retry=False, status=200)
    usage = body.get("usage")
    meta = {
        "status": 200,
        "finish_reason": choices[0].get("finish_reason"),
        **_usage(usage),
        "_usage": _usage(usage),
    }
    return content, meta


@register_adapter
class OpenAICompatibleAdapter(LLMAdapter):
    """(Chat) completions endpoint of any OpenAI-compatible server, concurrent, retried and cached."""

    name = "openai"
    kind = "llm"
    version = f"2+p{prompts_digest()[:8]}"
    requires = ("httpx",)
    install_hint = "pip install httpx"
    Options = OpenAIOptions
    operational_options = ("api_key_env", "concurrency", "max_retries", "timeout", "cache_dir")
    description: ClassVar[str] = (
        "OpenAI-compatible server (vLLM, Ollama, llama.cpp, cloud APIs; chat or few-shot completion) "
        "prompted by every task; concurrent, retried, cached; answers grounded to offsets"
    )

    def __init__(self, options: OpenAIOptions | None = None) -> None:
        super().__init__(options)
        self.client: ChatClient | None = None

    def preflight(self) -> None:
        """The server answers within 2 s and, where it lists ``/models``, serves ``model``."""
        from benchmark.adapters.preflight import check_server

        opts: OpenAIOptions = self.options
        check_server(self.name, opts.base_url, opts.model, api_key=os.environ.get(opts.api_key_env) or None)

    def load(self) -> None:
        """Read the API key from the environment and set up the client (no request is sent)."""
        opts: OpenAIOptions = self.options
        if not opts.model:
            raise ValueError("openai needs model=<name the server serves>")
        cache = ResponseCache(opts.cache_dir) if opts.cache_dir else None
        self.client = ChatClient(
            opts.base_url,
            opts.model,
            api_key=os.environ.get(opts.api_key_env),
            concurrency=opts.concurrency,
            max_retries=opts.max_retries,
            timeout=opts.timeout,
            temperature=opts.temperature,
            max_tokens=opts.max_tokens,
            cache=cache,
        )

    def complete(self, requests: Sequence[Any]) -> list[Completion]:
        """Send every request concurrently (cached answers are not sent again)."""
        if self.client is None:
            raise RuntimeError("openai: call load() before predict()")
        started = time.perf_counter()
        completions = self.client.complete_all([request_part(r) for r in requests])
        wall = round(time.perf_counter() - started, 4)
        for c in completions:
            c.meta["batch_wall_s"] = wall
        return completions

    def usage_info(self, completions: Sequence[Completion]) -> dict[str, Any]:
        """Per-request latency, tokens and attempts, and their totals."""
        metas = [{k: v for k, v in c.meta.items() if k != "batch_wall_s"} for c in completions]
        totals = {
            "requests": len(metas),
            "cached": sum(bool(m.get("cached")) for m in metas),
            "failed": sum(c.text is None for c in completions),
            "retries": sum(max(m.get("attempts", 1) - 1, 0) for m in metas),
            "prompt_tokens": sum(m.get("prompt_tokens", 0) for m in metas if not m.get("cached")),
            "completion_tokens": sum(m.get("completion_tokens", 0) for m in metas if not m.get("cached")),
            "latency_s_sum": round(sum(m.get("latency_s", 0.0) for m in metas), 4),
            "latency_s_max": max((m.get("latency_s", 0.0) for m in metas), default=0.0),
            "wall_s": completions[0].meta.get("batch_wall_s") if completions else None,
        }
        return {"per_request": metas, "totals": totals}
