"""Checks an adapter runs in seconds before any prediction (:meth:`Adapter.preflight`).

A missing or wrong model or server is the user's mistake, not an adapter failure: these
raise :class:`~benchmark.adapters.base.PreflightError` with a hint, and the CLI exits 2
with one line and records no run.

The project runs offline unless ``HF_HUB_OFFLINE=0``: a hub id (a ``model`` that is not an
existing local folder) is then refused, unless the Hugging Face cache already holds it.

Example:
    >>> try:
    ...     check_model_source("hf-ner", "/no/such/folder")
    ... except PreflightError as exc:
    ...     print(exc)
    hf-ner: model=/no/such/folder: no such folder (give a local model folder holding config.json)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from benchmark.adapters.base import PreflightError
from benchmark.provenance import scrub_text

CONNECT_TIMEOUT = 2.0  # seconds to reach a server in the preflight check
READ_TIMEOUT = 5.0  # seconds for its /models answer


def hub_allowed() -> bool:
    """Whether the Hugging Face hub may be used: only when the user set ``HF_HUB_OFFLINE=0``."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("0", "false", "no", "off")


def _looks_like_path(value: str) -> bool:
    return (
        value.startswith(("/", "./", "../", "~", ".\\"))
        or value.endswith(("/", os.sep))
        or value in (".", "..")
    )


def _in_hub_cache(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    try:
        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except Exception:  # an id the hub library rejects is not in the cache
        return False


def check_model_source(adapter: str, model: str, *, needs: str = "config.json") -> None:
    """A ``model`` option names an existing folder holding ``needs``, or a hub id that may be used.

    Raises:
        PreflightError: For an empty option, a missing folder, a folder without ``needs``, or a
            hub id while the hub is off (``HF_HUB_OFFLINE`` is not ``0``) and not cached.
    """
    if not model:
        raise PreflightError(
            f"{adapter} needs model=PATH (a local model folder; a hub id only with "
            f"HF_HUB_OFFLINE=0), e.g. --model {adapter}:model=models/msra-char-bert"
        )
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / needs).is_file():
            raise PreflightError(
                f"{adapter}: model={model}: the folder has no {needs} (is it a Hugging Face model folder?)"
            )
        return
    if path.exists():
        raise PreflightError(f"{adapter}: model={model}: a file, not a model folder")
    if _looks_like_path(model) or model.count("/") > 1:
        raise PreflightError(
            f"{adapter}: model={model}: no such folder (give a local model folder holding {needs})"
        )
    if not hub_allowed() and not _in_hub_cache(model):
        raise PreflightError(
            f"{adapter}: model={model}: no such local folder, and {model!r} as a hub id needs "
            "the network, which this project does not use unless you set HF_HUB_OFFLINE=0"
        )


def check_server(adapter: str, base_url: str, model: str, *, api_key: str | None = None) -> None:
    """The server answers within :data:`CONNECT_TIMEOUT` and, where it lists ``/models``, serves ``model``.

    A server without ``/models`` (some compatible servers) gets a warning on stderr, not a refusal.

    Raises:
        PreflightError: For an empty ``model``, an unreachable server, a refused key, or a model
            missing from the server's list.
    """
    import httpx

    shown = scrub_text(base_url)
    if not model:
        raise PreflightError(
            f"{adapter} needs model=NAME (the name the server knows), e.g. "
            f"--model {adapter}:base_url={shown},model=Qwen/Qwen2.5-7B-Instruct"
        )
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = base_url.rstrip("/") + "/models"
    timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
    try:
        response = httpx.get(url, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        reason = type(exc).__name__
        raise PreflightError(
            f"{adapter}: cannot reach {shown} ({reason} within {CONNECT_TIMEOUT:g} s); is the "
            "server running, and is base_url right?"
        ) from None
    if response.status_code in (401, 403):
        raise PreflightError(
            f"{adapter}: {shown} refused the request (HTTP {response.status_code}); put the key "
            "in the environment variable named by api_key_env (default OPENAI_API_KEY)"
        )
    served = _served_models(response)
    if served is None:
        print(
            f"warning: {adapter}: {shown} lists no models (HTTP {response.status_code} on /models); "
            f"not checking that it serves {model!r}",
            file=sys.stderr,
        )
        return
    if model not in served:
        listed = ", ".join(sorted(served)[:10]) or "none"
        raise PreflightError(f"{adapter}: {shown} does not serve model {model!r}; it serves: {listed}")


def _served_models(response: object) -> set[str] | None:
    """Model ids of an OpenAI-style ``/models`` answer, or None when there is no such list."""
    if getattr(response, "status_code", 0) != 200:
        return None
    try:
        data = response.json()  # type: ignore[attr-defined]
    except ValueError:
        return None
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    return {str(item["id"]) for item in items if isinstance(item, dict) and "id" in item}
