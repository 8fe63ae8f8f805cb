"""Robustness: variant runs, aligned per-unit statistics, paired score changes, the leaderboard table."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmark.cli import evaluate as evaluate_cli
from benchmark.records import list_runs
from benchmark.robustness import aligned_stats, run_documents, score_drops, variant_documents
from benchmark.tasks import get_task
from benchmark.tasks.base import ScoringContext

pytest.importorskip("opencc")


@pytest.mark.parametrize("name", ["traditional", "fullwidth", "no_furniture", "shuffled"])
@pytest.mark.parametrize("key", ["ner", "numeric", "qa", "topics"])
def test_aligned_rows_sum_to_the_variant(article, name, key):
    """Aligned rows are a permutation of the variant's rows plus empty rows for removed units."""
    task = get_task(key)
    (variant,) = variant_documents([article], name)
    ctx = ScoringContext()
    step = 1 if key == "topics" else 2  # topics predictions must cover every unit
    half_o = article.gold[key][::step]
    half_v = variant.gold[key][::step]
    so, sv = task.unit_stats(article, half_o, ctx), task.unit_stats(variant, half_v, ctx)
    aligned = aligned_stats(task, article, variant, so, sv)
    for metric, rows in aligned.items():
        assert rows.shape[0] == so[metric].shape[0]
        assert np.allclose(rows.sum(axis=0), sv[metric].sum(axis=0)), (metric, name)


@pytest.mark.parametrize("name", ["traditional", "fullwidth", "no_furniture", "shuffled"])
def test_gold_on_variant_changes_nothing(article, name):
    (variant,) = variant_documents([article], name)
    for key in ("ner", "numeric", "qa"):
        task = get_task(key)
        drops = score_drops(task, [article], [variant], {article.id: article.gold[key]},
                            {variant.id: variant.gold[key]}, ScoringContext(), ScoringContext(),
                            n_resamples=50)  # fmt: skip
        primary = drops[task.primary.name]
        assert primary["difference"] == 0.0 and primary["score_a"] == 1.0, (key, name)


def test_a_real_drop_has_an_interval(article):
    """Predicting only the gold of the first half of the lines: dropping the masthead loses nothing
    of it, and the change is measured on the same units."""
    (variant,) = variant_documents([article], "shuffled")
    task = get_task("ner")
    pred_o = article.gold["ner"]
    pred_v = variant.gold["ner"][: len(variant.gold["ner"]) // 2]
    drops = score_drops(task, [article], [variant], {article.id: pred_o}, {variant.id: pred_v},
                        ScoringContext(), ScoringContext(), n_resamples=200)  # fmt: skip
    d = drops["strict_f1"]
    assert d["difference"] < 0 and d["low"] <= d["difference"] <= d["high"] and d["p_value"] < 0.05


def test_variants_on_the_command_line(capsys, tmp_path, corpus):
    code = evaluate_cli.main(["--model", "oracle", "--model", "rules", "--tasks", "numeric", "--variants",
                              "fullwidth,shuffled", "--output", str(tmp_path), "--resamples", "50"])  # fmt: skip
    capsys.readouterr()
    assert code == 0
    runs = list_runs(tmp_path)
    assert sorted((r.model, (r.meta.get("variant") or {}).get("name", "-")) for r in runs) == [
        ("oracle", "-"), ("oracle", "fullwidth"), ("oracle", "shuffled"),
        ("rules", "-"), ("rules", "fullwidth"), ("rules", "shuffled"),
    ]  # fmt: skip
    variant_run = next(r for r in runs if r.meta.get("variant"))
    assert next(d.id for d in run_documents(variant_run.meta, corpus)).startswith("sichuan-police-2020~")
    board = json.loads((tmp_path / "leaderboard.json").read_text("utf-8"))
    assert sorted(r["model"] for r in board["tasks"]["numeric"]["rows"]) == ["oracle", "rules"]
    rows = board["robustness"]["rows"]
    assert {(r["model"], r["variant"]) for r in rows} == {
        ("oracle", "fullwidth"), ("oracle", "shuffled"), ("rules", "fullwidth"), ("rules", "shuffled")}
    assert all(r["change"] == 0.0 for r in rows if r["model"] == "oracle")
    assert "## Robustness" in (tmp_path / "leaderboard.md").read_text("utf-8")
    assert 'id="h-robust"' in (tmp_path / "leaderboard.html").read_text("utf-8")


def test_unknown_variant(capsys, tmp_path):
    assert evaluate_cli.main(["--model", "rules", "--variants", "tradtional", "--output", str(tmp_path)]) == 2
    assert "unknown variant 'tradtional'; did you mean 'traditional'?" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["traditional", "fullwidth", "no_furniture", "shuffled"])
def test_leave_one_out_holds_out_the_original_on_variants(article, corpus, name):
    """Regression: on a variant, the leave-one-out pool is the variant's own units, labelled through
    the map the variant carries (meta ``source_lines``), and exactly the predicted unit is held out
    (more in tests/adapters/test_adapter_sklearn_topics.py, with a non-default seed)."""
    from benchmark.adapters import InputDocument
    from benchmark.adapters.sklearn_topics import document_pool, gold_examples, held_out
    from benchmark.origins import Origin

    (variant,) = variant_documents([article], name)
    origin = Origin.from_meta(variant.meta)
    assert origin is not None and origin.document == article.id
    original = {(u.start, u.end): (u.section, u.topics) for u in article.gold["topics"]}
    pool = document_pool(gold_examples(), InputDocument.from_document(variant))
    assert all(ex[0] == variant.id for ex in pool) and len(pool) == len(variant.gold["topics"])
    for u in variant.gold["topics"]:
        assert original[origin.source(variant.id, (u.start, u.end))] == (u.section, u.topics)
        assert len(pool) - len(held_out(pool, variant.id, (u.start, u.end))) == 1
