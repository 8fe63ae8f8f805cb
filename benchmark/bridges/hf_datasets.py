"""Bridge to Hugging Face ``datasets``: the gold as a loadable dataset folder with a card.

:func:`export_dataset` writes a folder that ``datasets.load_dataset(folder, name)`` loads
offline from local files: one config per task (``ner``, ``numeric``, ``topics``, ``qa``), each
with a ``test`` split stored as Parquet and declared in the YAML header of the dataset card
(``README.md``); the first config is the default. The card's descriptions of the
configs and of their fields are the tasks' own (``Task.description``, ``Task.fields``).
The rows are those of :func:`benchmark.export.to_datasetdict` (``Task.rows``),
so nothing is computed twice; Parquet keeps their exact features (nested lists, nulls).

Layout::

    OUT/
      README.md              dataset card: YAML header (configs, data_files) and documentation
      export_info.json       gold hash, guidelines and task versions, text sha256 per document
      ner/test.parquet       one row per non-empty line: text, entities, chars, BIO tags
      numeric/test.parquet   one row per non-empty line: text, numeric facts
      topics/test.parquet    one row per paragraph unit: section and topics
      qa/test.parquet        one row per question: answers, type, value, unit, evidence

The folder can be pushed to the Hub as is (``huggingface-cli upload``) or loaded locally.

Example:
    >>> _yaml_header({"configs": [{"config_name": "ner"}]}).splitlines()
    ['---', 'configs:', '- config_name: ner', '---']
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from benchmark import __version__
from benchmark.document import GUIDELINES_VERSION, Document
from benchmark.provenance import documents_fingerprint, gold_hash
from benchmark.schema import atomic_write_text

SPLIT = "test"
PROJECT = "zh-ie-benchmark"
PRETTY_NAME = "Chinese IE benchmark (hand-annotated news article)"


def _yaml_header(meta: Mapping[str, Any]) -> str:
    """The card's YAML front matter between ``---`` lines."""
    body = yaml.safe_dump(dict(meta), allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{body}---"


def _task(key: str) -> Any:
    from benchmark.tasks import get_task

    return get_task(key)


def _features_table(config: str, features: Any) -> str:
    """A Markdown table of one config's fields: name, type, meaning (the task's ``fields``)."""
    docs = _task(config).fields
    rows = ["| field | type | meaning |", "|---|---|---|"]
    for name, feature in features.items():
        kind = _type_name(feature)
        rows.append(f"| `{name}` | {kind} | {docs.get(name, '')} |")
    return "\n".join(rows)


def _type_name(feature: Any) -> str:
    """A short human name of a ``datasets`` feature (``string``, ``list<int64>``, ``list<struct>``)."""
    from datasets import Value

    if isinstance(feature, Value):
        return feature.dtype
    if isinstance(feature, dict):
        return "struct"
    inner = getattr(feature, "feature", None)
    if inner is not None:
        return f"list<{_type_name(inner)}>"
    if isinstance(feature, list) and feature:
        return f"list<{_type_name(feature[0])}>"
    return type(feature).__name__


def _task_versions() -> dict[str, str]:
    from benchmark.tasks import TASKS, get_task

    return {key: get_task(key).name for key in TASKS.names()}


def export_info(docs: Sequence[Document], configs: Sequence[str]) -> dict[str, Any]:
    """What identifies the exported gold: hashes, versions, row counts are added by the caller.

    Args:
        docs: The documents exported.
        configs: The task keys exported (one config each).

    Returns:
        A JSON-able dict: benchmark and guidelines versions, task versions, gold hash of the
        exported tasks, and ``[id, text sha256]`` per document.
    """
    versions = _task_versions()
    return {
        "benchmark_version": __version__,
        "guidelines_version": GUIDELINES_VERSION,
        "tasks": {key: versions[key] for key in configs},
        "gold_hash": gold_hash(docs, list(configs)),
        "documents": documents_fingerprint(docs),
    }


def _provenance_section(docs: Sequence[Document]) -> str:
    parts = []
    for doc in sorted(docs, key=lambda d: d.id):
        meta = doc.meta
        parts.append(
            f"- **{doc.id}**: {meta.get('title', '')}\n"
            f"  - Source: {meta.get('source', 'unknown')}\n"
            f"  - Licence: {meta.get('license', 'unknown')}\n"
            f"  - Annotation: {meta.get('provenance', 'unknown')}\n"
            f"  - Annotation date: {meta.get('annotation_date', 'unknown')}; "
            f"guidelines {meta.get('guidelines_version', GUIDELINES_VERSION)}"
        )
    return "\n".join(parts)


def dataset_card(
    docs: Sequence[Document], splits: Mapping[str, Any], info: Mapping[str, Any], files: Mapping[str, str]
) -> str:
    """The dataset card (``README.md``): YAML header for ``load_dataset`` plus documentation.

    Args:
        docs: The exported documents.
        splits: Task key -> ``datasets.Dataset`` of its rows.
        info: :func:`export_info` output (with ``rows``).
        files: Task key -> data file path relative to the folder.

    Returns:
        The card text, deterministic for the same gold.
    """
    configs = []
    for key in splits:
        entry: dict[str, Any] = {"config_name": key, "data_files": [{"split": SPLIT, "path": files[key]}]}
        if not configs:  # the first config (registry order) is the default
            entry["default"] = True
        configs.append(entry)
    header = {
        "pretty_name": PRETTY_NAME,
        "language": ["zh"],
        "license": "other",
        "license_name": "annotations-apache-2.0-text-quoted-for-research",
        "annotations_creators": ["expert-generated"],
        "language_creators": ["found"],
        "multilinguality": ["monolingual"],
        "size_categories": ["n<1K"],
        "source_datasets": ["original"],
        "task_categories": ["token-classification", "question-answering", "text-classification"],
        "task_ids": ["named-entity-recognition", "extractive-qa", "multi-label-classification"],
        "tags": ["information-extraction", "chinese", "news", "numeric-facts", "benchmark"],
        "configs": configs,
    }
    n_chars = sum(len(d.text) for d in docs)
    task_rows = "\n".join(
        f"| `{key}` | `{info['tasks'][key]}` | {len(ds)} | {_task(key).description} |"
        for key, ds in splits.items()
    )
    fields = "\n\n".join(f"### `{key}`\n\n{_features_table(key, ds.features)}" for key, ds in splits.items())
    documents = "\n".join(f"| `{doc_id}` | `{sha}` |" for doc_id, sha in info["documents"])
    gold_counts = ", ".join(f"{len(d.gold.get(k, []))} {info['tasks'][k]}" for d in docs for k in splits)
    example_config = next(iter(splits))
    scope = "one news article" if len(docs) == 1 else f"{len(docs)} news documents"
    years = sorted(str(d.meta.get("annotation_date", ""))[:4] for d in docs)
    year = years[-1] if years and years[-1].isdigit() else "n.d."
    return f"""{_yaml_header(header)}

# {PRETTY_NAME}

A hand-annotated Chinese information-extraction benchmark over news text, exported from the
`{PROJECT}` project (version {info["benchmark_version"]}). {len(docs)} document(s), {n_chars}
characters; gold records: {gold_counts}. Every item was annotated by hand against the
project's annotation guidelines (version **{info["guidelines_version"]}**); no system evaluated by
the benchmark produced or suggested any item.

> **Known limitation.** The benchmark is built on **{scope}**. It is a tiny test set:
> confidence intervals on every score are wide (the project reports 95% bootstrap intervals over
> lines), differences between systems of a few points are usually not significant, and one
> news report is not representative of Chinese text in general. Use it as a careful, fully
> documented probe, not as a general ranking of systems.

## Configs and tasks

One config per task; each has a single `{SPLIT}` split (the benchmark has no training data).

| config | task version | rows | content |
|---|---|---:|---|
{task_rows}

```python
from datasets import load_dataset

ds = load_dataset("path/to/this/folder", "{example_config}", split="{SPLIT}")  # works offline
```

Offsets are Python `str` indices (Unicode code points), half-open `[start, end)`. Rows of `ner`
and `numeric` are the document's non-empty lines (headings included); their span offsets are
relative to the row's `text`, and `line_start` is the line's offset in the document.

## Fields

{fields}

## Identity of this export

- Guidelines version: `{info["guidelines_version"]}`
- Gold content hash (`benchmark.provenance.gold_hash` over the exported tasks): `{info["gold_hash"]}`
- Benchmark version: `{info["benchmark_version"]}`

| document | text sha256 (UTF-8) |
|---|---|
{documents}

`export_info.json` holds the same data in machine-readable form. A score is comparable with
another only when both were computed on the same gold hash.

## How the gold was made

{_provenance_section(docs)}

The labels, sections, topics and every decision are documented in `annotations/GUIDELINES.md`
of the project; `scripts/validate.py` checks every offset, surface and task rule.

## Licence

- **Annotations** (entities, numeric facts, topics, questions and answers): Apache-2.0, like the
  project's code.
- **News text** (the `text` fields, and the characters inside the annotations): quoted from the
  source named above for research evaluation only. It is not covered by the Apache licence;
  the copyright stays with its publisher. Do not redistribute it for other purposes.

## Usage and citation

Score systems with the project's harness (`python scripts/evaluate.py`), which reports every
headline with a 95% bootstrap interval; for language models,
`python scripts/make_lm_eval_tasks.py` builds lm-evaluation-harness tasks that use the same scorer.
When you report results, quote the task versions and the gold hash above.

```bibtex
@misc{{zh_ie_benchmark,
  title  = {{{PRETTY_NAME}}},
  note   = {{{PROJECT} {info["benchmark_version"]}, guidelines {info["guidelines_version"]},
            gold hash {info["gold_hash"][:16]}}},
  year   = {{{year}}}
}}
```
"""


def export_dataset(docs: Sequence[Document], out_dir: str | Path) -> Path:
    """Write the gold as a local Hugging Face dataset folder (Parquet + dataset card).

    Args:
        docs: The gold documents (e.g. ``benchmark.validate.load_corpus()``).
        out_dir: The folder to write (created if needed; files of the export are replaced,
            other files are left alone).

    Returns:
        The folder, loadable with ``datasets.load_dataset(str(folder), config, split="test")``.

    Raises:
        ValueError: When ``docs`` holds no gold at all.
    """
    from benchmark.export import to_datasetdict

    out = Path(out_dir)
    splits = dict(to_datasetdict(docs))
    if not splits:
        raise ValueError("no gold records to export")
    files = {key: f"{key}/{SPLIT}.parquet" for key in splits}
    import datasets

    quiet = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        for key, ds in splits.items():
            path = out / files[key]
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            ds.to_parquet(str(tmp))
            tmp.replace(path)
    finally:
        if quiet:
            datasets.enable_progress_bars()
    info = export_info(docs, list(splits)) | {"rows": {key: len(ds) for key, ds in splits.items()}}
    atomic_write_text(out / "export_info.json", json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(out / "README.md", dataset_card(docs, splits, info, files))
    return out
