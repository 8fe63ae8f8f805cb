"""evaluate.py, leaderboard.py and compare.py from the outside: messages, exit codes, outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.cli import compare as compare_cli
from benchmark.cli import evaluate as evaluate_cli
from benchmark.cli import leaderboard as leaderboard_cli
from benchmark.tasks import TASKS

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "annotations" / "sichuan-police-2020"


def evaluate(capsys, *argv):
    code = evaluate_cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "jeiba"], "unknown adapter 'jeiba'; did you mean 'jieba'"),  # (or 'jiagu')
        (["--model", "rules:fo=1"], "rules: unknown option 'fo';"),
        (["--model", "t-gold:every=x"], "t-gold: option 'every': expected int, got 'x'"),
        (["--model", "rules:novalue"], "rules: expected key=value in 'novalue'"),
        (["--model-config", "missing.yaml"], "missing.yaml: no such file"),
        (["--tasks", "nerr"], "unknown task 'nerr'; did you mean 'ner'"),
        (["--documents", "nope"], "unknown document 'nope'"),
        (["--predictions", "x.jsonl"], "--predictions needs --name NAME"),
        (["--predictions", "nothing/here.jsonl", "--name", "x"], "nothing/here.jsonl: no such file or folder"),
    ],
)
def test_user_errors_are_one_line(capsys, tmp_path, test_adapters, argv, message):
    code, _, err = evaluate(capsys, *argv, "--output", str(tmp_path))
    assert code == 2
    assert err.startswith("error: ") and message in err, err


def test_bad_yaml_config(capsys, tmp_path):
    config = tmp_path / "m.yaml"
    config.write_text("models: [ {name: rules, options: [1, 2]} ]", encoding="utf-8")
    code, _, err = evaluate(capsys, "--model-config", str(config), "--output", str(tmp_path))
    assert code == 2 and "item 0 (rules): 'options' must be a mapping" in err


def test_yaml_config_runs(capsys, tmp_path, test_adapters):
    config = tmp_path / "m.yaml"
    config.write_text("models:\n  - name: t-gold\n    options: {every: 2}\n", encoding="utf-8")
    code, out, _ = evaluate(capsys, "--model-config", str(config), "--output", str(tmp_path), "--resamples", "20",
                            "--no-leaderboard")  # fmt: skip
    assert code == 0 and "t-gold" in out


def test_invalid_predictions_report_every_line(capsys, tmp_path):
    folder = tmp_path / "sichuan-police-2020"
    folder.mkdir()
    rows = (ARTICLE / "entities.jsonl").read_text("utf-8").splitlines()
    rows[1] = rows[1].replace('"GPE"', '"PLACE"')
    rows[4] = rows[4].replace('"text": "', '"text": "X')
    (folder / "entities.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, _, err = evaluate(capsys, "--predictions", str(folder), "--name", "mine", "--output", str(tmp_path))
    assert code == 2
    assert "entities.jsonl:2: label: unknown label 'PLACE'" in err
    assert "entities.jsonl:5: text:" in err


def test_gold_as_predictions_scores_perfectly(capsys, tmp_path):
    code, out, _ = evaluate(capsys, "--predictions", str(ARTICLE), "--name", "gold-copy", "--output",
                            str(tmp_path), "--json", "--resamples", "20", "--no-leaderboard")  # fmt: skip
    assert code == 0
    scores = json.loads(out)["gold-copy"]["scores"]
    assert set(scores) == set(TASKS.names())
    for task in scores.values():
        for name, value in task.items():
            assert value["estimate"] == (0.0 if name == "hamming_loss" else 1.0), name


def test_adapter_prints_do_not_break_json(capsys, tmp_path, test_adapters):
    code, out, err = evaluate(capsys, "--model", "t-noisy", "--output", str(tmp_path), "--json", "--resamples", "20",
                              "--no-leaderboard")  # fmt: skip
    assert code == 0
    assert json.loads(out)["t-noisy"]["status"] == "ok"
    assert "Model loaded succeed" in err and "predicting..." in err


def test_failed_adapter_gives_exit_1_and_others_go_on(capsys, tmp_path, test_adapters):
    code, out, err = evaluate(capsys, "--model", "t-raises", "--model", "t-gold", "--output", str(tmp_path),
                              "--resamples", "20")  # fmt: skip
    assert code == 1
    assert "t-raises: ner failed" in err
    assert "t-gold" in out and "FAILED" in out
    board = json.loads((tmp_path / "leaderboard.json").read_text("utf-8"))
    assert [r["model"] for r in board["tasks"]["ner"]["rows"]] == ["t-gold"]
    assert board["tasks"]["ner"]["failed"][0]["model"] == "t-raises"


def test_list_models_and_tasks(capsys):
    code, out, _ = evaluate(capsys, "--list-models")
    assert code == 0
    for name in ("oracle", "rules", "jieba"):
        assert any(line.startswith(name) for line in out.splitlines())
    code, out, _ = evaluate(capsys, "--list-tasks")
    assert "ner.v1" in out and "numeric.v1" in out and "topics.v1" in out


def _modules_after(argv: list[str]) -> set[str]:
    code = (
        "import sys, runpy; sys.argv = ['evaluate.py'] + sys.argv[1:]\n"
        "try:\n    runpy.run_path('scripts/evaluate.py', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('MODULES', ' '.join(sorted(m for m in sys.modules if '.' not in m)))"
    )
    result = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, capture_output=True, text=True)
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES"))
    return set(line.split()[1:])


def test_help_imports_nothing_heavy():
    modules = _modules_after(["--help"])
    assert not modules & {"torch", "transformers", "sklearn", "numpy", "jieba", "datasets"}


def test_light_model_does_not_import_torch(tmp_path):
    modules = _modules_after(["--model", "rules", "--tasks", "numeric", "--output", str(tmp_path),
                              "--resamples", "20", "--no-leaderboard"])  # fmt: skip
    assert "benchmark" in modules
    assert not modules & {"torch", "transformers", "datasets"}
    # off a terminal no progress bar is drawn, so neither tqdm nor the LLM adapters are imported
    assert not modules & {"tqdm", "asyncio", "benchmark.adapters.openai_compatible"}


def test_concurrent_evaluations_do_not_corrupt(tmp_path):
    commands = [
        [sys.executable, "scripts/evaluate.py", "--model", model, "--tasks", "numeric", "--output", str(tmp_path),
         "--resamples", "50"]
        for model in ("oracle", "rules")
    ]  # fmt: skip
    procs = [subprocess.Popen(c, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, out + err
    board = json.loads((tmp_path / "leaderboard.json").read_text("utf-8"))
    assert sorted(r["model"] for r in board["tasks"]["numeric"]["rows"]) == ["oracle", "rules"]
    assert not list((tmp_path / "runs").rglob(".*"))


def test_rescore_and_compare(capsys, tmp_path, test_adapters):
    for spec in ("t-gold", "t-gold:every=2"):
        evaluate_cli.main(["--model", spec, "--output", str(tmp_path), "--resamples", "20", "--no-leaderboard"])
    capsys.readouterr()
    scores = next((tmp_path / "runs" / "t-gold").glob("*/scores.json"))
    scores.write_text("{}", encoding="utf-8")  # as if the metrics had changed
    assert leaderboard_cli.main(["--results", str(tmp_path), "--rescore", "--resamples", "20"]) == 0
    assert "ner" in json.loads(scores.read_text("utf-8"))
    runs = sorted(p.parent for p in (tmp_path / "runs").glob("*/*/meta.json"))
    capsys.readouterr()
    assert compare_cli.main([str(runs[0]), str(runs[1]), "--results", str(tmp_path), "--json",
                             "--resamples", "50"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    test = result["tasks"]["ner"]["headlines"]["strict_f1"]
    assert test["difference"] == pytest.approx(test["score_a"] - test["score_b"])
    only = result["tasks"]["ner"]["disagreements"]["sichuan-police-2020"]
    assert len(only["only_a"]) + len(only["only_b"]) == 51  # every other gold entity
    assert compare_cli.main(["nobody", "t-gold", "--results", str(tmp_path)]) == 2
    assert "no run 'nobody'" in capsys.readouterr().err
