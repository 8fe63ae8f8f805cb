"""lm-evaluation-harness bridge: scoring hooks on canned answers, the task folder, and a real run.

The end-to-end test builds a tiny random Qwen2 model and a byte-level tokenizer inside the test
(no hub, no download) and runs ``lm_eval.simple_evaluate`` on the generated folder: a random
model scores about 0, which is fine, the test proves the plumbing.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from benchmark.bridges.lm_eval import (
    GROUP,
    NER_TASK,
    QA_TASK,
    clean_answer,
    micro_f1,
    ner_rows,
    process_results,
    qa_rows,
    read_entities,
    write_lm_eval_tasks,
)
from benchmark.provenance import gold_hash

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

LM_EVAL_MISSING = (
    "lm-eval is not installed in this environment; install it with `pip install lm-eval==0.4.13` "
    "(the version these tests were written against) to run the lm-evaluation-harness tests"
)


@pytest.fixture(scope="module")
def qa(corpus) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in qa_rows(corpus)}


@pytest.fixture(scope="module")
def ner(corpus) -> list[dict[str, Any]]:
    return ner_rows(corpus)


@pytest.fixture(scope="module")
def task_dir(corpus, tmp_path_factory) -> Path:
    return write_lm_eval_tasks(corpus, tmp_path_factory.mktemp("lm_eval") / "tasks")


def _utils(task_dir: Path) -> Any:
    """The generated utils.py, imported standalone as lm-eval does (by file path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("zh_ie_generated_utils", task_dir / "utils.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- QA hook


def _of_type(qa: dict[str, dict[str, Any]], answer_type: str) -> dict[str, Any]:
    return next(row for row in qa.values() if row["answer_type"] == answer_type)


def test_qa_right_and_wrong(task_dir, qa):
    utils = _utils(task_dir)
    for row in qa.values():
        right = utils.process_results(row, [row["answers"][0]])
        assert right == {"accuracy": 1.0, "exact_match": 1.0, "char_f1": 1.0}, row["id"]
    entity = _of_type(qa, "entity")
    wrong = utils.process_results(entity, ["完全无关的回答"])
    assert wrong["accuracy"] == 0.0 and wrong["exact_match"] == 0.0
    assert utils.process_results(entity, [""])["accuracy"] == 0.0


def test_qa_numbers_by_value(qa):
    money = next(row for row in qa.values() if row["value"] == 7910000000)
    assert "79.1亿元" in money["answers"]
    assert process_results(money, ["7910000000元"])["accuracy"] == 1.0
    assert process_results(money, ["79.1亿元"])["accuracy"] == 1.0
    assert process_results(money, ["79.1亿"])["accuracy"] == 0.0  # the unit is part of the answer
    assert process_results(money, ["7.91亿元"])["accuracy"] == 0.0


def test_qa_abstention_and_polarity(qa):
    unanswerable = _of_type(qa, "unanswerable")
    assert process_results(unanswerable, ["无法回答"])["accuracy"] == 1.0
    assert process_results(unanswerable, ["100人"])["accuracy"] == 0.0
    yes_no = _of_type(qa, "yes_no")
    flipped = "否" if process_results(yes_no, ["是"])["accuracy"] == 1.0 else "是"
    assert process_results(yes_no, [flipped])["accuracy"] == 0.0


def test_clean_answer():
    assert clean_answer("答案：79.1亿元\n解释：……") == "79.1亿元"
    assert clean_answer("\n\n  A7版  \n") == "A7版"
    assert clean_answer("<think>先找数字</think>7910000000元") == "7910000000元"
    assert clean_answer("<think>没有想完") == ""


# --------------------------------------------------------------------------- NER hook


def test_ner_gold_answer_scores_one(ner):
    results = [process_results(row, [row["target"]]) for row in ner]
    assert micro_f1([r["strict_f1"] for r in results]) == 1.0
    assert all(r["parse_failure_rate"] == 0.0 for r in results)
    # The prompt asks for each entity once; the multiset score loses the repeats in a line.
    mention = micro_f1([r["mention_f1"] for r in results])
    assert 0.9 < mention < 1.0
    assert sum(r["strict_f1"][0] for r in results) == 103


def test_ner_wrong_and_unreadable(ner):
    row = next(r for r in ner if len(r["entities"]) >= 2)
    first = row["entities"][0]
    wrong_label = "PER" if first["label"] != "PER" else "ORG"
    answer = json.dumps([{"text": first["text"], "label": wrong_label}], ensure_ascii=False)
    counts = process_results(row, [answer])
    n_gold = len(row["entities"])
    occurrences = row["text"].count(first["text"])
    assert counts["strict_f1"][0] == 0 and counts["strict_f1"][2] == n_gold
    assert counts["strict_f1"][1] >= 1 and counts["strict_f1"][1] <= occurrences
    assert counts["mention_f1"] == (0, 1, n_gold)
    broken = process_results(row, ["我认为这里有一些实体"])
    assert broken["parse_failure_rate"] == 1.0
    assert broken["strict_f1"] == (0, 0, n_gold)


def test_read_entities_tolerant():
    answer = '好的：\n```json\n[{"文本": "四川省公安厅", "类型": "organization"}, {"text": "成都", "label": "地名"},]\n```'
    read = read_entities(answer)
    assert read.parsed and read.mentions == [("四川省公安厅", "ORG"), ("成都", "GPE")]
    assert read_entities("[]").mentions == [] and read_entities("[]").parsed


def test_micro_f1_undefined():
    assert math.isnan(micro_f1([(0, 0, 0)]))
    assert micro_f1([(0, 2, 0), (0, 0, 3)]) == 0.0


def test_strict_f1_equals_the_harness_score(article, ner):
    """On perturbed answers the micro F1 over lines equals ner.v1 strict F1 of the project's harness."""
    from benchmark.adapters.base import InputDocument, Mention, Prediction
    from benchmark.runner import ground
    from benchmark.tasks import get_task
    from benchmark.tasks.base import ScoringContext

    answers, mentions = [], []
    for i, row in enumerate(ner):
        items = json.loads(row["target"])
        if i % 3 == 0 and items:
            items = items[1:]  # a miss
        if i % 4 == 1 and items:
            items[0] = items[0] | {"label": "EVENT" if items[0]["label"] != "EVENT" else "ORG"}  # wrong type
        if i % 5 == 2:
            items.append({"text": row["text"][:2], "label": "ORG"})  # a false alarm
        answers.append(json.dumps(items, ensure_ascii=False))
        mentions += [Mention(i, item["text"], item["label"]) for item in items]
    counts = [process_results(row, [a])["strict_f1"] for row, a in zip(ner, answers, strict=True)]
    inp = InputDocument.from_document(article)
    entities, _ = ground(inp, Prediction(article.id, mentions=mentions))
    harness = get_task("ner").details(article, entities, ScoringContext())["all_labels"]["schemes"]["strict"]
    assert tuple(map(sum, zip(*counts, strict=True))) == tuple(harness["micro"][k] for k in ("tp", "fp", "fn"))
    assert 0.3 < micro_f1(counts) < 0.95
    assert micro_f1(counts) == pytest.approx(harness["micro"]["f1"])


# --------------------------------------------------------------------------- the folder


def test_folder(task_dir, corpus):
    names = sorted(p.name for p in task_dir.iterdir())
    assert names == sorted(
        ["README.md", "utils.py", f"_{GROUP}.yaml", f"{QA_TASK}.yaml", f"{NER_TASK}.yaml",
         f"{QA_TASK}.jsonl", f"{NER_TASK}.jsonl"]
    )  # fmt: skip
    utils = _utils(task_dir)
    qa_split = utils.load_qa(version=1.0, benchmark_task="qa.v2")["test"]
    ner_split = utils.load_ner()["test"]
    assert len(qa_split) == 78 and len(ner_split) == len(corpus[0].lines())
    assert "问题：" in qa_split[0]["prompt"] and corpus[0].text.strip()[:20] in qa_split[0]["prompt"]
    with pytest.raises(ValueError, match="regenerate"):
        utils.load_qa(benchmark_task="qa.v0")
    config = (task_dir / f"{QA_TASK}.yaml").read_text(encoding="utf-8")
    assert gold_hash(corpus, ["qa"]) in config and "!function" in config


# --------------------------------------------------------------------------- lm-eval itself


def _tiny_model(path: Path) -> Path:
    """A 2-layer random Qwen2 with a 257-token byte-level tokenizer, saved to ``path``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    vocab = {"<|endoftext|>": 0}
    for char in sorted(pre_tokenizers.ByteLevel.alphabet()):
        vocab[char] = len(vocab)
    backend = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    backend.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, eos_token="<|endoftext|>", pad_token="<|endoftext|>", model_max_length=512
    )
    tokenizer.save_pretrained(path)
    torch.manual_seed(0)
    config = Qwen2Config(
        vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
        bos_token_id=0, eos_token_id=0, pad_token_id=0, tie_word_embeddings=True,
    )  # fmt: skip
    Qwen2ForCausalLM(config).save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def lm_eval_module():
    return pytest.importorskip("lm_eval", reason=LM_EVAL_MISSING)


def test_task_manager_finds_the_tasks(lm_eval_module, task_dir):
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=str(task_dir), include_defaults=False)
    assert {QA_TASK, NER_TASK, GROUP} <= set(manager.all_tasks)


def test_simple_evaluate_runs_our_metrics(lm_eval_module, task_dir, tmp_path):
    pytest.importorskip("transformers")
    from lm_eval.tasks import TaskManager

    model = _tiny_model(tmp_path / "tiny-qwen2")
    out = lm_eval_module.simple_evaluate(
        model="hf",
        model_args=f"pretrained={model},dtype=float32",
        tasks=[QA_TASK, NER_TASK],
        task_manager=TaskManager(include_path=str(task_dir), include_defaults=False),
        limit=3,
        gen_kwargs={"max_gen_toks": 8},
        bootstrap_iters=0,
        batch_size=1,
        device="cpu",
        log_samples=True,
    )
    results = out["results"]
    for task, metrics in {
        QA_TASK: ("accuracy", "exact_match", "char_f1"),
        NER_TASK: ("strict_f1", "mention_f1", "parse_failure_rate"),
    }.items():
        assert results[task]["sample_len"] == 3
        for metric in metrics:
            value = results[task][f"{metric},none"]
            assert 0.0 <= value <= 1.0, (task, metric, value)
    assert out["configs"][QA_TASK]["metadata"]["benchmark_task"] == "qa.v2"
    assert "问题：" in str(out["samples"][QA_TASK][0]["arguments"])  # our prompt went to the model


def test_cli_on_the_script_output(lm_eval_module, tmp_path):
    """The documented command line: make the folder with the script, run the group with the CLI."""
    pytest.importorskip("transformers")
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    folder = tmp_path / "tasks"
    made = subprocess.run(
        [sys.executable, str(root / "scripts" / "make_lm_eval_tasks.py"), "--out", str(folder)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr[-2000:]
    assert made.stdout.splitlines()[0] == str(folder)
    model = _tiny_model(tmp_path / "tiny-qwen2")
    command = [
        sys.executable, "-m", "lm_eval", "--model", "hf", "--model_args", f"pretrained={model},dtype=float32",
        "--include_path", str(folder), "--tasks", GROUP, "--limit", "2", "--gen_kwargs", "max_gen_toks=4",
        "--device", "cpu", "--output_path", str(tmp_path / "results"),
    ]  # fmt: skip
    env = os.environ | {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HTTP_PROXY": "http://127.0.0.1:9",
                        "HTTPS_PROXY": "http://127.0.0.1:9"}  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    [written] = list((tmp_path / "results").rglob("results_*.json"))
    results = json.loads(written.read_text(encoding="utf-8"))["results"]
    assert 0.0 <= results[QA_TASK]["accuracy,none"] <= 1.0
    assert 0.0 <= results[NER_TASK]["strict_f1,none"] <= 1.0
