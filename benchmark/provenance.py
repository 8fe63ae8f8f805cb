"""What a result depends on: versions, hashes, git commit, hardware; and secret scrubbing."""

from __future__ import annotations

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
SECRET_KEY = re.compile(r"(key|token|secret|password|authorization)", re.IGNORECASE)
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


def scrub(config: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an adapter config with secret-looking values replaced.

    Keys that merely name an environment variable (``api_key_env``) are kept: they hold
    a variable's name, not its value.

    Example:
        >>> scrub({"model": "m", "api_key": "sk-123", "api_key_env": "OPENAI_API_KEY"})
        {'model': 'm', 'api_key': '***', 'api_key_env': 'OPENAI_API_KEY'}
    """
    out: dict[str, Any] = {}
    for key, value in config.items():
        if SECRET_KEY.search(key) and not key.endswith("_env") and value not in (None, ""):
            out[key] = "***"
        elif isinstance(value, Mapping):
            out[key] = scrub(value)
        else:
            out[key] = value
    return out


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed versions of the packages that can change a score (absent ones omitted)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_commit() -> str | None:
    """The repository's HEAD commit (with ``-dirty`` if the tree has changes), or None."""
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
