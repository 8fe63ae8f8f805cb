"""Models from YAML: ``--model-config`` files and the configured models of ``configs/default.yaml``.

A YAML file is ``models: [{name: ADAPTER, as: SYSTEM_NAME, options: {...}}]`` (or a mapping
adapter -> options). ``as:`` is a system name a user gives, so it must be a slug and may not
take another adapter's or configured model's name.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from benchmark.cli._checks import check_reserved, read_config_text, system_name
from benchmark.errors import UserError
from benchmark.runner import ModelSpec

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO / "configs" / "default.yaml"


def read_specs(path: str | Path, *, configured: dict[str, str] | None = None) -> list[ModelSpec]:
    """The models of a YAML file; ``configured`` (name -> adapter) are names the file may not reuse."""
    import yaml

    try:
        data = yaml.safe_load(read_config_text(path))
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: invalid YAML: {' '.join(str(exc).split())}") from None
    items = data.get("models", data) if isinstance(data, dict) and "models" in data else data
    if isinstance(items, dict):
        items = [{"name": k, "options": v or {}} for k, v in items.items()]
    if not isinstance(items, list):
        raise UserError(f"{path}: expected a list of {{name, options}} or a mapping name -> options")
    specs = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise UserError(f"{path}: item {i}: expected a mapping with 'name' (and 'options')")
        options = item.get("options") or {}
        if not isinstance(options, dict):
            raise UserError(f"{path}: item {i} ({item['name']}): 'options' must be a mapping")
        name = item.get("as")
        if name is not None:
            where = f"{path}: item {i} ({item['name']}): 'as'"
            name = system_name(name, option=where)
            check_reserved(name, item["name"], option=where, configured=configured or {})
        spec = ModelSpec(item["name"], options, name)
        if "serve" in item:  # a GGUF that this command serves itself (benchmark/llm_server)
            from benchmark.llm_server.specs import served_spec

            spec = served_spec(spec, item["serve"], where=f"{path}: item {i} ({item['name']}): serve")
        specs.append(spec)
    return specs


def configured_models(*, quiet: bool = False) -> list[ModelSpec]:
    """The models of configs/default.yaml whose local files exist (others skipped with a line)."""
    if not DEFAULT_CONFIG.exists():
        return []
    specs = []
    for spec in read_specs(DEFAULT_CONFIG):
        path = spec.options.get("model")
        if isinstance(path, str) and not Path(path).is_absolute() and not Path(path).exists():
            if not (REPO / path).exists():
                if not quiet:
                    print(f"skip {spec.model}: {path} not found", file=sys.stderr)
                continue
            if Path.cwd().resolve() != REPO:
                spec = ModelSpec(spec.adapter, spec.options | {"model": str(REPO / path)}, spec.name)
        specs.append(spec)
    return specs


def configured_adapters() -> dict[str, str]:
    """Configured model name -> its adapter name (configs/default.yaml, present or not)."""
    if not DEFAULT_CONFIG.exists():
        return {}
    return {s.model: str(s.adapter) for s in read_specs(DEFAULT_CONFIG) if s.name}


def configured_model(name: str, options: dict[str, Any]) -> ModelSpec | None:
    """``--model NAME[:options]`` for a configured model (its options, then the given ones)."""
    if name not in configured_adapters():
        return None
    for spec in configured_models(quiet=True):
        if spec.model == name:
            return ModelSpec(spec.adapter, spec.options | options, spec.name)
    raise UserError(f"--model {name}: configured in {DEFAULT_CONFIG.relative_to(REPO)}, but its model "
                    "files are missing here")  # fmt: skip
