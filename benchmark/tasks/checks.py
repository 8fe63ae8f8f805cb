"""A conformance kit for tasks: walk one task through every path a user takes.

Like scikit-learn's ``check_estimator``, :func:`check_task_path` is for task authors: given a
registered task and a corpus folder holding its gold, it runs the oracle and a deliberately
flawed system through the harness, builds the leaderboard in every format, compares the two
runs, makes the robustness variants and runs the oracle on one, exports the Hugging Face
dataset, computes annotator agreement and writes the lm-evaluation-harness tasks. Any step
that needs a change outside the task's own module fails here. The test suite runs it over
every registered task and over a toy task defined only in a test module.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.adapters.base import Adapter, InputDocument, Prediction
from benchmark.adapters.oracle import OracleAdapter


@dataclass(frozen=True)
class FlawedOptions:
    """Options of :class:`FlawedOracle`.

    Attributes:
        root: The corpus folder to read the gold from.
    """

    root: str = ""


class FlawedOracle(OracleAdapter):
    """The gold minus the first record of each document: a system that is wrong somewhere."""

    name = "flawed-oracle"
    Options = FlawedOptions
    description = "the gold minus one record per document (a conformance check)"

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        out = super().predict(task, documents)
        for prediction in out:
            prediction.records = prediction.records[1:]
        return out


def _run(adapter: type[Adapter], name: str, docs: Sequence[Any], key: str, root: Path, out: Path) -> Any:
    from benchmark.records import load_run
    from benchmark.runner import ModelSpec, run_model

    spec = ModelSpec(adapter, {"root": str(root)}, name)
    summary = run_model(spec, docs, [key], results=out, n_resamples=50)
    assert summary.status == "ok", f"{name} on {key}: {summary.status}: {summary.message}"
    return load_run(summary.run_path)


def check_task_path(key: str, root: Path, work: Path) -> dict[str, Any]:
    """Run task ``key`` through evaluate, leaderboard, compare, variants, export, agreement, lm-eval.

    Args:
        key: A registered task's key; ``root`` must hold at least one document with its gold.
        root: The annotations folder (one folder per document).
        work: An empty scratch folder; everything is written under it.

    Returns:
        What each step produced, for further assertions (``board``, ``compare``, ...).

    Raises:
        AssertionError: a step failed, with the step named.
    """
    from benchmark import leaderboard
    from benchmark.agreement import compare_folders
    from benchmark.bridges.hf_datasets import export_dataset
    from benchmark.bridges.lm_eval import task_name, write_lm_eval_tasks
    from benchmark.compare import compare_runs
    from benchmark.records import list_runs
    from benchmark.render import html, markdown, tabular
    from benchmark.tasks import get_task
    from benchmark.validate import load_corpus, load_document
    from benchmark.variants import VARIANTS, make_variant, write_variant

    task = get_task(key)
    docs = [d for d in load_corpus(root) if key in d.gold]
    assert docs, f"no document under {root} has gold for {key}"
    out = work / "results"
    found: dict[str, Any] = {}

    # evaluate: the oracle scores perfectly, a flawed system does not
    oracle = _run(OracleAdapter, "oracle", docs, key, root, out)
    flawed = _run(FlawedOracle, "flawed-oracle", docs, key, root, out)
    best = 1.0 if task.primary.higher_is_better else 0.0
    assert oracle.scores[key]["headline"][task.primary.name]["estimate"] == best, "oracle is not perfect"

    # the leaderboard, in every format
    runs = list_runs(out)
    board = leaderboard.build(runs, docs, n_resamples=50)
    models = {row["model"] for row in board["tasks"][key]["rows"]}
    assert {"oracle", "flawed-oracle"} <= models, f"leaderboard rows of {key}: {sorted(models)}"
    page = html.render(board, runs, docs, [])
    for text in (markdown.render(board), tabular.to_json(board), tabular.to_csv(board), page):
        assert task.name in text, "a leaderboard format does not name the task"
    found["board"] = board

    # compare the two runs: the flawed one misses what it dropped
    result = compare_runs(oracle, flawed, docs, n_resamples=50)
    assert key in result["tasks"], f"compare has no {key}"
    only_oracle = sum(len(d["only_a"]) for d in result["tasks"][key]["disagreements"].values())
    assert only_oracle >= 1, "compare found nothing the flawed system missed"
    found["compare"] = result

    # robustness variants carry the gold exactly; the oracle answers one of them perfectly
    for name in VARIANTS:
        for doc in docs:
            folder = write_variant(make_variant(doc, name), work / "variants")
            _, problems = load_document(folder)
            assert not problems, f"variant {name}: {problems[0]}"
    shuffled = [make_variant(doc, "shuffled") for doc in docs]
    on_variant = _run(OracleAdapter, "oracle", shuffled, key, root, out)
    assert on_variant.scores[key]["headline"][task.primary.name]["estimate"] == best, "oracle on a variant"

    # the Hugging Face export has a config for the task
    exported = export_dataset(docs, work / "hf")
    assert (exported / key).is_dir() or key in (exported / "README.md").read_text(encoding="utf-8")

    # agreement of a folder with a copy of itself is perfect and names the task
    copy = work / "second" / docs[0].id
    shutil.copytree(root / docs[0].id, copy)
    report = compare_folders(root / docs[0].id, copy)
    assert key in report.tasks and not [d for d in report.disagreements if d.task == key]

    # lm-evaluation-harness: a task with an LLM prompt gets its own lm-eval task
    folder = write_lm_eval_tasks(docs, work / "lm_eval")
    written = {p.stem for p in folder.glob("*.yaml")}
    assert (task_name(key) in written) == task.has_llm_prompt, f"lm-eval tasks: {sorted(written)}"
    return found
