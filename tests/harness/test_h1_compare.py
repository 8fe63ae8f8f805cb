"""compare: every pair of stored runs (qa and variant runs included), typos, shared documents."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from benchmark.cli import compare as compare_cli
from benchmark.compare import CannotCompare, compare_runs, resolve_run
from benchmark.records import list_runs
from benchmark.tasks import get_task

RESULTS = Path(__file__).resolve().parents[2] / "results"


@pytest.fixture(scope="module")
def stored():
    runs = list_runs(RESULTS)
    if not runs:
        pytest.skip("no stored runs under results/")
    return runs


def _latest_originals(runs):
    models = sorted({r.model for r in runs})
    return [resolve_run(m, RESULTS, runs) for m in models if any(not r.meta.get("variant") for r in runs
                                                                 if r.model == m)]  # fmt: skip


def _check(result, a, b, corpus):
    for key, task in result["tasks"].items():
        for test in task["headlines"].values():
            if test["difference"] is not None:
                assert test["difference"] == pytest.approx(test["score_a"] - test["score_b"], abs=1e-9)
        t = get_task(key)
        for doc in (d for d in corpus if d.id in task["documents"]):
            right_a = t.correct_keys(doc, a.predictions(key, doc.id))
            right_b = t.correct_keys(doc, b.predictions(key, doc.id))
            items = task["disagreements"][doc.id]
            assert len(items["only_a"]) == len(right_a - right_b)
            assert len(items["only_b"]) == len(right_b - right_a)


def test_every_pair_of_latest_original_runs(stored, corpus):
    latest = _latest_originals(stored)
    assert all(not r.meta.get("variant") for r in latest)  # MODEL never picks a variant run
    seen_tasks = set()
    for a, b in itertools.combinations(latest, 2):
        try:
            result = compare_runs(a, b, corpus, n_resamples=10)
        except CannotCompare as exc:  # specialists with no task in common
            assert "no task in common" in str(exc)
            continue
        seen_tasks |= set(result["tasks"])
        _check(result, a, b, corpus)
    assert "qa" in seen_tasks


def test_variant_runs_compare_with_the_same_variant_only(stored, corpus):
    variants = [r for r in stored if r.meta.get("variant")]
    if not variants:
        pytest.skip("no variant runs stored")
    by_variant: dict[str, list] = {}
    for run in variants:
        by_variant.setdefault(run.meta["variant"]["name"], []).append(run)
    for name, runs in sorted(by_variant.items()):
        pairs = list(itertools.combinations(runs, 2))
        if name != "traditional":  # every pair on one variant; the same code path on the others
            pairs = pairs[:3]
        for a, b in pairs:
            try:
                result = compare_runs(a, b, corpus, n_resamples=10)
            except CannotCompare as exc:
                assert "no task in common" in str(exc)
                continue
            _check(result, a, b, corpus)
    original = next(r for r in stored if not r.meta.get("variant"))
    with pytest.raises(CannotCompare, match="share no document"):
        compare_runs(original, variants[0], corpus, n_resamples=10)


def test_cli_qa_pair_and_typo(stored, corpus, capsys):
    assert compare_cli.main(["oracle", "bm25-qa", "--results", str(RESULTS), "--resamples", "10", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    only_a = result["tasks"]["qa"]["disagreements"]["sichuan-police-2020"]["only_a"]
    questions = {q.id: q.question for d in corpus for q in d.gold.get("qa", [])}
    assert only_a and all(questions[item["id"]] == item["text"] for item in only_a)
    assert compare_cli.main(["jieb", "lac", "--results", str(RESULTS)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean 'jieba'?" in err
    assert compare_cli.main(["jieba", "lac", "--results", "no_such_results_dir"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_runs_on_different_document_sets_compare_on_the_shared_ones(stored, corpus, tmp_path):
    """A run made when the corpus had one more document is compared on the shared one, and says so."""
    oracle = resolve_run("oracle", RESULTS, stored)
    rules = resolve_run("rules", RESULTS, stored)
    bigger = tmp_path / "runs" / "rules" / rules.run_id
    shutil.copytree(rules.path, bigger)
    meta = json.loads((bigger / "meta.json").read_text("utf-8"))
    meta["documents"].append(["an-older-document", "0" * 64])
    (bigger / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    result = compare_runs(oracle, list_runs(tmp_path)[0], corpus, n_resamples=10)
    assert result["documents"] == [d.id for d in corpus]
    assert "B also covers an-older-document" in result["note"]
    assert "ner" in result["tasks"]
