"""The body of ``evaluate.py`` (imported after argument parsing).

Every user mistake is found before any adapter runs and raised as a one-line
:class:`~benchmark.errors.UserError` (exit status 2, nothing recorded): options and their
combinations, names, the output folder, the model config, predictions files, and each
adapter's :meth:`~benchmark.adapters.Adapter.preflight` (a missing model folder, an
unreachable server), which is skipped for a run whose predictions are all stored.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from benchmark.adapters import ADAPTERS, Adapter, Prediction, PreflightError, get_adapter
from benchmark.adapters.options import OptionError, parse_model_spec
from benchmark.cli._checks import check_combination, check_output, check_reserved, document_ids, task_keys
from benchmark.cli._config import DEFAULT_CONFIG, REPO, configured_adapters, configured_model, read_specs
from benchmark.cli._config import configured_models as _configured_defaults
from benchmark.errors import UserError
from benchmark.llm_server.specs import ServedSpec, serve_if_configured
from benchmark.records import run_folder
from benchmark.registry import UnknownNameError
from benchmark.runner import ModelSpec, RunSummary, run_id_of, run_model, task_cache_key
from benchmark.schema import SchemaError
from benchmark.tasks import TASKS, get_task
from benchmark.validate import load_corpus, problem_report, task_for_file, validate_predictions


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def adapter_options(cls: type[Adapter]) -> tuple[list[str], list[str]]:
    """An adapter's options as ``key=default`` strings, and the required ones.

    An adapter that is not ``offline`` needs the options whose default is empty (``model``).
    """
    if not dataclasses.is_dataclass(cls.Options):
        return [], []
    shown, required = [], []
    for f in dataclasses.fields(cls.Options):
        default = f.default if f.default is not dataclasses.MISSING else None
        if default == "" and not cls.offline:
            required.append(f.name)
            shown.append(f"{f.name} (required)")
        else:
            shown.append(f"{f.name}={default}")
    return shown, required


def list_models() -> str:
    """Per adapter: installed or not, tasks, labels, options (required ones marked), an example."""
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
        shown, required = adapter_options(cls)
        if shown:
            lines.append(f"{'':<16} options: {', '.join(shown)}")
        example = f"{name}:" + ",".join(f"{k}=..." for k in required) if required else name
        lines.append(f"{'':<16} example: .venv/bin/python scripts/evaluate.py --model {example}")
    configured = configured_adapters()
    if configured:
        where = DEFAULT_CONFIG.relative_to(REPO)
        for model, adapter in configured.items():
            lines.append(f"{model:<16} configured in {where} ({adapter} with its options); in the main job")
            lines.append(f"{'':<16} example: .venv/bin/python scripts/evaluate.py --model {model}")
    lines.append(NAMING)
    return "\n".join(lines)


NAMING = (
    "Row names: the adapter's name, plus a slug of its model option when it has one (hf-ner with "
    "model=models/msra-char-bert is hf-ner-msra-char-bert; openai with model=Qwen/Qwen2.5-7B-Instruct is "
    "openai-qwen2.5-7b-instruct); 'as:' in --model-config, or --name for --predictions, overrides it."
)


def list_tasks() -> str:
    """One line per task: key, versioned name (either is accepted by ``--tasks``), description."""
    return "\n".join(f"{k:<8} {get_task(k).name:<11} {get_task(k).description}" for k in TASKS.names())


def model_specs(args: argparse.Namespace) -> tuple[list[ModelSpec], bool]:
    """The requested models (or every offline adapter and the configured models) and whether
    the default set is used."""
    specs = []
    for value in args.model:
        try:
            name, options = parse_model_spec(value)
        except OptionError as exc:
            raise UserError(str(exc)) from None
        spec = None if name in ADAPTERS else configured_model(name, options)
        specs.append(spec or ModelSpec(name, options))
    configured = configured_adapters() if args.model_config or args.add_config else {}

    def models_in(path: str) -> list[ModelSpec]:
        found = read_specs(path, configured=configured)
        if not found:
            raise UserError(f"{path}: no models in it (expected models: [{{name: ADAPTER}}])")
        return found

    if args.model_config:
        specs += models_in(args.model_config)
    added = models_in(args.add_config) if args.add_config else []
    if specs:
        return specs + added, False
    defaults = [ModelSpec(n) for n in ADAPTERS.names() if get_adapter(n).offline]
    return defaults + _configured_defaults() + added, True


def _check(specs: list[ModelSpec]) -> None:
    """Fail early, on one line, for an unknown adapter or a bad option."""
    for spec in specs:
        try:
            cls = get_adapter(spec.adapter) if isinstance(spec.adapter, str) else spec.adapter
            cls.from_config(spec.options)
        except UnknownNameError as exc:
            configured = ", ".join(configured_adapters())
            extra = f" (configured models: {configured})" if configured else ""
            raise UserError(f"{exc}{extra}") from None
        except OptionError as exc:
            raise UserError(str(exc)) from None


def _needs_predictions(adapter: Adapter, spec: ModelSpec, docs: list[Any], keys: list[str],
                       results: Path) -> bool:  # fmt: skip
    """Whether some task of this run has no stored predictions under its cache key."""
    tasks = [get_task(k) for k in keys if k in adapter.tasks]
    meta = run_folder(results, spec.model, run_id_of(adapter, docs)) / "meta.json"
    try:
        stored = json.loads(meta.read_text(encoding="utf-8")).get("tasks", {})
    except (OSError, ValueError, AttributeError):
        return bool(tasks)
    for task in tasks:
        entry = stored.get(task.key) if isinstance(stored, dict) else None
        key = task_cache_key(adapter, task, [d for d in docs if task.key in d.gold])
        if not isinstance(entry, dict) or entry.get("status") != "ok" or entry.get("cache_key") != key:
            return True
    return False


def preflight(specs: list[ModelSpec], document_sets: list[tuple[str, list[Any]]], keys: list[str],
              results: Path, *, force: bool, stack: contextlib.ExitStack | None = None) -> None:  # fmt: skip
    """Each available adapter's preflight check, unless every run it would make is stored.

    A model configured with ``serve:`` gets its llama.cpp server started first (``stack``
    stops it when the command ends).
    """
    for spec in specs:
        cls = spec.adapter if isinstance(spec.adapter, type) else get_adapter(spec.adapter)
        if not cls.available()[0]:
            continue
        adapter = cls.from_config(spec.options)
        if force or any(_needs_predictions(adapter, spec, docs, keys, results) for _, docs in document_sets):
            if stack is not None and isinstance(spec, ServedSpec):
                serve_if_configured(spec, stack)
                adapter = cls.from_config(spec.options)
            try:
                adapter.preflight()
            except PreflightError as exc:
                raise UserError(_prefixed(spec.model, exc)) from None


def _prefixed(model: str, exc: Exception) -> str:
    """The message of ``exc``, starting with the model's name (once)."""
    message = str(exc)
    return message if message.startswith((f"{model}:", f"{model} ")) else f"{model}: {message}"


def _shown(path: Path) -> str:
    """``path`` relative to the repository or the working folder; else only its last two parts."""
    for base in (REPO, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(Path(*path.resolve().parts[-2:]))


def _external(args: argparse.Namespace, docs: list[Any]) -> ModelSpec:
    """A pseudo-adapter that returns a predictions file (validated first) made elsewhere."""
    check_reserved(args.name, None, option="--name", configured=configured_adapters())
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
        for line in problem_report(problems):
            print(line, file=sys.stderr)
        raise UserError(f"invalid predictions: {len(problems)} problem(s) (listed above); nothing recorded")
    if not loaded:
        names = ", ".join(get_task(k).gold_file for k in TASKS.names())
        raise UserError(f"{path}: no task file ({names})")

    class FilePredictions(Adapter):
        name = args.name
        version = "file"
        tasks = tuple(loaded)
        description = f"predictions read from {_shown(path)}"

        def predict(self, task: str, documents: Any) -> list[Prediction]:
            return [Prediction(d.id, list(loaded[task].get(d.id, []))) for d in documents]

    return ModelSpec(FilePredictions, {}, args.name)


class _NoProgress:
    """What :func:`_progress` returns when stderr is not a terminal: a bar that draws nothing."""

    def update(self, n: int = 1) -> None: ...

    def set_description(self, text: str) -> None: ...

    def set_postfix_str(self, text: str) -> None: ...

    def close(self) -> None: ...


def _progress(total: int) -> Any:
    """A tqdm bar on a terminal; otherwise one that draws nothing (and tqdm is not imported)."""
    if not sys.stderr.isatty():
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, file=sys.stderr, leave=False, unit="task")


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
    """Check every input, run the models, rebuild the leaderboard; return the exit status.

    The llama.cpp servers of served models (``serve:`` in a model config) are stopped on return,
    on an error and on Ctrl-C.
    """
    with contextlib.ExitStack() as stack:
        return _run(args, stack)


def _run(args: argparse.Namespace, stack: contextlib.ExitStack) -> int:
    """The body of :func:`run`; ``stack`` holds the servers it starts."""
    if args.list_tasks:
        print(list_tasks())
        return 0
    if args.list_models:
        print(list_models())
        return 0
    check_combination(args)
    keys = task_keys(args.tasks)
    variants = variant_names(args.variants)
    ids = document_ids(args.documents)
    try:
        docs = load_corpus(ids=ids)
    except SchemaError as exc:
        for line in problem_report(exc.problems):
            print(line, file=sys.stderr)
        raise UserError(f"the gold does not validate ({len(exc.problems)} problem(s) listed above)") from None
    if args.predictions:
        if args.add_config:
            raise UserError("--predictions cannot be combined with --add-config (run them separately)")
        specs, default = [_external(args, docs)], False
    else:
        specs, default = model_specs(args)
        _check(specs)
    results = check_output(args.output)
    document_sets: list[tuple[str, list[Any]]] = [("", docs)]
    if variants:
        from benchmark.robustness import variant_documents

        document_sets += [(name, variant_documents(docs, name)) for name in variants]
    preflight(specs, document_sets, keys, results, force=args.force, stack=stack)
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
            try:
                summary = run_model(
                    spec, documents, keys, results=results, force=args.force, seed=args.seed,
                    n_resamples=args.resamples, timeout=args.timeout, on_task=on_task,
                )  # fmt: skip
            except PreflightError as exc:
                raise UserError(_prefixed(spec.model, exc)) from None
            if variant:
                summary.model = f"{summary.model} ~{variant}"
            if summary.message:
                print(f"{summary.model}: {summary.status}: {summary.message}", file=sys.stderr)
            summaries.append(summary)
            bar.update(1)
    bar.close()
    if not args.no_leaderboard:
        from benchmark.publish import publish

        whole = docs if ids is None else None  # the board is built on the whole corpus
        written = publish(results, seed=args.seed, n_resamples=args.resamples, docs=whole)
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
