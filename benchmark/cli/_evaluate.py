"""The body of ``evaluate.py`` (imported after argument parsing)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from benchmark.adapters import ADAPTERS, Adapter, Prediction, get_adapter
from benchmark.adapters.options import OptionError, parse_model_spec
from benchmark.errors import UserError
from benchmark.registry import UnknownNameError
from benchmark.runner import ModelSpec, RunSummary, run_model
from benchmark.schema import SchemaError
from benchmark.tasks import TASKS, get_task
from benchmark.validate import load_corpus, task_for_file, validate_predictions


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def list_models() -> str:
    """One line per adapter: name, installed or not, tasks, labels, description."""
    lines = []
    for name in ADAPTERS.names():
        cls = get_adapter(name)
        ok, hint = cls.available()
        state = "installed" if ok else f"not installed ({hint})"
        labels = ",".join(cls.labels) if cls.labels else "-"
        merged = " merged:" + ";".join("|".join(g) for g in cls.merged_labels) if cls.merged_labels else ""
        where = "offline" if cls.offline else "needs options (model path or server)"
        lines.append(f"{name:<16} {state}; tasks={','.join(cls.tasks)}; labels={labels}{merged}; {where}")
        if cls.description:
            lines.append(f"{'':<16} {cls.description}")
    return "\n".join(lines)


def list_tasks() -> str:
    return "\n".join(f"{k:<8} {get_task(k).name:<11} {get_task(k).description}" for k in TASKS.names())


REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO / "configs" / "default.yaml"


def _read_yaml(path: str | Path) -> list[ModelSpec]:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: invalid YAML: {exc}") from None
    items = data.get("models", data) if isinstance(data, dict) and "models" in data else data
    if isinstance(items, dict):
        items = [{"name": k, "options": v or {}} for k, v in items.items()]
    if not isinstance(items, list):
        raise UserError(f"{path}: expected a list of {{name, options}} or a mapping name -> options")
    specs = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "name" not in item:
            raise UserError(f"{path}: item {i}: expected a mapping with 'name' (and 'options')")
        options = item.get("options") or {}
        if not isinstance(options, dict):
            raise UserError(f"{path}: item {i} ({item['name']}): 'options' must be a mapping")
        specs.append(ModelSpec(str(item["name"]), options, item.get("as")))
    return specs


def model_specs(args: argparse.Namespace) -> tuple[list[ModelSpec], bool]:
    """The requested models (or every offline adapter) and whether the default set is used."""
    specs = []
    for value in args.model:
        try:
            name, options = parse_model_spec(value)
        except OptionError as exc:
            raise UserError(str(exc)) from None
        specs.append(ModelSpec(name, options))
    if args.model_config:
        specs += _read_yaml(args.model_config)
    if specs:
        return specs, False
    defaults = [ModelSpec(n) for n in ADAPTERS.names() if get_adapter(n).offline]
    return defaults + _configured_defaults(), True


def _configured_defaults() -> list[ModelSpec]:
    """The models of configs/default.yaml whose local files exist (others skipped with a line)."""
    if not DEFAULT_CONFIG.exists():
        return []
    specs = []
    for spec in _read_yaml(DEFAULT_CONFIG):
        path = spec.options.get("model")
        if isinstance(path, str) and not Path(path).is_absolute() and not Path(path).exists():
            if not (REPO / path).exists():
                print(f"skip {spec.model}: {path} not found", file=sys.stderr)
                continue
            if Path.cwd().resolve() != REPO:
                spec = ModelSpec(spec.adapter, spec.options | {"model": str(REPO / path)}, spec.name)
        specs.append(spec)
    return specs


def _check(specs: list[ModelSpec]) -> None:
    """Fail early, on one line, for an unknown adapter or a bad option."""
    for spec in specs:
        try:
            cls = get_adapter(spec.adapter)
            cls.from_config(spec.options)
        except UnknownNameError as exc:
            raise UserError(str(exc)) from None
        except OptionError as exc:
            raise UserError(str(exc)) from None


def _external(args: argparse.Namespace, docs: list[Any]) -> ModelSpec:
    """A pseudo-adapter that returns a predictions file (validated first) made elsewhere."""
    if not args.name:
        raise UserError("--predictions needs --name NAME (the system's name on the leaderboard)")
    path = Path(args.predictions)
    if not path.exists():
        raise UserError(f"{path}: no such file or folder")
    files = sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]
    by_id = {d.id: d for d in docs}
    loaded: dict[str, dict[str, list[Any]]] = {}
    problems = []
    for file in files:
        task = task_for_file(file)
        if task is None:
            continue
        doc_id = args.document or file.parent.name
        if doc_id not in by_id:
            known = ", ".join(by_id)
            raise UserError(f"{file}: unknown document {doc_id!r} (use --document; known: {known})")
        records, found = validate_predictions(file, by_id[doc_id], task)
        problems += found
        loaded.setdefault(task.key, {})[doc_id] = records
    if problems:
        raise UserError("invalid predictions:\n" + "\n".join(str(p) for p in problems))
    if not loaded:
        raise UserError(f"{path}: no task file (entities.jsonl, numeric_facts.jsonl, paragraphs.jsonl)")

    class FilePredictions(Adapter):
        name = args.name
        version = "file"
        tasks = tuple(loaded)
        description = f"predictions read from {path}"

        def predict(self, task: str, documents: Any) -> list[Prediction]:
            return [Prediction(d.id, list(loaded[task].get(d.id, []))) for d in documents]

    return ModelSpec(FilePredictions, {}, args.name)


def _progress(total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, disable=not sys.stderr.isatty(), file=sys.stderr, leave=False, unit="task")


def _fmt(score: dict[str, Any] | None) -> str:
    if not score or score.get("estimate") is None:
        return "n/a"
    low, high = score.get("low"), score.get("high")
    interval = f" [{low:.3f}, {high:.3f}]" if low is not None and high is not None else ""
    return f"{score['estimate']:.3f}{interval}"


def summary_table(summaries: list[RunSummary]) -> str:
    """A plain-text table of each model's primary scores."""
    keys = TASKS.names()
    titles = [f"{get_task(k).name} {get_task(k).primary.name}" for k in keys]
    head = f"{'model':<16} {'status':<8} " + " ".join(f"{t:<32}" for t in titles)
    lines = [head, "-" * len(head)]
    for s in summaries:
        cells = []
        for k in keys:
            outcome = s.outcomes.get(k)
            if outcome is None:
                cells.append("-")
            elif outcome.status != "ok":
                cells.append("FAILED")
            else:
                cells.append(_fmt(s.scores.get(k, {}).get("headline", {}).get(get_task(k).primary.name)))
        lines.append(f"{s.model:<16} {s.status:<8} " + " ".join(f"{c:<32}" for c in cells))
    return "\n".join(lines)


def variant_names(value: str | None) -> list[str]:
    """``all`` or a comma list of variant names (unknown names: "did you mean")."""
    if not value:
        return []
    import difflib

    from benchmark.variants import VARIANTS

    names = list(VARIANTS) if value.strip() == "all" else _split(value) or []
    for name in names:
        if name not in VARIANTS:
            close = difflib.get_close_matches(name, list(VARIANTS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UserError(f"unknown variant {name!r}{hint} Known: all, {', '.join(VARIANTS)}")
    return names


def run(args: argparse.Namespace) -> int:
    if args.list_tasks:
        print(list_tasks())
        return 0
    if args.list_models:
        print(list_models())
        return 0
    task_keys = _split(args.tasks) or TASKS.names()
    for key in task_keys:
        try:
            TASKS.get(key)
        except UnknownNameError as exc:
            raise UserError(str(exc)) from None
    try:
        docs = load_corpus(ids=_split(args.documents))
    except SchemaError as exc:
        raise UserError(f"the gold does not validate:\n{exc}") from None
    if args.predictions:
        specs, default = [_external(args, docs)], False
    else:
        specs, default = model_specs(args)
        _check(specs)
    results = Path(args.output)
    variants = variant_names(args.variants)
    document_sets: list[tuple[str, list[Any]]] = [("", docs)]
    if variants:
        from benchmark.robustness import variant_documents

        document_sets += [(name, variant_documents(docs, name)) for name in variants]
    summaries: list[RunSummary] = []
    bar = _progress(len(specs) * len(document_sets))
    for spec in specs:
        cls = spec.adapter if isinstance(spec.adapter, type) else get_adapter(spec.adapter)
        ok, hint = cls.available()
        if not ok:
            print(f"skip {spec.model}: {hint}", file=sys.stderr)
            if not default:
                summaries.append(RunSummary(spec.model, "skipped", message=hint))
            bar.update(len(document_sets))
            continue
        bar.set_description(spec.model)

        def on_task(key: str, status: str, model: str = spec.model) -> None:
            bar.set_postfix_str(f"{key}: {status}")
            if status.startswith("failed"):
                print(f"{model}: {key} failed (see errors.json)", file=sys.stderr)

        for variant, documents in document_sets:
            summary = run_model(
                spec, documents, task_keys, results=results, force=args.force, seed=args.seed,
                n_resamples=args.resamples, timeout=args.timeout, on_task=on_task,
            )  # fmt: skip
            if variant:
                summary.model = f"{summary.model} ~{variant}"
            if summary.message:
                print(f"{summary.model}: {summary.status}: {summary.message}", file=sys.stderr)
            summaries.append(summary)
            bar.update(1)
    bar.close()
    if not args.no_leaderboard:
        from benchmark.publish import publish

        written = publish(results, seed=args.seed, n_resamples=args.resamples)
        print(f"leaderboard: {', '.join(str(p) for p in written)}", file=sys.stderr)
    if args.json:
        out = {
            s.model: {
                "status": s.status,
                "run": str(s.run_path) if s.run_path else None,
                "scores": {k: v["headline"] for k, v in s.scores.items()},
            }
            for s in summaries
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(summary_table(summaries))
    return 0 if all(s.status == "ok" for s in summaries) else 1
