"""What a result depends on: versions, hashes, git commit, hardware; and secret scrubbing."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmark import __version__
from benchmark.document import GUIDELINES_VERSION, Document, sha256_text
from benchmark.schema import dumps_jsonl

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("numpy", "scikit-learn", "jieba", "cn2an", "transformers", "torch", "datasets", "thulac", "LAC",
            "paddlepaddle")  # fmt: skip


def stable_hash(obj: Any, *, length: int = 64) -> str:
    """sha256 of the canonical JSON of ``obj`` (sorted keys, Chinese unescaped).

    Example:
        >>> stable_hash({"b": 1, "a": "四川"}, length=12) == stable_hash({"a": "四川", "b": 1}, length=12)
        True
    """
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def gold_hash(docs: Sequence[Document], task_keys: Iterable[str] | None = None) -> str:
    """Content hash of the gold of the given tasks (all tasks by default) over ``docs``."""
    parts = []
    for doc in sorted(docs, key=lambda d: d.id):
        for key in sorted(task_keys if task_keys is not None else doc.gold):
            parts.append([doc.id, key, sha256_text(dumps_jsonl(doc.gold.get(key, [])))])
    return stable_hash(parts)


def documents_fingerprint(docs: Sequence[Document]) -> list[list[str]]:
    """``[id, text sha256]`` for every document, sorted by id."""
    return sorted([doc.id, sha256_text(doc.text)] for doc in docs)


#: Words that make an option name secret (``api_key``, ``access_token``, ``password``); counts
#: such as ``max_tokens`` or ``max_new_tokens`` are not secrets.
SECRET_WORDS = frozenset({"key", "apikey", "token", "secret", "password", "passwd", "authorization", "auth",
                          "credential", "credentials", "bearer", "cookie", "signature", "sig"})  # fmt: skip
_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s?#]*)@")
_QUERY_PAIR = re.compile(r"(?P<sep>[?&;])(?P<name>[^=&;#\s]+)=(?P<value>[^&;#\s]*)")


def _secret_name(name: str) -> bool:
    """Whether an option or query parameter name denotes a secret (by its words, not substrings)."""
    if name.endswith("_env"):  # holds the NAME of an environment variable, not its value
        return False
    words = [w.lower() for w in re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", name) if w]
    return any(w in SECRET_WORDS for w in words) or name.lower() in ("apikey", "api-key", "x-api-key")


def scrub_text(text: str) -> str:
    """``text`` with URL credentials (``user:KEY@``) and secret-looking query values replaced.

    Example:
        >>> scrub_text("http://user:sk-1@host:8000/v1?api_key=sk-2&model=m")
        'http://***@host:8000/v1?api_key=***&model=m'
    """
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}***@", text)

    def query(m: re.Match[str]) -> str:
        hidden = _secret_name(m["name"]) and m["value"]
        return f"{m['sep']}{m['name']}={'***' if hidden else m['value']}"

    return _QUERY_PAIR.sub(query, text) if "=" in text else text


def scrub(config: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an adapter config with secrets removed, for anything that is recorded.

    Values of secret-named options are replaced (``api_key``, ``access_token``; not
    ``max_tokens``), and every string anywhere in the config loses URL credentials and
    secret query parameters. Keys that merely name an environment variable (``api_key_env``)
    are kept: they hold a variable's name, not its value.

    Example:
        >>> scrub({"model": "m", "api_key": "sk-123", "api_key_env": "OPENAI_API_KEY", "max_tokens": 64})
        {'model': 'm', 'api_key': '***', 'api_key_env': 'OPENAI_API_KEY', 'max_tokens': 64}
        >>> scrub({"base_url": "http://user:KEY@host/v1", "max_new_tokens": 8})
        {'base_url': 'http://***@host/v1', 'max_new_tokens': 8}
    """
    out: dict[str, Any] = {}
    for key, value in config.items():
        if _secret_name(str(key)) and value not in (None, ""):
            out[key] = "***"
        else:
            out[key] = _scrub_value(value)
    return out


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return scrub(value)
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed versions of the packages that can change a score (absent ones omitted)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The repository's HEAD commit (with ``-dirty`` if the tree has changes), or None.

    Asked once per process: every run record an evaluation writes names the same commit."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              timeout=5, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=5).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}-dirty" if dirty else head


def hardware() -> dict[str, Any]:
    """CPU, core count and platform (GPU name when torch is already imported and sees one)."""
    info: dict[str, Any] = {
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
    }
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def environment() -> dict[str, Any]:
    """Benchmark version, guidelines version, Python, packages, git commit and hardware."""
    return {
        "benchmark_version": __version__,
        "guidelines_version": GUIDELINES_VERSION,
        "python": platform.python_version(),
        "packages": package_versions(),
        "git_commit": git_commit(),
        "hardware": hardware(),
    }
