"""System names: the folder name of a model's runs and its leaderboard row.

A name a user gives (``--name``, YAML ``as:``) must be a slug, checked by
:func:`validate_system_name`; a default name derived from a model id
(``Qwen/Qwen2.5-7B-Instruct``) is made one by :func:`slug`, never refused.

Example:
    >>> slug("Qwen/Qwen2.5-7B-Instruct")
    'qwen-qwen2.5-7b-instruct'
    >>> validate_system_name("我的系统-v2")
    '我的系统-v2'
    >>> try:
    ...     validate_system_name("../../x")
    ... except ValueError as exc:
    ...     print(str(exc)[:60])
    invalid system name '../../x': a name is 1 to 64 letters, di
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

MAX_LENGTH = 64
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NAME = re.compile(rf"[A-Za-z0-9_{_CJK}][A-Za-z0-9_.{_CJK}-]{{0,{MAX_LENGTH - 1}}}")
RULE = (
    f"a name is 1 to {MAX_LENGTH} letters, digits, '-', '_', '.' or Chinese characters, "
    "with no '/' or spaces, not starting with '.' or '-'"
)


def validate_system_name(name: str) -> str:
    """Return ``name`` if it is a valid system name; raise ValueError with the rule otherwise.

    Raises:
        ValueError: ``invalid system name NAME: RULE`` (the name shortened when very long).
    """
    if isinstance(name, str) and _NAME.fullmatch(name):
        return name
    shown = repr(name) if len(str(name)) <= 80 else f"{str(name)[:40]!r}... ({len(str(name))} characters)"
    raise ValueError(f"invalid system name {shown}: {RULE}")


def slug(text: str, *, length: int = MAX_LENGTH) -> str:
    """A valid system name made from any text: lowercase, other runs of characters become ``-``.

    Example:
        >>> slug("  Hello World!! "), slug("..x"), slug("///")
        ('hello-world', 'x', 'system')
    """
    out = re.sub(r"[^a-z0-9._-]+", "-", text.lower())
    out = out[:length].strip("-.")
    return out or "system"


def default_name(adapter: str, options: Mapping[str, Any] | None = None) -> str:
    """The default row name: the adapter's name, plus a slug of the last part of its ``model``
    option when it has one, so two configurations of one adapter get two rows.

    Example:
        >>> default_name("openai", {"model": "Qwen/Qwen2.5-7B-Instruct", "base_url": "http://h/v1"})
        'openai-qwen2.5-7b-instruct'
        >>> default_name("hf-ner", {"model": "models/msra-char-bert/"}), default_name("jieba")
        ('hf-ner-msra-char-bert', 'jieba')
    """
    model = (options or {}).get("model")
    if not isinstance(model, str) or not re.search(r"[A-Za-z0-9]", model):
        return adapter
    last = PurePosixPath(model.replace("\\", "/").rstrip("/")).name or model
    if not re.search(r"[A-Za-z0-9]", last):
        last = model
    return f"{adapter}-{slug(last, length=MAX_LENGTH - len(adapter) - 1)}".rstrip("-.")
