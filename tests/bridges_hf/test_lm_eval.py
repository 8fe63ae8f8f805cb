"""lm-evaluation-harness bridge: one lm-eval task per task with an LLM prompt, scored by the task.

The hooks are checked on canned answers (the gold answer scores 1; the score of perturbed answers
equals the project's harness score on the same answers); the end-to-end tests build a tiny random
Qwen2 model and a byte-level tokenizer inside the test (no hub, no download) and run
``lm_eval.simple_evaluate`` and the CLI on the generated folder: a random model's answers are
unreadable, which proves the plumbing and the failure accounting.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from benchmark.bridges.lm_eval import GROUP, headline, llm_task_keys, task_name, write_lm_eval_tasks
from benchmark.provenance import gold_hash

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

LM_EVAL_MISSING = (
    "lm-eval is not installed in this environment; install it with `pip install lm-eval==0.4.13` "
    "(the version these tests were written against) to run the lm-evaluation-harness tests"
)


@pytest.fixture(scope="module")
def task_dir(corpus, tmp_path_factory) -> Path:
    return write_lm_eval_tasks(corpus, tmp_path_factory.mktemp("lm_eval") / "tasks")


@pytest.fixture(scope="module")
def utils(task_dir: Path) -> Any:
    """The generated utils.py, imported standalone as lm-eval does (by file path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("zh_ie_generated_utils", task_dir / "utils.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(task_dir: Path, key: str) -> list[dict[str, Any]]:
    lines = (task_dir / f"{task_name(key)}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def scores(utils: Any, results: list[dict[str, Any]]) -> dict[str, float]:
    return {name: headline([r[name] for r in results]) for name in results[0] if name != "parse_failure_rate"}


# --------------------------------------------------------------------------- the hooks


def test_every_task_with_a_prompt_gets_a_task(task_dir, corpus):
    assert llm_task_keys(corpus) == ["ner", "numeric", "qa", "topics"]
    group = (task_dir / f"_{GROUP}.yaml").read_text(encoding="utf-8")
    for key in llm_task_keys(corpus):
        assert task_name(key) in group and (task_dir / f"{task_name(key)}.yaml").exists()


@pytest.mark.parametrize("key", ["ner", "numeric", "qa", "topics"])
def test_the_gold_answer_scores_one(task_dir, utils, key):
    from benchmark.tasks import get_task

    results = [utils.process_results(row, [row["target"]]) for row in rows(task_dir, key)]
    assert all(r["parse_failure_rate"] == 0.0 for r in results)
    for h in get_task(key).headlines:
        if h.name in results[0]:
            assert scores(utils, results)[h.name] == (1.0 if h.higher_is_better else 0.0), h.name


def test_qa_right_wrong_and_unreadable(task_dir, utils):
    qa = {row["where"]: row for row in rows(task_dir, "qa")}
    row = next(r for r in qa.values() if json.loads(r["target"])["answer"] not in ("是", "否", "无法回答"))
    wrong = utils.process_results(row, ['{"answer": "完全无关的回答"}'])
    assert wrong["accuracy"][2] == [0.0, 1.0] and wrong["parse_failure_rate"] == 0.0
    unreadable = utils.process_results(row, ["完全无关的回答"])
    assert unreadable["accuracy"][2] == [0.0, 1.0] and unreadable["parse_failure_rate"] == 1.0
    right = utils.process_results(row, ["```json\n" + row["target"] + "\n```"])
    assert right["accuracy"][2] == [1.0, 1.0]


def test_ner_wrong_and_unreadable(task_dir, utils, corpus):
    ner = rows(task_dir, "ner")
    row = next(r for r in ner if len(json.loads(r["target"])) >= 2)
    first = json.loads(row["target"])[0]
    n_gold = sum(1 for r in json.loads(row["target"]))
    wrong_label = "PER" if first["label"] != "PER" else "ORG"
    counts = utils.process_results(row, [json.dumps([{"text": first["text"], "label": wrong_label}], ensure_ascii=False)])
    tp, fp, fn = counts["strict_f1"][2]
    assert tp == 0 and fp >= 1 and fn >= n_gold
    broken = utils.process_results(row, ["我认为这里有一些实体"])
    assert broken["parse_failure_rate"] == 1.0 and broken["strict_f1"][2][0] == 0 and broken["strict_f1"][2][2] >= n_gold


def test_headline_undefined_is_nan():
    assert math.isnan(headline([("ner", "strict_f1", [0.0, 0.0, 0.0])]))
    assert headline([("ner", "strict_f1", [0.0, 2.0, 0.0]), ("ner", "strict_f1", [0.0, 0.0, 3.0])]) == 0.0


def harness_scores(key: str, doc: Any, answers: list[str]) -> dict[str, float]:
    """The headlines ``scripts/evaluate.py`` gives an LLM adapter that returned ``answers``."""
    from benchmark.adapters.base import InputDocument
    from benchmark.adapters.llm_adapter import Completion, LLMAdapter
    from benchmark.runner import accept, ground
    from benchmark.tasks import get_task
    from benchmark.tasks.base import ScoringContext

    class Canned(LLMAdapter):
        name = "canned"

        def complete(self, requests: Any) -> list[Completion]:
            return [Completion(a) for a in answers]

    inp = InputDocument.from_document(doc)
    pred = Canned().predict(key, [inp])[0]
    records = pred.records + (ground(inp, pred)[0] if pred.mentions else [])
    task = get_task(key)
    stats = task.unit_stats(doc, accept(task, doc, records), ScoringContext())
    return {h.name: h.score_fn(stats[h.name].sum(axis=0)) for h in task.headlines if h.name in stats}


def test_scores_equal_the_harness_score(task_dir, utils, corpus, article):
    """On perturbed answers each headline equals the project's harness score on the same answers."""

    for key in ("ner", "topics"):
        answers = []
        for i, row in enumerate(rows(task_dir, key)):
            items = json.loads(row["target"])
            if key == "ner":
                if i % 3 == 0 and items:
                    items = items[1:]  # a miss
                if i % 4 == 1 and items:
                    items[0] = items[0] | {"label": "EVENT" if items[0]["label"] != "EVENT" else "ORG"}
                if i % 5 == 2:
                    items.append({"text": article.text[article.lines()[i][0]:][:2], "label": "ORG"})
                answers.append(json.dumps(items, ensure_ascii=False))
            else:
                answers.append("看不懂" if i % 4 == 0 else json.dumps(items | ({"section": "lead"} if i % 3 else {})))
        results = [utils.process_results(r, [a]) for r, a in zip(rows(task_dir, key), answers, strict=True)]
        expected = harness_scores(key, article, answers)
        got = scores(utils, results)
        assert got == pytest.approx(expected), key
        assert 0.3 < got[next(iter(got))] < 0.95


# --------------------------------------------------------------------------- the folder


def test_folder(task_dir, utils, corpus):
    keys = llm_task_keys(corpus)
    names = sorted(p.name for p in task_dir.iterdir())
    expected = ["README.md", "documents", "utils.py", f"_{GROUP}.yaml"]
    expected += [f"{task_name(k)}.{ext}" for k in keys for ext in ("yaml", "jsonl")]
    assert names == sorted(expected)
    qa_split = utils.load_qa(version=2.0, benchmark_task="qa.v2")["test"]
    ner_split = utils.load_ner()["test"]
    assert len(qa_split) == 78 and len(ner_split) == len(corpus[0].lines())
    assert "问题：" in qa_split[0]["prompt"] and corpus[0].text.strip()[:20] in qa_split[0]["prompt"]
    with pytest.raises(ValueError, match="regenerate"):
        utils.load_qa(benchmark_task="qa.v0")
    config = (task_dir / f"{task_name('qa')}.yaml").read_text(encoding="utf-8")
    assert gold_hash(corpus, ["qa"]) in config and "!function" in config and "prompt_style: chat" in config
    assert (task_dir / "documents" / corpus[0].id / "text.txt").read_text(encoding="utf-8") == corpus[0].text


def test_completion_style_folder(corpus, tmp_path):
    from benchmark.tasks import get_task

    folder = write_lm_eval_tasks(corpus, tmp_path / "base", style="completion")
    row = rows(folder, "numeric")[3]
    assert row["style"] == "completion" and row["prompt"].endswith("输出：\n")
    assert row["prompt"].startswith(get_task("numeric").llm_prompt(style="completion").system)
    assert "completion" in (folder / "README.md").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="unknown prompt style"):
        write_lm_eval_tasks(corpus, tmp_path / "x", style="base")


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
    assert {task_name(k) for k in ("ner", "numeric", "qa", "topics")} | {GROUP} <= set(manager.all_tasks)


def test_simple_evaluate_runs_our_metrics(lm_eval_module, task_dir, tmp_path):
    pytest.importorskip("transformers")
    from lm_eval.tasks import TaskManager

    model = _tiny_model(tmp_path / "tiny-qwen2")
    out = lm_eval_module.simple_evaluate(
        model="hf",
        model_args=f"pretrained={model},dtype=float32",
        tasks=[task_name("qa"), task_name("topics")],
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
        task_name("qa"): ("accuracy", "exact_match", "char_f1"),
        task_name("topics"): ("topics_micro_f1", "section_accuracy"),
    }.items():
        assert results[task]["sample_len"] == 3
        assert results[task]["parse_failure_rate,none"] == 1.0  # a random model writes no JSON
        for metric in metrics:
            value = results[task][f"{metric},none"]
            assert value == 0.0, (task, metric, value)  # unreadable answers score as missed
    assert out["configs"][task_name("qa")]["metadata"]["benchmark_task"] == "qa.v2"
    assert "问题：" in str(out["samples"][task_name("qa")][0]["arguments"])  # our prompt went to the model


@pytest.mark.slow  # about 30-70 s on 2 cores: lm_eval's CLI on every task (run by .ci/run with -m slow)
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
    assert results[task_name("qa")]["accuracy,none"] == 0.0
    assert results[task_name("numeric")]["parse_failure_rate,none"] == 1.0
    assert 0.0 <= results[task_name("ner")]["strict_f1,none"] <= 1.0 or math.isnan(results[task_name("ner")]["strict_f1,none"])


@pytest.mark.parametrize("make", ["missing", "empty", "invalid"])
def test_make_lm_eval_tasks_on_a_wrong_annotations_folder_is_one_line(tmp_path, make):
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    annotations = tmp_path / "annotations"
    if make != "missing":
        annotations.mkdir()
    if make == "invalid":  # a copy of the article whose first entity no longer matches the text
        doc = annotations / "sichuan-police-2020"
        shutil.copytree(root / "annotations" / "sichuan-police-2020", doc)
        lines = (doc / "entities.jsonl").read_text("utf-8").splitlines()
        lines[0] = lines[0].replace('"text": "', '"text": "X', 1)
        (doc / "entities.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(root / "scripts" / "make_lm_eval_tasks.py"), "--annotations", str(annotations),
         "--out", str(out)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: --annotations {annotations}: ")
    assert ("does not validate" in line) == (make == "invalid") and not out.exists()
