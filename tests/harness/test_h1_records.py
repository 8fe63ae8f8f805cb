"""Run records over time: byte-identical re-runs, corrupt run folders, documents and task versions
that change after a run was made."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmark import leaderboard
from benchmark.cli import evaluate as evaluate_cli
from benchmark.cli import leaderboard as leaderboard_cli
from benchmark.records import broken_runs, list_runs, round_floats
from benchmark.render import markdown, tabular
from benchmark.run_record import rescore_record
from benchmark.runner import ModelSpec, run_model
from benchmark.validate import load_corpus

FAST = ["--model", "oracle", "--model", "rules"]  # oracle covers every task, qa included
NEW_DOC = "sichuan-police-2020-again"


def _snapshot(results: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(results)): p.read_bytes()
        for p in sorted(results.rglob("*"))
        if p.is_file() and ".cache" not in p.parts and p.name != ".lock"
    }


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def test_a_rerun_that_reuses_predictions_changes_no_byte(tmp_path, capsys):
    out = tmp_path / "results"
    args = [*FAST, "--output", str(out), "--resamples", "20"]
    assert evaluate_cli.main(args) == 0
    first = _snapshot(out)
    assert any(name.endswith("meta.json") for name in first) and "leaderboard.json" in first
    capsys.readouterr()
    assert evaluate_cli.main(args) == 0
    assert _changed(first, _snapshot(out)) == []
    assert "oracle: ok: stored predictions reused" in capsys.readouterr().err  # said on the console only
    shutil.rmtree(out / ".cache")  # a fresh clone has no paired-test cache
    assert leaderboard_cli.main(["--results", str(out), "--resamples", "20", "--rescore"]) == 0
    assert _changed(first, _snapshot(out)) == []  # the same scores: the 'scored' record stands
    for name, data in first.items():
        if name.endswith("meta.json"):
            assert b"reused" not in data, name
    capsys.readouterr()


def test_floats_are_rounded_once_when_written(corpus, tmp_path):
    run_model(ModelSpec("rules"), corpus, ["topics"], results=tmp_path, n_resamples=20)
    (run,) = list_runs(tmp_path)
    assert run.scores == round_floats(run.scores) and run.meta == round_floats(run.meta)
    speed = run.meta["tasks"]["topics"]["chars_per_second"]
    assert speed == float(f"{speed:.6g}")


def _evaluate(tmp_path: Path) -> Path:
    out = tmp_path / "results"
    assert evaluate_cli.main(["--model", "oracle", "--model", "rules", "--output", str(out), "--resamples", "20",
                              "--no-leaderboard"]) == 0  # fmt: skip
    return out


def test_a_corrupt_run_folder_is_skipped_with_one_warning(tmp_path, capsys):
    out = _evaluate(tmp_path)
    good = next((out / "runs" / "rules").iterdir())
    bad_scores = out / "runs" / "copy-a" / "r1"
    no_errors = out / "runs" / "copy-b" / "r2"
    for target in (bad_scores, no_errors):
        shutil.copytree(good, target)
    (bad_scores / "scores.json").write_text("{not json", encoding="utf-8")
    (no_errors / "errors.json").unlink()
    capsys.readouterr()
    assert leaderboard_cli.main(["--results", str(out), "--resamples", "20"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning")]
    assert len(warnings) == 2
    assert any(str(bad_scores) in w and "scores.json: invalid JSON" in w for w in warnings)
    assert any(str(no_errors) in w and "errors.json: missing" in w for w in warnings)
    board = json.loads((out / "leaderboard.json").read_text("utf-8"))
    assert {r["model"] for r in board["tasks"]["ner"]["rows"]} == {"oracle", "rules"}
    assert leaderboard_cli.main(["--results", str(out), "--check"]) == 1
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and all("copy-" in line for line in listed)
    # evaluate goes on too, and a broken run of the model it runs is written again
    (good / "meta.json").write_text("[]", encoding="utf-8")
    assert evaluate_cli.main(["--model", "rules", "--output", str(out), "--resamples", "20", "--no-leaderboard"]) == 0
    assert "expected a JSON object" not in "".join(broken_runs(out)) and len(broken_runs(out)) == 2
    shutil.rmtree(bad_scores.parent), shutil.rmtree(no_errors.parent)
    assert leaderboard_cli.main(["--results", str(out), "--check"]) == 0


@pytest.mark.parametrize("where", ["no_such_dir", "empty"])
def test_results_without_runs_is_a_user_mistake(tmp_path, capsys, where):
    target = tmp_path / where
    if where == "empty":
        target.mkdir()
    assert leaderboard_cli.main(["--results", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(target) in err and "Traceback" not in err


@pytest.fixture()
def grown_corpus(tmp_path, corpus):
    """A copy of the annotations with one more document (the article under a new id)."""
    root = tmp_path / "annotations"
    shutil.copytree(Path(__file__).resolve().parents[2] / "annotations", root)
    shutil.copytree(root / "sichuan-police-2020", root / NEW_DOC)
    meta = json.loads((root / NEW_DOC / "meta.json").read_text("utf-8"))
    meta["id"] = NEW_DOC
    (root / NEW_DOC / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    docs = load_corpus(root)
    assert [d.id for d in docs] == ["sichuan-police-2020", NEW_DOC]
    return docs


def test_a_new_document_flags_old_runs_instead_of_crashing(tmp_path, corpus, grown_corpus):
    out = tmp_path / "results"
    for name in ("oracle", "rules"):
        run_model(ModelSpec(name), corpus, ["ner", "topics"], results=out, n_resamples=20)
    board = leaderboard.build(list_runs(out), grown_corpus, n_resamples=20)
    table = board["tasks"]["ner"]
    assert table["documents"] == ["sichuan-police-2020"] and table["missing_documents"] == [NEW_DOC]
    assert {r["model"] for r in table["rows"]} == {"oracle", "rules"}
    run_model(ModelSpec("oracle"), grown_corpus, ["ner", "topics"], results=out, n_resamples=20)
    board = leaderboard.build(list_runs(out), grown_corpus, n_resamples=20)
    table = board["tasks"]["ner"]
    assert table["documents"] == ["sichuan-police-2020", NEW_DOC] and table["missing_documents"] == []
    assert [r["model"] for r in table["rows"]] == ["oracle"]
    (flag,) = table["incomplete"]
    assert flag["model"] == "rules" and flag["kind"] == "incomplete" and flag["missing_documents"] == [NEW_DOC]
    assert flag["command"] == ".venv/bin/python scripts/evaluate.py --model rules"
    assert board["overall"]["rows"][0]["model"] == "oracle"
    assert '"kind": "incomplete"' in tabular.to_json(board)
    assert "Incomplete: rules" in markdown.render(board)
    rules = next(r for r in list_runs(out) if r.model == "rules")
    _, scores, _, notes = rescore_record(rules, grown_corpus, n_resamples=20)
    assert any(NEW_DOC in n and "re-run" in n for n in notes)
    assert round_floats(scores["ner"]["headline"]) == rules.scores["ner"]["headline"]


def test_a_changed_task_version_is_stale_until_rescored(tmp_path, corpus):
    out = tmp_path / "results"
    run_model(ModelSpec("rules"), corpus, ["ner"], results=out, n_resamples=20)
    (run,) = list_runs(out)
    meta = json.loads((run.path / "meta.json").read_text("utf-8"))
    meta["tasks"]["ner"]["task"] = "ner.v0"
    (run.path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    table = leaderboard.build(list_runs(out), corpus, n_resamples=20)["tasks"]["ner"]
    assert table["rows"] == [] and table["incomplete"][0]["kind"] == "stale"
    assert "--rescore" in table["incomplete"][0]["command"]
    assert leaderboard_cli.main(["--results", str(out), "--rescore", "--resamples", "20"]) == 0
    (run,) = list_runs(out)
    assert run.meta["tasks"]["ner"]["task"] == "ner.v1"
    table = leaderboard.build(list_runs(out), corpus, n_resamples=20)["tasks"]["ner"]
    assert [r["model"] for r in table["rows"]] == ["rules"] and table["incomplete"] == []


def test_tasks_not_run_again_keep_their_files(corpus, tmp_path):
    """Running one task of a run again keeps the other tasks' predictions, mentions and scores."""
    from harness_fakes import Strings

    run_model(ModelSpec(Strings), corpus, ["ner"], results=tmp_path, n_resamples=20)
    (first,) = list_runs(tmp_path)
    files = {p.relative_to(first.path) for p in first.path.rglob("*.jsonl")}
    assert any(p.name == "ner.mentions.jsonl" for p in files)
    run_model(ModelSpec(Strings), corpus, [], results=tmp_path, n_resamples=20)
    (again,) = list_runs(tmp_path)
    assert {p.relative_to(again.path) for p in again.path.rglob("*.jsonl")} == files
    assert again.scores == first.scores


def test_a_damaged_predictions_file_flags_the_run_not_the_board(corpus, tmp_path, capsys):
    for name in ("oracle", "rules"):
        run_model(ModelSpec(name), corpus, ["ner"], results=tmp_path, n_resamples=20)
    rules = next(r for r in list_runs(tmp_path) if r.model == "rules")
    (rules.path / "predictions" / "sichuan-police-2020" / "entities.jsonl").write_text("{oops\n", "utf-8")
    table = leaderboard.build(list_runs(tmp_path), corpus, n_resamples=20)["tasks"]["ner"]
    assert [r["model"] for r in table["rows"]] == ["oracle"]
    assert table["incomplete"][0]["model"] == "rules" and table["incomplete"][0]["kind"] == "broken"
    assert leaderboard_cli.main(["--results", str(tmp_path), "--check"]) == 1
    assert "rules" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m.update(tasks=[]), "meta.json: tasks: expected an object of objects"),
        (lambda m: m.update(documents=[["only-an-id"]]), "meta.json: documents: expected a list"),
        (lambda m: m.pop("run_id"), "meta.json: run_id: missing"),
    ],
)
def test_a_meta_of_the_wrong_shape_is_a_broken_run(corpus, tmp_path, capsys, edit, message):
    run_model(ModelSpec("rules"), corpus, ["ner"], results=tmp_path, n_resamples=20)
    meta_path = next(tmp_path.glob("runs/rules/*/meta.json"))
    meta = json.loads(meta_path.read_text("utf-8"))
    edit(meta)
    meta_path.write_text(json.dumps(meta), "utf-8")
    assert list_runs(tmp_path) == []
    assert message in capsys.readouterr().err
    run_model(ModelSpec("rules"), corpus, ["ner"], results=tmp_path, n_resamples=20)  # evaluate rewrites it
    assert len(list_runs(tmp_path)) == 1


def test_the_parsed_record_cache_follows_every_change_of_the_run_files(corpus, tmp_path, capsys):
    out, cache = tmp_path / "results", tmp_path / "cache"
    for every in ("rules", "oracle"):
        run_model(ModelSpec(every), corpus, ["topics"], results=out, n_resamples=20)

    def records(**kwargs):
        return [(r.path, r.meta, r.scores, r.errors) for r in list_runs(out, **kwargs)]

    plain = records()
    assert records(cache=cache) == plain and len(list(cache.glob("*/*.marshal"))) == 2  # parsed, stored
    assert records(cache=cache) == plain  # read from the cache
    rules, oracle = sorted(out.glob("runs/*/*"), key=lambda p: p.parent.name != "rules")
    meta = json.loads((rules / "meta.json").read_text("utf-8"))
    (rules / "meta.json").write_text(json.dumps(meta | {"display_name": "Rules"}), encoding="utf-8")
    (cached,) = [r for r in list_runs(out, cache=cache) if r.model == "rules"]
    assert cached.meta["display_name"] == "Rules"  # an edited file is read again
    (cache / "oracle" / f"{oracle.name}.marshal").write_bytes(b"not marshal")
    assert records(cache=cache) == records()  # an unreadable cache entry is parsed again
    (oracle / "scores.json").write_text("{", encoding="utf-8")
    capsys.readouterr()
    assert [r.model for r in list_runs(out, cache=cache)] == ["rules"]  # broken now: skipped, said
    assert f"skipping broken run {oracle}: scores.json: invalid JSON" in capsys.readouterr().err
    assert [p.parent.name for p in cache.glob("*/*.marshal")] == ["rules"]  # and its entry pruned
