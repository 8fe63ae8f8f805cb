"""Bridge to EleutherAI's lm-evaluation-harness (0.4.x): our QA and NER tasks, our scorer.

:func:`write_lm_eval_tasks` writes a self-contained task folder; with it any model that
lm-eval supports runs the benchmark offline::

    lm_eval --model hf --model_args pretrained=/path/to/model \\
        --include_path build/lm_eval_tasks --tasks zh_ie_qa,zh_ie_ner

Layout::

    OUT/
      zh_ie_qa.yaml     task: one generation per question (the article + the question)
      zh_ie_ner.yaml    task: one generation per non-empty line (JSON list of entities)
      _zh_ie.yaml       group ``zh_ie`` = both tasks
      zh_ie_qa.jsonl    rows of ``qa.v1`` (Task.rows) + ``prompt`` and ``target``
      zh_ie_ner.jsonl   rows of ``ner.v1`` (Task.rows) + ``prompt`` and ``target``
      utils.py          hooks lm-eval imports: data loaders, ``process_results``, ``micro_f1``
      README.md         how to run it, what the metrics mean

The data loaders read the JSONL files next to ``utils.py`` (``custom_dataset``), so the folder
can be moved or copied to another machine; the scoring functions below are imported from the
installed ``benchmark`` package, so a score is the project's score:

* ``zh_ie_qa``: :func:`benchmark.tasks.qa.judge` on the first non-empty line of the answer:
  ``accuracy`` (the question type's rule: numbers by value and unit, yes/no by polarity,
  unanswerable by abstention), ``exact_match`` and ``char_f1``, averaged over questions.
* ``zh_ie_ner``: the model answers the project's NER prompt (``benchmark.adapters.llm_common``)
  with a JSON list of ``{"text", "label"}``, parsed tolerantly. ``strict_f1`` grounds each string
  at every occurrence in its line, exactly as the harness does for LLM adapters
  (:func:`benchmark.runner.ground`), and compares spans and labels with the gold (micro F1 over
  lines, the ``ner.v1`` headline); ``mention_f1`` compares per-line multisets of
  ``(text, label)`` (:func:`benchmark.metrics.score_mentions`); ``parse_failure_rate`` is the
  share of lines whose answer held no readable JSON list.

Example:
    >>> clean_answer("<think>想一想</think>\\n答案：79.1亿元\\n因为……")
    '79.1亿元'
    >>> micro_f1([(2, 1, 0), (0, 0, 1)])
    0.6666666666666666
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

import yaml

from benchmark import __version__
from benchmark.document import GUIDELINES_VERSION, Document
from benchmark.provenance import gold_hash
from benchmark.schema import atomic_write_text, dumps_jsonl

GROUP = "zh_ie"
QA_TASK = f"{GROUP}_qa"
NER_TASK = f"{GROUP}_ner"
SPLIT = "test"
TASK_VERSION = 1.0
QA_MAX_GEN_TOKS = 64
NER_MAX_GEN_TOKS = 512
STOP = ["\n\n"]

QA_PROMPT = Template(
    "阅读下面的新闻报道，回答问题。\n"
    "要求：答案尽量简短，直接使用原文中的词语；数量要带单位；是非题回答“是”或“否”；"
    "文中没有答案时回答“无法回答”。只输出答案，不要解释。\n\n"
    "新闻：\n$text\n\n"
    "问题：$question\n"
    "答案："
)

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)
_ANSWER_PREFIX = re.compile(r"^(?:最终答案|答案|回答|答|answer)\s*[:：]\s*", re.IGNORECASE)


# --------------------------------------------------------------------------- rows


def _ner_prompt() -> Any:
    from benchmark.adapters.llm_common import build_prompt

    return build_prompt("ner", "line")


def qa_rows(docs: Sequence[Document]) -> list[dict[str, Any]]:
    """Rows of ``zh_ie_qa``: the ``qa.v1`` rows (``Task.rows``) plus ``prompt`` and ``target``."""
    from benchmark.tasks import get_task

    task = get_task("qa")
    rows = []
    for doc in docs:
        if "qa" not in doc.gold:
            continue
        text = doc.text.strip()
        for row in task.rows(doc):
            prompt = QA_PROMPT.substitute(text=text, question=row["question"])
            rows.append({"task": "qa", **row, "prompt": prompt, "target": row["answers"][0]})
    return rows


def ner_rows(docs: Sequence[Document]) -> list[dict[str, Any]]:
    """Rows of ``zh_ie_ner``: the ``ner.v1`` line rows plus ``prompt`` and ``target``.

    The prompt is the project's NER prompt (system and user message joined), the one its LLM
    adapters send; the target is the answer the prompt asks for (each entity listed once).
    """
    from benchmark.tasks import get_task

    task = get_task("ner")
    prompt = _ner_prompt()
    rows = []
    for doc in docs:
        if "ner" not in doc.gold:
            continue
        for row in task.rows(doc):
            messages = prompt.messages(text=row["text"])
            flat = "\n\n".join(m["content"] for m in messages)
            unique = list(dict.fromkeys((e["text"], e["label"]) for e in row["entities"]))
            target = json.dumps([{"text": t, "label": lab} for t, lab in unique], ensure_ascii=False)
            rows.append({"task": "ner", **row, "prompt": flat, "target": target})
    return rows


# --------------------------------------------------------------------------- scoring hooks


def load_split(path: str | Path, expected_task: str | None = None, **_: Any) -> Any:
    """The rows of a JSONL file as a ``datasets.DatasetDict`` with one ``test`` split.

    Args:
        path: The JSONL file written by :func:`write_lm_eval_tasks`.
        expected_task: The versioned task the folder was generated for (``qa.v1``); when the
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


def clean_answer(text: str) -> str:
    """The answer a QA generation gives: reasoning removed, first non-empty line, no prefix."""
    text = _THINK.sub("", text)
    if "<think>" in text:  # an unfinished reasoning block: no answer
        text = text.split("<think>")[0]
    for line in text.splitlines():
        line = _ANSWER_PREFIX.sub("", line.strip()).strip()
        if line:
            return line
    return ""


def _first(results: Any) -> str:
    if isinstance(results, str):
        return results
    if isinstance(results, Sequence) and results:
        return str(results[0]) if results[0] is not None else ""
    return ""


def process_qa(doc: Mapping[str, Any], answer: str) -> dict[str, float]:
    """Per-question scores of one generated answer with :func:`benchmark.tasks.qa.judge`.

    Example:
        >>> doc = {"id": "q", "question": "查冻扣涉案资产多少元?", "answers": ["79.1亿元"],
        ...        "answer_type": "number", "value": 7910000000.0, "unit": "元", "evidence": [[0, 1]]}
        >>> {k: round(v, 2) for k, v in process_qa(doc, "7910000000元").items()}
        {'accuracy': 1.0, 'exact_match': 0.0, 'char_f1': 0.47}
    """
    from benchmark.tasks.qa import QAItem, judge

    item = QAItem(
        id=str(doc["id"]),
        question=str(doc["question"]),
        answers=tuple(doc["answers"]),
        answer_type=str(doc["answer_type"]),
        value=doc.get("value"),
        unit=doc.get("unit"),
        evidence=tuple(tuple(span) for span in doc.get("evidence") or ()),
    )
    verdict = judge(item, clean_answer(answer))
    return {
        "accuracy": float(verdict["correct"]),
        "exact_match": float(verdict["em"]),
        "char_f1": float(verdict["f1"]),
    }


@dataclass(frozen=True)
class EntityAnswer:
    """What a NER generation says: the ``(text, label)`` pairs and whether it could be read."""

    mentions: list[tuple[str, str]]
    parsed: bool
    invalid_items: int = 0


def read_entities(answer: str) -> EntityAnswer:
    """Read a model's JSON list of ``{"text", "label"}`` tolerantly (the LLM adapters' parser).

    Labels are normalized (``PERSON`` -> ``PER``, ``地名`` -> ``GPE``); items without a text or
    with an unknown label are counted in ``invalid_items`` and skipped.

    Example:
        >>> read_entities('```json\\n[{"text": "成都", "label": "gpe"}, {"text": "x"}]\\n```')
        EntityAnswer(mentions=[('成都', 'GPE')], parsed=True, invalid_items=1)
        >>> read_entities("没有实体").parsed
        False
    """
    from benchmark.adapters.llm_common import (
        AnswerError,
        as_item_list,
        normalize_keys,
        normalize_label,
        parse_json_answer,
    )

    try:
        items = as_item_list(parse_json_answer(answer))
    except AnswerError:
        return EntityAnswer([], parsed=False)
    mentions, invalid = [], 0
    for item in items:
        keyed = normalize_keys(item) if isinstance(item, dict) else {}
        text, label = keyed.get("text"), normalize_label(keyed.get("label"))
        if not isinstance(text, str) or not text.strip() or label is None:
            invalid += 1
            continue
        mentions.append((text.strip(), label))
    return EntityAnswer(mentions, parsed=True, invalid_items=invalid)


def ner_counts(
    doc: Mapping[str, Any], mentions: Sequence[tuple[str, str]]
) -> dict[str, tuple[int, int, int]]:
    """``(tp, fp, fn)`` of one line: grounded strict spans and mention multisets.

    Example:
        >>> doc = {"doc_id": "d", "text": "四川成都，四川", "entities": [
        ...     {"start": 0, "end": 2, "text": "四川", "label": "GPE"},
        ...     {"start": 2, "end": 4, "text": "成都", "label": "GPE"},
        ...     {"start": 5, "end": 7, "text": "四川", "label": "GPE"}]}
        >>> ner_counts(doc, [("四川", "GPE"), ("成都", "LOC")])
        {'strict_f1': (2, 1, 1), 'mention_f1': (1, 1, 2)}
    """
    from benchmark.adapters.base import InputDocument, Mention, Prediction
    from benchmark.metrics import score_mentions, strict_counts
    from benchmark.runner import ground

    line = str(doc["text"])
    gold = list(doc.get("entities") or [])
    span = ((0, len(line)),)
    inp = InputDocument(id=str(doc.get("doc_id", "")), text=line, units=span, lines=span)
    pred = Prediction(inp.id, mentions=[Mention(0, text, label) for text, label in mentions])
    grounded, _ = ground(inp, pred)
    strict, _ = strict_counts(
        [(e["start"], e["end"], e["label"]) for e in gold], [(e.start, e.end, e.label) for e in grounded]
    )
    mention = score_mentions([(0, e["text"], e["label"]) for e in gold], [(0, t, lab) for t, lab in mentions])
    return {
        "strict_f1": (strict.tp, strict.fp, strict.fn),
        "mention_f1": (mention.micro.tp, mention.micro.fp, mention.micro.fn),
    }


def process_ner(doc: Mapping[str, Any], answer: str) -> dict[str, Any]:
    """Per-line statistics of one NER generation: counts for the F1s, a parse-failure flag."""
    read = read_entities(answer)
    return ner_counts(doc, read.mentions) | {"parse_failure_rate": 0.0 if read.parsed else 1.0}


def process_results(doc: Mapping[str, Any], results: Any) -> dict[str, Any]:
    """lm-eval's ``process_results`` hook for both tasks (dispatch on the row's ``task``).

    Args:
        doc: One row of the task's JSONL file.
        results: The model's generations for the row (lm-eval passes a one-item list).

    Returns:
        Metric name -> per-row value (QA: scores in [0, 1]; NER: ``(tp, fp, fn)`` tuples
        that :func:`micro_f1` aggregates, and a 0/1 parse-failure flag).

    Example:
        >>> doc = {"task": "qa", "id": "q", "question": "?", "answers": ["否"],
        ...        "answer_type": "yes_no", "value": None, "unit": None, "evidence": [[0, 1]]}
        >>> process_results(doc, ["不是。"])["accuracy"]
        1.0
    """
    answer = _first(results)
    if doc.get("task") == "ner":
        return process_ner(doc, answer)
    if doc.get("task") == "qa":
        return process_qa(doc, answer)
    raise ValueError(f"row of unknown task {doc.get('task')!r}")


def micro_f1(items: Sequence[Sequence[float]]) -> float:
    """lm-eval aggregation: micro F1 of summed ``(tp, fp, fn)``; NaN with neither gold nor prediction."""
    tp = sum(float(item[0]) for item in items)
    fp = sum(float(item[1]) for item in items)
    fn = sum(float(item[2]) for item in items)
    denominator = 2 * tp + fp + fn
    return math.nan if denominator == 0 else 2 * tp / denominator


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

UTILS_PY = '''"""lm-evaluation-harness hooks of the zh-ie benchmark tasks in this folder.

Generated by benchmark.bridges.lm_eval.write_lm_eval_tasks; do not edit. The scorers come from
the installed ``benchmark`` package (``pip install -e /path/to/the/project``); the data are the
JSONL files next to this module.
"""

from pathlib import Path
from typing import Any

from benchmark.bridges.lm_eval import load_split, micro_f1, process_results

__all__ = ["load_ner", "load_qa", "micro_f1", "process_results"]

HERE = Path(__file__).resolve().parent


def load_qa(**kwargs: Any) -> Any:
    """The zh_ie_qa rows (one ``test`` split); ``kwargs`` are the task's metadata."""
    return load_split(HERE / "zh_ie_qa.jsonl", kwargs.get("benchmark_task"))


def load_ner(**kwargs: Any) -> Any:
    """The zh_ie_ner rows (one ``test`` split); ``kwargs`` are the task's metadata."""
    return load_split(HERE / "zh_ie_ner.jsonl", kwargs.get("benchmark_task"))
'''


def _metric(name: str, aggregation: str | _Function, higher_is_better: bool = True) -> dict[str, Any]:
    return {"metric": name, "aggregation": aggregation, "higher_is_better": higher_is_better}


def _task_config(
    name: str, loader: str, max_gen_toks: int, metrics: list[dict[str, Any]], metadata: dict[str, Any]
) -> dict[str, Any]:
    return {
        "task": name,
        "tag": [f"{GROUP}_tasks"],
        "custom_dataset": _Function(f"utils.{loader}"),
        "output_type": "generate_until",
        "test_split": SPLIT,
        "doc_to_text": "prompt",
        "doc_to_target": "target",
        "target_delimiter": "",
        "num_fewshot": 0,
        "generation_kwargs": {"until": list(STOP), "do_sample": False, "max_gen_toks": max_gen_toks},
        "process_results": _Function("utils.process_results"),
        "metric_list": metrics,
        "metadata": metadata,
    }


def _dump_yaml(config: Mapping[str, Any], header: str) -> str:
    body = yaml.dump(dict(config), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"# {header}\n{body}"


QA_METRICS = "accuracy (the question type's rule), exact_match, char_f1 (means over questions)"
NER_METRICS = "strict_f1 (grounded spans, micro over lines), mention_f1 (micro), parse_failure_rate"


def _folder_readme(info: Mapping[str, Any]) -> str:
    return f"""# zh-ie benchmark tasks for lm-evaluation-harness

Generated by `python scripts/make_lm_eval_tasks.py` (benchmark {info["benchmark_version"]},
guidelines {info["guidelines_version"]}, gold hash `{info["gold_hash"]}`). Do not edit: regenerate.

The scorers are imported from the installed `benchmark` package, so install the project
(`pip install -e .`) in the environment that runs lm-eval. The data are the JSONL files here;
nothing is downloaded.

```bash
lm_eval --model hf --model_args pretrained=/path/to/model,dtype=bfloat16 \\
    --include_path {info["folder"]} --tasks {QA_TASK},{NER_TASK} --apply_chat_template \\
    --output_path results/
```

Leave out `--apply_chat_template` for a base (non-chat) model. `--tasks {GROUP}` runs both.

| task | benchmark task | rows | metrics |
|---|---|---:|---|
| `{QA_TASK}` | `{info["tasks"]["qa"]}` | {info["rows"][QA_TASK]} | {QA_METRICS} |
| `{NER_TASK}` | `{info["tasks"]["ner"]}` | {info["rows"][NER_TASK]} | {NER_METRICS} |

`strict_f1` is the `ner.v1` headline as the project's harness computes it for LLM adapters
(every string grounded at each occurrence in its line); `mention_f1` compares per-line multisets
of (text, label), so a model that lists a repeated entity once (as the prompt asks) loses those
repeats there. lm-eval reports no standard error for the micro F1s; the project's harness
(`scripts/evaluate.py`) gives 95% bootstrap intervals. With `--limit` the scores cover only the
first rows. The benchmark has {info["n_documents"]} document(s): the intervals are wide.

lm-eval warns "Custom kwargs can be passed to `--metadata`" for each task: the data come from
`custom_dataset` loaders in `utils.py` (so the folder can be moved), which is expected.
"""


def write_lm_eval_tasks(docs: Sequence[Document], out_dir: str | Path) -> Path:
    """Write the lm-evaluation-harness task folder for the QA and NER tasks of ``docs``.

    Args:
        docs: The gold documents (e.g. ``benchmark.validate.load_corpus()``).
        out_dir: The folder to write (created if needed). lm-eval loads every YAML file under
            an ``--include_path``, so give it a folder of its own.

    Returns:
        The folder, to pass to ``lm_eval --include_path``.

    Raises:
        ValueError: When ``docs`` hold no QA or no NER gold.
    """
    from benchmark.tasks import get_task

    out = Path(out_dir)
    qa, ner = qa_rows(docs), ner_rows(docs)
    if not qa or not ner:
        raise ValueError("the documents hold no qa or no ner gold")
    qa_name, ner_name = get_task("qa").name, get_task("ner").name
    prompt_sha = hashlib.sha256(QA_PROMPT.template.encode("utf-8")).hexdigest()
    common = {
        "version": TASK_VERSION,
        "benchmark_version": __version__,
        "guidelines_version": GUIDELINES_VERSION,
    }
    qa_meta = common | {
        "benchmark_task": qa_name,
        "gold_hash": gold_hash(docs, ["qa"]),
        "prompt_sha256": prompt_sha,
    }
    ner_meta = common | {
        "benchmark_task": ner_name,
        "gold_hash": gold_hash(docs, ["ner"]),
        "prompt_sha256": _ner_prompt().sha256,
    }
    qa_metrics = [_metric(m, "mean") for m in ("accuracy", "exact_match", "char_f1")]
    ner_metrics = [
        _metric("strict_f1", _Function("utils.micro_f1")),
        _metric("mention_f1", _Function("utils.micro_f1")),
        _metric("parse_failure_rate", "mean", higher_is_better=False),
    ]
    header = "Generated by benchmark.bridges.lm_eval.write_lm_eval_tasks; do not edit."
    files = {
        f"{QA_TASK}.jsonl": dumps_jsonl(qa),
        f"{NER_TASK}.jsonl": dumps_jsonl(ner),
        f"{QA_TASK}.yaml": _dump_yaml(
            _task_config(QA_TASK, "load_qa", QA_MAX_GEN_TOKS, qa_metrics, qa_meta), header
        ),
        f"{NER_TASK}.yaml": _dump_yaml(
            _task_config(NER_TASK, "load_ner", NER_MAX_GEN_TOKS, ner_metrics, ner_meta), header
        ),
        f"_{GROUP}.yaml": _dump_yaml(
            {"group": GROUP, "task": [QA_TASK, NER_TASK], "metadata": {"version": TASK_VERSION}}, header
        ),
        "utils.py": UTILS_PY,
    }
    info = common | {
        "tasks": {"qa": qa_name, "ner": ner_name},
        "gold_hash": gold_hash(docs, ["qa", "ner"]),
        "rows": {QA_TASK: len(qa), NER_TASK: len(ner)},
        "folder": str(out.resolve()),
        "n_documents": len(docs),
    }
    files["README.md"] = _folder_readme(info)
    for name, text in files.items():
        atomic_write_text(out / name, text)
    return out
