"""Typed adapter options: a dataclass per adapter, parsed and validated from strings or YAML.

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Opts:
    ...     batch_size: int = 8
    ...     device: str = "auto"
    >>> parse_options(Opts, {"batch_size": "16"}, adapter="demo")
    Opts(batch_size=16, device='auto')
    >>> try:
    ...     parse_options(Opts, {"batch": "16"}, adapter="demo")
    ... except OptionError as exc:
    ...     print(exc)
    demo: unknown option 'batch'; did you mean 'batch_size'? Options: batch_size, device
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

#: What an option named ``*_env`` must hold: an environment variable's name, never a secret itself.
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


class OptionError(ValueError):
    """A wrong option key or value; the message names the adapter, the option and what was expected."""


@dataclasses.dataclass(frozen=True)
class NoOptions:
    """For adapters without options."""


def _coerce(value: Any, annotation: Any, *, where: str) -> Any:
    origin = get_origin(annotation)
    if origin is Literal:
        choices = get_args(annotation)
        if value not in choices:
            raise OptionError(f"{where}: {value!r} is not one of {', '.join(map(repr, choices))}")
        return value
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        empty = value is None or (isinstance(value, str) and value.lower() in ("", "none"))
        if empty and type(None) in get_args(annotation):
            return None
        return _coerce(value, args[0], where=where)
    if annotation is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no"):
            return value.lower() in ("true", "1", "yes")
        raise OptionError(f"{where}: expected true or false, got {value!r}")
    if annotation in (int, float):
        if isinstance(value, bool):
            raise OptionError(f"{where}: expected {annotation.__name__}, got {value!r}")
        try:
            return annotation(value)
        except (TypeError, ValueError):
            raise OptionError(f"{where}: expected {annotation.__name__}, got {value!r}") from None
    if annotation is str:
        if isinstance(value, str | int | float):
            return str(value)
        raise OptionError(f"{where}: expected a string, got {value!r}")
    return value  # other types (dicts from YAML) pass through as given


def parse_options(cls: type, raw: Mapping[str, Any], *, adapter: str) -> Any:
    """Build the options dataclass ``cls`` from ``raw`` (CLI strings or YAML values).

    Raises:
        OptionError: For an unknown key (with "did you mean") or a value of the wrong type.
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in raw.items():
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ";"
            known = ", ".join(fields) or "(none)"
            raise OptionError(f"{adapter}: unknown option {key!r}{hint} Options: {known}")
        values[key] = _coerce(value, hints[key], where=f"{adapter}: option {key!r}")
        if key.endswith("_env") and values[key] and not ENV_NAME.fullmatch(str(values[key])):
            raise OptionError(f"{adapter}: option {key!r} takes the NAME of an environment variable (such "
                              "as OPENAI_API_KEY), not a key itself; the value given is not shown. Put the "
                              "key in the environment: export OPENAI_API_KEY=...")  # fmt: skip
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"{adapter}: {exc}") from None


def parse_model_spec(spec: str) -> tuple[str, dict[str, str]]:
    """Split ``NAME:key=value,key=value`` into the name and raw options.

    Example:
        >>> parse_model_spec("hf-ner:model=models/msra,batch_size=8")
        ('hf-ner', {'model': 'models/msra', 'batch_size': '8'})
    """
    name, _, rest = spec.partition(":")
    options: dict[str, str] = {}
    for part in filter(None, rest.split(",")):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise OptionError(f"{name}: expected key=value in {part!r} (from {spec!r})")
        options[key.strip()] = value.strip()
    return name.strip(), options
