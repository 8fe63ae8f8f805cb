"""Bridge to EleutherAI's lm-evaluation-harness (0.4.x): every task with an LLM prompt, our scorer.

:func:`write_lm_eval_tasks` writes a self-contained task folder; with it any model that
lm-eval supports runs the benchmark offline::

    lm_eval --model hf --model_args pretrained=/path/to/model \\
        --include_path build/lm_eval_tasks --tasks zh_ie

Layout (one lm-eval task ``zh_ie_<key>`` per registered task that has an LLM prompt)::

    OUT/
      zh_ie_<key>.yaml   task: one generation per request of the task (line, unit, question)
      zh_ie_<key>.jsonl  rows: doc_id, request index, prompt (the task's own), target (the gold answer)
      _zh_ie.yaml        group ``zh_ie`` = every task
      documents/         the gold documents the rows come from (read by the scorer)
      utils.py           hooks lm-eval imports: data loaders, ``process_results``, ``headline``
      README.md          how to run it, what the metrics mean

Prompts, answer parsing and scoring are the tasks' own (``Task.llm_requests``,
``Task.llm_parse``, ``Task.unit_stats``), imported from the installed ``benchmark`` package,
so a score is the project's score: each row's answer is parsed by the task, its string
mentions grounded as the harness grounds them (:func:`benchmark.runner.ground`), and the
row's per-unit statistics go to lm-eval; :func:`headline` sums them and applies the
headline's formula (micro F1 over lines, accuracy over questions, ...), exactly as
``scripts/evaluate.py`` does for the same answers. ``parse_failure_rate`` is the share of
answers the task could not read (such a unit scores as missed, never guessed).

The prompt style is chosen when the folder is written: ``chat`` (the system and user
messages joined; run lm-eval with ``--apply_chat_template``) or ``completion`` (the
few-shot text for base models).

Example:
    >>> task_name("example"), math.isnan(headline([]))
    ('zh_ie_example', True)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from benchmark import __version__
from benchmark.document import GUIDELINES_VERSION, Document
from benchmark.provenance import gold_hash
from benchmark.schema import atomic_write_text, dumps_jsonl

GROUP = "zh_ie"
SPLIT = "test"
TASK_VERSION = 2.0
MAX_GEN_TOKS = 512
STOP = ["\n\n"]
DOCUMENTS = "documents"


def task_name(key: str) -> str:
    """The lm-eval task of a benchmark task key (``zh_ie_<key>``)."""
    return f"{GROUP}_{key}"


def llm_task_keys(docs: Sequence[Document]) -> list[str]:
    """Registered tasks that have an LLM prompt and gold in ``docs``."""
    from benchmark.tasks import TASKS, get_task

    return [k for k in TASKS.names() if get_task(k).has_llm_prompt and any(k in d.gold for d in docs)]


# --------------------------------------------------------------------------- rows


def task_rows(key: str, docs: Sequence[Document], *, style: str = "chat") -> list[dict[str, Any]]:
    """The rows of ``zh_ie_<key>``: one per request of the task, with its prompt and gold answer."""
    from benchmark.adapters.base import InputDocument
    from benchmark.tasks import get_task

    task = get_task(key)
    rows = []
    for doc in docs:
        if key not in doc.gold:
            continue
        for index, request in enumerate(task.llm_requests(InputDocument.from_document(doc), style=style)):
            rows.append({
                "task": key, "doc_id": doc.id, "index": index, "where": request.where, "style": style,
                "prompt": request.text, "target": task.llm_reference(doc, request) or "",
            })  # fmt: skip
    return rows


# --------------------------------------------------------------------------- scoring hooks


def load_split(path: str | Path, expected_task: str | None = None, **_: Any) -> Any:
    """The rows of a JSONL file as a ``datasets.DatasetDict`` with one ``test`` split.

    Args:
        path: The JSONL file written by :func:`write_lm_eval_tasks`.
        expected_task: The versioned task the folder was generated for (``qa.v2``); when the
            installed benchmark scores another version the folder is stale.

    Raises:
        ValueError: When the installed benchmark's task version differs from ``expected_task``.
    """
    from datasets import Dataset, DatasetDict

    if expected_task:
        from benchmark.tasks import get_task

        installed = get_task(expected_task.split(".")[0]).name
        if installed != expected_task:
            raise ValueError(
                f"{path} was generated for {expected_task}, but the installed benchmark scores "
                f"{installed}; regenerate it with scripts/make_lm_eval_tasks.py"
            )
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return DatasetDict({SPLIT: Dataset.from_list(rows)})


@cache
def _documents(folder: str) -> dict[str, Any]:
    """The gold documents of a task folder, by id, with their adapter view (loaded once)."""
    from benchmark.adapters.base import InputDocument
    from benchmark.validate import load_corpus

    return {d.id: (d, InputDocument.from_document(d)) for d in load_corpus(Path(folder) / DOCUMENTS)}


def _first(results: Any) -> str:
    if isinstance(results, str):
        return results
    if isinstance(results, Sequence) and results:
        return str(results[0]) if results[0] is not None else ""
    return ""


def score_answer(folder: str | Path, row: Mapping[str, Any], answer: str) -> dict[str, Any]:
    """One row's answer, read and scored by its task.

    Returns:
        Headline name -> ``(task key, headline, per-unit statistics)`` for :func:`headline`,
        and ``parse_failure_rate`` (1.0 when the task could not read the answer).
    """
    from benchmark.adapters.base import Mention, Prediction
    from benchmark.runner import ground
    from benchmark.tasks import get_task
    from benchmark.tasks.base import ScoringContext

    task = get_task(str(row["task"]))
    doc, inp = _documents(str(Path(folder).resolve()))[str(row["doc_id"])]
    request = task.llm_requests(inp, style=str(row.get("style", "chat")))[int(row["index"])]
    parsed = task.llm_parse(inp, request, answer)
    records = list(parsed.records)
    if parsed.mentions:
        grounded, _ = ground(inp, Prediction(doc.id, mentions=[Mention(*m) for m in parsed.mentions]))
        records += grounded
    stats = task.unit_stats(doc, records, ScoringContext())
    rows = range(len(next(iter(stats.values())))) if request.target < 0 else [request.target]
    out: dict[str, Any] = {
        name: (task.key, name, [float(v) for v in value[list(rows)].sum(axis=0)])
        for name, value in stats.items()
    }
    return out | {"parse_failure_rate": 1.0 if parsed.failure is not None else 0.0}


def process_results(folder: str | Path, doc: Mapping[str, Any], results: Any) -> dict[str, Any]:
    """lm-eval's ``process_results`` hook (``utils.py`` passes its folder).

    Args:
        folder: The task folder (its ``documents/`` hold the gold).
        doc: One row of a task's JSONL file.
        results: The model's generations for the row (lm-eval passes a one-item list).
    """
    return score_answer(folder, doc, _first(results))


def headline(items: Sequence[Sequence[Any]]) -> float:
    """lm-eval aggregation: the headline's formula on summed per-unit statistics (NaN: undefined)."""
    import numpy as np

    from benchmark.tasks import get_task

    if not items:
        return math.nan
    key, name = str(items[0][0]), str(items[0][1])
    total = [sum(float(item[2][i]) for item in items) for i in range(len(items[0][2]))]
    rule = next(h for h in get_task(key).headlines if h.name == name)
    value = rule.score_fn(np.array(total))
    return math.nan if value is None else float(value)


# --------------------------------------------------------------------------- the task folder


class _Function(str):
    """A ``!function module.name`` reference in a generated YAML file."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if "\n" in value else None  # "\n\n", not a folded block
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Function, lambda dumper, value: dumper.represent_scalar("!function", str(value)))

UTILS_HEAD = '''"""lm-evaluation-harness hooks of the zh-ie benchmark tasks in this folder.

Generated by benchmark.bridges.lm_eval.write_lm_eval_tasks; do not edit. The scorers come from
the installed ``benchmark`` package (``pip install -e /path/to/the/project``); the data are the
JSONL files and the ``documents/`` folder next to this module.
"""

from pathlib import Path
from typing import Any

from benchmark.bridges import lm_eval

HERE = Path(__file__).resolve().parent
headline = lm_eval.headline


def process_results(doc: Any, results: Any) -> dict[str, Any]:
    """Score one row's generation with its task's parser and scorer."""
    return lm_eval.process_results(HERE, doc, results)
'''

UTILS_LOADER = '''

def load_{key}(**kwargs: Any) -> Any:
    """The {name} rows (one ``test`` split); ``kwargs`` are the task's metadata."""
    return lm_eval.load_split(HERE / "{name}.jsonl", kwargs.get("benchmark_task"))
'''


def _metric(name: str, aggregation: str | _Function, higher_is_better: bool = True) -> dict[str, Any]:
    return {"metric": name, "aggregation": aggregation, "higher_is_better": higher_is_better}


def _metrics(key: str, docs: Sequence[Document]) -> list[dict[str, Any]]:
    """The task's headlines that its scorer reports for a plain system, and the failure rate."""
    from benchmark.tasks import get_task
    from benchmark.tasks.base import ScoringContext

    task = get_task(key)
    doc = next(d for d in docs if key in d.gold)
    present = task.unit_stats(doc, [], ScoringContext())
    metrics = [
        _metric(h.name, _Function("utils.headline"), h.higher_is_better)
        for h in task.headlines
        if h.name in present
    ]
    return [*metrics, _metric("parse_failure_rate", "mean", higher_is_better=False)]


def _task_config(
    key: str, metrics: list[dict[str, Any]], metadata: dict[str, Any], stop: list[str]
) -> dict[str, Any]:
    return {
        "task": task_name(key),
        "tag": [f"{GROUP}_tasks"],
        "custom_dataset": _Function(f"utils.load_{key}"),
        "output_type": "generate_until",
        "test_split": SPLIT,
        "doc_to_text": "prompt",
        "doc_to_target": "target",
        "target_delimiter": "",
        "num_fewshot": 0,
        "generation_kwargs": {"until": stop, "do_sample": False, "max_gen_toks": MAX_GEN_TOKS},
        "process_results": _Function("utils.process_results"),
        "metric_list": metrics,
        "metadata": metadata,
    }


def _dump_yaml(config: Mapping[str, Any], header: str) -> str:
    body = yaml.dump(dict(config), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"# {header}\n{body}"


STYLE_NOTES = {
    "chat": "Chat style: keep `--apply_chat_template` (the instructions and the request are one user turn).",
    "completion": "Completion style (base models): the few-shot text is the whole prompt; generation stops "
    "at a blank line.",
}


def _folder_readme(info: Mapping[str, Any]) -> str:
    rows = "\n".join(
        f"| `{task_name(key)}` | `{meta['benchmark_task']}` | {meta['rows']} | {', '.join(meta['metrics'])} |"
        for key, meta in info["tasks"].items()
    )
    chat = " --apply_chat_template" if info["style"] == "chat" else ""
    return f"""# zh-ie benchmark tasks for lm-evaluation-harness

Generated by `python scripts/make_lm_eval_tasks.py` (benchmark {info["benchmark_version"]},
guidelines {info["guidelines_version"]}, gold hash `{info["gold_hash"]}`, prompt style
`{info["style"]}`). Do not edit: regenerate.

The prompts, answer parsers and scorers are the tasks' own, imported from the installed
`benchmark` package, so install the project (`pip install -e .`) in the environment that runs
lm-eval. The data are the JSONL files and `documents/` here; nothing is downloaded.

```bash
lm_eval --model hf --model_args pretrained=/path/to/model,dtype=bfloat16 \\
    --include_path {info["folder"]} --tasks {GROUP}{chat} \\
    --output_path results/
```

{STYLE_NOTES[info["style"]]}
`--tasks {GROUP}` runs every task; name one with `--tasks {task_name("KEY")}`.

| task | benchmark task | rows | metrics |
|---|---|---:|---|
{rows}

Each metric is the task's headline computed as `scripts/evaluate.py` computes it on the same
answers (micro over units, not a mean of per-row scores); `parse_failure_rate` is the share of
answers the task could not read, which score as missed. lm-eval reports no standard error for
these; the project's harness gives 95% bootstrap intervals. With `--limit` the scores cover only
the first rows. The benchmark has {info["n_documents"]} document(s): the intervals are wide.

lm-eval warns "Custom kwargs can be passed to `--metadata`" for each task: the data come from
`custom_dataset` loaders in `utils.py` (so the folder can be moved), which is expected.
"""


def write_lm_eval_tasks(docs: Sequence[Document], out_dir: str | Path, *, style: str = "chat") -> Path:
    """Write the lm-evaluation-harness task folder: one task per task with an LLM prompt.

    Args:
        docs: The gold documents (e.g. ``benchmark.validate.load_corpus()``).
        out_dir: The folder to write (created if needed). lm-eval loads every YAML file under
            an ``--include_path``, so give it a folder of its own.
        style: ``chat`` or ``completion`` (the tasks' few-shot prompt for base models).

    Returns:
        The folder, to pass to ``lm_eval --include_path``.

    Raises:
        ValueError: When no task with an LLM prompt has gold in ``docs``, or for an unknown style.
    """
    from benchmark.tasks import get_task
    from benchmark.tasks.llm import COMPLETION_STOP, STYLES
    from benchmark.variants import write_variant

    if style not in STYLES:
        raise ValueError(f"unknown prompt style {style!r}; expected one of {', '.join(STYLES)}")
    out = Path(out_dir)
    keys = llm_task_keys(docs)
    if not keys:
        raise ValueError("the documents hold no gold of a task with an LLM prompt")
    common = {
        "version": TASK_VERSION,
        "benchmark_version": __version__,
        "guidelines_version": GUIDELINES_VERSION,
    }
    header = "Generated by benchmark.bridges.lm_eval.write_lm_eval_tasks; do not edit."
    stop = list(COMPLETION_STOP) if style == "completion" else list(STOP)
    files: dict[str, str] = {}
    utils = UTILS_HEAD
    tasks_info: dict[str, Any] = {}
    for key in keys:
        task, rows = get_task(key), task_rows(key, docs, style=style)
        metrics = _metrics(key, docs)
        meta = common | {
            "benchmark_task": task.name,
            "gold_hash": gold_hash(docs, [key]),
            "prompt_sha256": task.llm_prompt(style=style).sha256,
            "prompt_style": style,
        }
        files[f"{task_name(key)}.jsonl"] = dumps_jsonl(rows)
        files[f"{task_name(key)}.yaml"] = _dump_yaml(_task_config(key, metrics, meta, stop), header)
        utils += UTILS_LOADER.format(key=key, name=task_name(key))
        tasks_info[key] = {
            "benchmark_task": task.name,
            "rows": len(rows),
            "metrics": [m["metric"] for m in metrics],
        }
    group = {"group": GROUP, "task": [task_name(k) for k in keys], "metadata": {"version": TASK_VERSION}}
    files[f"_{GROUP}.yaml"] = _dump_yaml(group, header)
    files["utils.py"] = utils
    info = common | {
        "tasks": tasks_info,
        "gold_hash": gold_hash(docs, keys),
        "folder": str(out.resolve()),
        "n_documents": len(docs),
        "style": style,
    }
    files["README.md"] = _folder_readme(info)
    for name, text in files.items():
        atomic_write_text(out / name, text)
    for doc in docs:
        write_variant(doc, out / DOCUMENTS)
    return out
