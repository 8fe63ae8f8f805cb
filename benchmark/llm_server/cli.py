"""``scripts/serve_llm.py``: serve a GGUF with llama.cpp until Ctrl-C, print the ``--model`` line.

By default it serves the first ``serve:`` item of ``configs/llm-gemma.yaml`` (Gemma 3 270M,
assembled from its PyPI package into the GGUF cache) on a free port of 127.0.0.1, waits
until ``/v1/models`` lists the model, prints the ``evaluate.py --model openai:...`` line to
use against it, and stops the server on Ctrl-C or SIGTERM. ``--check`` stops it at once
(a setup check). Exit status 0, 1 when the server dies on its own, 2 for a user mistake.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark.cli._argparse import OneLineParser, positive_int
from benchmark.errors import UserError

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO / "configs" / "llm-gemma.yaml"


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="serve_llm.py", description=__doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="model config with a serve: item "
                   "(default configs/llm-gemma.yaml)")  # fmt: skip
    p.add_argument("--as", dest="name", help="which item of --config (its 'as:'; default: the first served)")
    p.add_argument("--gguf", help="serve this .gguf file (or package:MODULE) instead of the config's")
    p.add_argument("--alias", help="the model name the server answers to (default: the config's)")
    p.add_argument("--chat-template", help="a template name (gemma) or a .jinja file, for a GGUF without one")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: any free port)")
    p.add_argument("--threads", type=int, help="CPU threads (default: the config's; 0: every core)")
    p.add_argument("--ctx", type=positive_int, help="context size in tokens, shared by the slots")
    p.add_argument("--parallel", type=positive_int, help="requests decoded together")
    p.add_argument(
        "--cache-dir", help="where a packaged GGUF is assembled (default ~/.cache/zh-ie-benchmark/gguf)"
    )
    p.add_argument("--check", action="store_true", help="start, print the --model line, stop (a setup check)")
    return p


def served_item(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The serve config (with the command line's overrides) and the adapter options of the item."""
    from benchmark.cli._config import read_specs
    from benchmark.llm_server.config import ServeError
    from benchmark.llm_server.specs import SERVED_OPTIONS, ServedSpec

    specs = [s for s in read_specs(args.config) if isinstance(s, ServedSpec)]
    if args.name:
        specs = [s for s in specs if s.model == args.name]
    if not specs:
        which = f" named {args.name!r}" if args.name else ""
        raise UserError(f"{args.config}: no item{which} with serve: (see configs/llm-gemma.yaml)")
    spec = specs[0]
    overrides = {
        "gguf": args.gguf, "alias": args.alias, "chat_template": args.chat_template, "port": args.port,
        "threads": args.threads, "ctx": args.ctx, "parallel": args.parallel,
    }  # fmt: skip
    if args.gguf and not args.alias:
        overrides["alias"] = ""  # the new file's own name, not the config's
    changes = {k: v for k, v in overrides.items() if v is not None}
    try:
        cfg = dataclasses.replace(spec.serve, **changes)
    except ValueError as exc:
        raise ServeError(f"serve_llm.py: {exc}") from None
    options = {k: v for k, v in spec.options.items() if k not in SERVED_OPTIONS}
    return cfg, options


def model_line(base_url: str, model: str, options: dict[str, Any]) -> str:
    """The ``evaluate.py --model openai:...`` command for a running server.

    Example:
        >>> model_line("http://127.0.0.1:5/v1", "m", {"prompt": "completion"})
        '.venv/bin/python scripts/evaluate.py --model openai:base_url=http://127.0.0.1:5/v1,model=m,prompt=completion'
    """
    parts = [f"base_url={base_url}", f"model={model}", *(f"{k}={v}" for k, v in options.items())]
    return ".venv/bin/python scripts/evaluate.py --model openai:" + ",".join(parts)


def _system_role(base_url: str) -> bool:
    """Whether the server's chat template keeps a system message (``/props``; True if unknown)."""
    import httpx

    try:
        caps = (
            httpx.get(base_url.removesuffix("/v1") + "/props", timeout=5.0).json().get("chat_template_caps")
        )
    except (httpx.HTTPError, ValueError, AttributeError):
        return True
    return not isinstance(caps, dict) or caps.get("supports_system_role", True) is not False


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def serve(args: argparse.Namespace) -> int:
    """Start the server, print how to use it, serve until Ctrl-C (or stop at once with --check)."""
    from benchmark.llm_server.process import LlamaServer

    cfg, options = served_item(args)
    cache = Path(args.cache_dir) if args.cache_dir else None
    print(
        f"serve_llm: loading {cfg.gguf} ({cfg.n_threads()} threads, {cfg.parallel} slots)...", file=sys.stderr
    )
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    with LlamaServer(cfg, cache_dir=cache) as server:
        if not _system_role(server.base_url) and options.get("prompt") != "completion":
            options["system_role"] = "no"  # the template drops system messages: instructions go first
        ready = f"ready in {server.load_seconds:g} s"
        print(f"serve_llm: {cfg.name} from {server.gguf} at {server.base_url} ({ready})", file=sys.stderr)
        print(model_line(server.base_url, cfg.name, options), flush=True)
        if args.check:
            return 0
        print("serve_llm: serving; Ctrl-C stops the server", file=sys.stderr, flush=True)
        try:
            while server.running():
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("serve_llm: stopping the server", file=sys.stderr)
            return 0
        print(f"serve_llm: the server exited on its own; log {server.log_path}", file=sys.stderr)
        server.stop(keep_log=True)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; the exit status (0 ok, 1 the server died, 2 a user mistake)."""
    args = parser().parse_args(argv)
    try:
        return serve(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
