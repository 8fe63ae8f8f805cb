"""The ``openai`` adapter: any OpenAI-compatible chat-completions server (vLLM, Ollama,
llama.cpp server, ``transformers serve``, cloud APIs).

Requests go out concurrently (``httpx.AsyncClient``, at most ``concurrency`` in flight),
each with its own timeout, and are retried with exponential backoff and jitter on 429,
5xx, timeouts and connection errors (a ``Retry-After`` header sets the wait instead).
Answers are cached on disk under the sha256 of (base URL, model, messages, sampling
parameters), so a re-run or a resumed run issues no request for what it already has.
The API key is read from the environment variable named by ``api_key_env`` at load time;
it is sent in the ``Authorization`` header and stored nowhere (not in the options, the
cache, the run record or error messages).

A request that fails for good (a non-retryable 4xx, a malformed body, empty ``choices``,
retries exhausted) is counted in the document's ``Prediction.info`` and ``problems``;
the task fails only when every request failed.

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
from benchmark.adapters.llm_common import ChatRequest, Completion, LLMAdapter, prompts_digest
from benchmark.schema import atomic_write_text

T = TypeVar("T")
BACKOFF_BASE = 0.5  # seconds before the first retry (before jitter)
BACKOFF_CAP = 30.0  # longest backoff between two attempts
RETRY_AFTER_CAP = 300.0  # longest wait a Retry-After header can impose
CACHE_FORMAT = 1


@dataclass(frozen=True)
class OpenAIOptions:
    """Options of ``openai``.

    Attributes:
        base_url: The API root, e.g. ``http://127.0.0.1:8000/v1`` (``/chat/completions`` is appended).
        model: The model name the server knows (required).
        api_key_env: NAME of the environment variable holding the API key (unset or empty: no key).
        concurrency: Requests in flight at once.
        max_retries: Retries after the first attempt (429, 5xx, timeouts, connection errors).
        timeout: Seconds per attempt.
        temperature: Sampling temperature (0: greedy).
        max_tokens: Completion budget per request.
        cache_dir: Response cache folder (empty: no cache).
        unit: ``line`` (one request per line; per paragraph unit for topics) or ``document``.
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

    def cache_key(self, messages: Sequence[dict[str, str]]) -> str:
        """sha256 of (base URL, model, messages, parameters): what the answer depends on, not the key."""
        material = {
            "base_url": self.base_url,
            "model": self.model,
            "messages": list(messages),
            "params": self.params,
        }
        text = json.dumps(material, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def complete_all(self, conversations: Sequence[Sequence[dict[str, str]]]) -> list[Completion]:
        """Answer every conversation (blocking), in order."""
        return run_sync(self.acomplete_all(conversations))

    async def acomplete_all(self, conversations: Sequence[Sequence[dict[str, str]]]) -> list[Completion]:
        """Answer every conversation concurrently, in order."""
        import httpx

        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        semaphore = asyncio.Semaphore(self.concurrency)
        async with httpx.AsyncClient(
            headers=headers, timeout=httpx.Timeout(self.timeout), limits=limits
        ) as client:
            tasks = [self._one(client, semaphore, list(c)) for c in conversations]
            return list(await asyncio.gather(*tasks))

    async def _one(
        self, client: Any, semaphore: asyncio.Semaphore, messages: list[dict[str, str]]
    ) -> Completion:
        """One conversation: from the cache, or sent (within the semaphore) and then cached."""
        key = self.cache_key(messages)
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            return Completion(cached["content"], meta={"cached": True, "attempts": 0, "latency_s": 0.0,
                                                        **_usage(cached.get("usage"))})  # fmt: skip
        async with semaphore:
            completion = await self._with_retries(client, messages)
        if completion.text is not None and self.cache is not None:
            self.cache.put(key, {"content": completion.text, "usage": completion.meta.pop("_usage", None),
                                 "finish_reason": completion.meta.get("finish_reason")})  # fmt: skip
        completion.meta.pop("_usage", None)
        return completion

    async def _with_retries(self, client: Any, messages: list[dict[str, str]]) -> Completion:
        """Attempt until success, a non-retryable failure, or ``max_retries`` retries.

        The wait between attempts (``Retry-After`` or backoff) keeps its concurrency slot,
        which eases the load on a server that answered 429 or 5xx.
        """
        started = time.perf_counter()
        attempt = 0
        while True:
            t0 = time.perf_counter()
            try:
                body = await self._attempt(client, messages)
                content, meta = _read_body(body)
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

    async def _attempt(self, client: Any, messages: list[dict[str, str]]) -> Any:
        """One POST; the decoded JSON body, or :class:`RequestFailed` saying whether to retry."""
        import httpx

        payload = {"model": self.model, "messages": messages, **self.params, "stream": False}
        try:
            response = await client.post(f"{self.base_url}/chat/completions", json=payload)
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


def _read_body(body: Any) -> tuple[str, dict[str, Any]]:
    """The message content and usage of a chat-completion body; :class:`RequestFailed` if absent."""
    choices = body.get("choices") if isinstance(body, dict) else None
    if not isinstance(choices, list) or not choices:
        raise RequestFailed("response has no choices", retry=False, status=200)
    message = choices[0].get("message") if isinstance(choices[0], dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise RequestFailed("first choice has no message content", retry=False, status=200)
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
    """Chat-completions endpoint of any OpenAI-compatible server, concurrent, retried and cached."""

    name = "openai"
    version = f"1+p{prompts_digest()[:8]}"
    requires = ("httpx",)
    install_hint = "pip install httpx"
    Options = OpenAIOptions
    operational_options = ("api_key_env", "concurrency", "max_retries", "timeout", "cache_dir")
    description: ClassVar[str] = (
        "OpenAI-compatible chat-completions server (vLLM, Ollama, llama.cpp, cloud APIs) prompted "
        "with Chinese few-shot prompts; concurrent, retried, cached; answers grounded to offsets"
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

    def complete(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        """Send every request concurrently (cached answers are not sent again)."""
        if self.client is None:
            raise RuntimeError("openai: call load() before predict()")
        started = time.perf_counter()
        completions = self.client.complete_all([r.messages for r in requests])
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
