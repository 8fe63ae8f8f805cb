"""The leaderboard's ranking: the oracle is a reference row, overall never rewards coverage,
pairwise marks agree with the adjusted intervals and the letter groups, a rebuild is byte-identical."""

from __future__ import annotations

import copy
import itertools
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmark import leaderboard, publish
from benchmark.adapters import ADAPTERS, Adapter, Prediction
from benchmark.adapters.base import KINDS
from benchmark.board_overall import overall_table
from benchmark.records import list_runs
from benchmark.render import markdown, tabular
from benchmark.runner import ModelSpec, run_model

N_RESAMPLES = 200


class Every(Adapter):
    """Every ``every``-th gold record of the task: a system of known quality that reads nothing."""

    name = "t-every"
    tasks = ("ner", "numeric")
    kind = "rules"

    @dataclass(frozen=True)
    class Options:
        every: int = 1

    def predict(self, task, documents):
        from benchmark.validate import load_corpus

        key = getattr(task, "key", task)
        gold = {d.id: d.gold[key] for d in load_corpus()}
        return [Prediction(d.id, gold[d.id][:: self.options.every]) for d in documents]


class Explodes(Adapter):
    name = "t-explodes"
    tasks = ("ner",)

    def predict(self, task, documents):
        raise RuntimeError("model exploded")


SYSTEMS = [  # (name, every, tasks)
    ("full", 1, ["ner"]),
    ("half", 2, ["ner", "numeric"]),
    ("third", 3, ["ner"]),
    ("tenth", 10, ["ner", "numeric"]),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory, corpus) -> Iterator[Path]:
    """Runs of the oracle, four systems of known quality and one that fails (registered meanwhile:
    the board reads an adapter's ``kind`` from the registry)."""
    out = tmp_path_factory.mktemp("board") / "results"
    for cls in (Every, Explodes):
        ADAPTERS.register(cls.name)(cls)
    try:
        run_model(ModelSpec("oracle"), corpus, ["ner", "numeric"], results=out, n_resamples=20)
        for name, every, tasks in SYSTEMS:
            run_model(ModelSpec(Every, {"every": every}, name=name), corpus, tasks, results=out, n_resamples=20)
        run_model(ModelSpec(Explodes), corpus, ["ner"], results=out, n_resamples=20)
        publish.publish(out, n_resamples=N_RESAMPLES)
        yield out
    finally:
        for cls in (Every, Explodes):
            ADAPTERS._items.pop(cls.name, None)


@pytest.fixture(scope="module")
def board(results) -> dict:
    return json.loads((results / "leaderboard.json").read_text("utf-8"))


def test_the_oracle_is_a_reference_row_and_ranks_exclude_it(board):
    ner = board["tasks"]["ner"]
    oracle = ner["rows"][0]
    assert oracle["model"] == "oracle" and oracle["reference"] and oracle["rank"] is None
    assert oracle["kind"] == "reference" and "group" not in oracle
    ranked = [r for r in ner["rows"] if not r["reference"]]
    assert [r["model"] for r in ranked] == ["full", "half", "third", "tenth"]
    assert [r["rank"] for r in ranked] == [1, 2, 3, 4]
    assert all(r["reads"] == "nothing" and r["kind"] == "rules" for r in ranked)
    names = {p["a"] for p in ner["pairwise"]["pairs"]} | {p["b"] for p in ner["pairwise"]["pairs"]}
    assert "oracle" not in names and ner["detectable"]["systems"] == ["full", "half"]
    overall = board["overall"]
    assert [(r["model"], r["rank"]) for r in overall["rows"] if r["reference"]] == [("oracle", None)]
    assert all("oracle" not in s["models"] for s in overall["task_sets"])
    md = markdown.render(board)
    assert "| ref | - | oracle (gold) |" in md and "| 1 | a" in md


def test_overall_ranks_only_within_a_task_set(board):
    overall = board["overall"]
    assert [(s["id"], s["models"]) for s in overall["task_sets"]] == [
        ("ner+numeric", ["half", "tenth"]),
        ("ner", ["full", "third"]),
    ]
    for row in overall["rows"]:
        covered = [v for v in row["per_task"].values() if v is not None]
        assert row["overall"] == pytest.approx(sum(covered) / len(covered), rel=1e-5)  # no missing task as 0
        assert row["tasks_covered"] == len(covered)
    ranks = {(r["task_set"], r["rank"]) for r in overall["rows"] if not r["reference"]}
    assert ranks == {("ner+numeric", 1), ("ner+numeric", 2), ("ner", 1), ("ner", 2)}


def _table(rows: list[tuple[str, float, bool]]) -> dict:
    ranks = iter(range(1, len(rows) + 1))
    return {"primary": "f1", "rows": [
        {"model": m, "run_id": m, "display_name": m, "reads": "gold" if ref else "nothing", "uses_gold": ref,
         "reference": ref, "rank": None if ref else next(ranks), "scores": {"f1": {"estimate": v}}}
        for m, v, ref in rows
    ]}  # fmt: skip


def test_overall_does_not_reward_coverage():
    """A specialist with a good score is not pushed below a generalist by the tasks it lacks."""
    tables = {
        "ner": _table([("oracle", 1.0, True), ("specialist", 0.9, False), ("generalist", 0.3, False)]),
        "numeric": _table([("oracle", 1.0, True), ("generalist", 0.4, False)]),
        "topics": _table([("oracle", 1.0, True), ("generalist", 0.5, False)]),
    }
    rows = {r["model"]: r for r in overall_table(tables)["rows"]}
    assert rows["specialist"]["overall"] == pytest.approx(0.9) and rows["specialist"]["rank"] == 1
    assert rows["generalist"]["overall"] == pytest.approx(0.4) and rows["generalist"]["rank"] == 1
    assert rows["specialist"]["task_set"] != rows["generalist"]["task_set"]
    assert rows["specialist"]["per_task_rank"] == {"ner": 1, "numeric": None, "topics": None}
    assert rows["generalist"]["per_task_rank"] == {"ner": 2, "numeric": 1, "topics": 1}
    assert rows["oracle"]["rank"] is None and rows["oracle"]["reference"]
    # the same specialist with a lower score still ranks against its own set only
    tables["ner"] = _table([("specialist", 0.1, False), ("generalist", 0.3, False)])
    rows = {r["model"]: r for r in overall_table(tables)["rows"]}
    assert rows["specialist"]["rank"] == 1 and rows["specialist"]["overall"] == pytest.approx(0.1)


def test_pairwise_decisions_agree_with_the_adjusted_intervals_and_the_groups(board):
    for key, table in board["tasks"].items():
        ranked = [r for r in table["rows"] if not r["reference"]]
        pairs = table["pairwise"]["pairs"]
        m = len(ranked) * (len(ranked) - 1) // 2
        assert len(pairs) == table["pairwise"]["comparisons"] == m, key
        if m:
            assert table["pairwise"]["confidence"] == pytest.approx(1 - 0.05 / m)
        for p in pairs:
            assert p["significant"] == (p["low"] > 0 or p["high"] < 0), p
        different = {frozenset((p["a"], p["b"])) for p in pairs if p["significant"]}
        shuffled = sorted(ranked, key=lambda r: r["model"])  # any order: the marks are per pair
        for a, b in itertools.combinations(shuffled, 2):
            shares = bool(set(a["group"]) & set(b["group"]))
            assert shares == (frozenset((a["model"], b["model"])) not in different), (key, a["model"], b["model"])
    ner = board["tasks"]["ner"]
    decided = {(p["a"], p["b"]): p["significant"] for p in ner["pairwise"]["pairs"]}
    assert decided[("full", "tenth")] and decided[("half", "tenth")]  # F1 1.0 and 0.67 vs 0.18


def test_detectable_difference_is_in_the_data(board):
    found = board["tasks"]["ner"]["detectable"]
    assert 0 < found["difference"] < 1 and found["power"] == 0.8
    assert found["alpha"] == pytest.approx(0.05 / 6) and found["metric"] == "strict_f1"
    assert "Bonferroni" in found["method"] and "80%" in found["method"]
    assert board["tasks"]["numeric"]["detectable"]["systems"] == ["half", "tenth"]


def test_links_times_failures(board, results):
    runs = list_runs(results)
    newest = max(runs, key=lambda r: (r.meta["finished_at"], r.run_id))
    assert board["newest_run"]["finished_at"] == newest.meta["finished_at"]
    assert board["newest_run"]["git_commit"] == newest.meta.get("git_commit")
    for table in board["tasks"].values():
        for row in table["rows"]:
            assert (results / row["run_path"] / "meta.json").is_file(), row["run_path"]
            assert row["kind"] in KINDS
    (failed,) = board["tasks"]["ner"]["failed"]
    assert failed["model"] == "t-explodes" and "model exploded" in failed["reason"]
    assert "t-explodes" not in {r["model"] for r in board["tasks"]["ner"]["rows"]}


def test_llm_failure_rates_come_from_the_errors(results, corpus, tmp_path):
    out = tmp_path / "results"
    run = next(r for r in list_runs(results) if r.model == "half")
    (out / "runs" / "half").mkdir(parents=True)
    target = out / "runs" / "half" / run.run_id
    shutil.copytree(run.path, target)
    errors = json.loads((target / "errors.json").read_text("utf-8"))
    errors["ner"].setdefault("info", {})[corpus[0].id] = {"llm": {
        "requests": 40, "request_failures": 0, "parse_failures": 4, "items": 50, "grounding_failures": 5}}  # fmt: skip
    (target / "errors.json").write_text(json.dumps(errors, ensure_ascii=False), encoding="utf-8")
    failed = next(r for r in list_runs(results) if r.model == "t-explodes")
    shutil.copytree(failed.path, out / "runs" / "t-explodes" / failed.run_id)
    errors = json.loads((failed.path / "errors.json").read_text("utf-8"))
    errors["ner"]["exception"] = "every answer failed to parse: 40 of 40 requests"
    errors["ner"]["info"] = {corpus[0].id: {"llm": {"requests": 40, "parse_failures": 40, "items": 0}}}
    (out / "runs" / "t-explodes" / failed.run_id / "errors.json").write_text(json.dumps(errors), encoding="utf-8")
    board = leaderboard.build(list_runs(out), corpus, n_resamples=20)
    (failure,) = board["tasks"]["ner"]["failed"]
    assert failure["reason"].startswith("every answer failed to parse") and failure["llm"]["parse_failure_rate"] == 1
    assert "(100.0% of answers unreadable)" in markdown.render(board)
    (row,) = board["tasks"]["ner"]["rows"]
    assert row["llm"]["parse_failure_rate"] == pytest.approx(0.1)
    assert row["llm"]["grounding_failure_rate"] == pytest.approx(0.1)
    assert "LLM failure rates: half: 10.0% of answers unreadable" in markdown.render(board)
    assert "llm" not in board["tasks"]["numeric"]["rows"][0]


def test_a_rebuild_is_byte_identical_and_writes_nothing(results):
    files = sorted(p for p in results.glob("leaderboard.*")) + sorted((results / "plots").glob("*"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    publish.publish(results, n_resamples=N_RESAMPLES)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before
    shutil.rmtree(results / ".cache")  # recomputed from the runs, not read from the cache: same bytes
    publish.publish(results, n_resamples=N_RESAMPLES)
    assert {p: p.read_bytes() for p in files} == {p: v[0] for p, v in before.items()}


def test_a_rebuild_renders_again_only_the_error_sections_of_changed_runs(results, tmp_path):
    out = tmp_path / "results"
    shutil.copytree(results, out)
    sections = out / ".cache" / "sections"
    cached = sorted(sections.glob("*.html"))
    shown = len(list(out.glob("runs/*/*")))  # every run of this board has a row or a failure entry
    assert len(cached) == shown == 6
    for path in cached:  # a section taken from the cache carries the mark into the page
        path.write_text(path.read_text("utf-8") + "<!--cached-->", encoding="utf-8")
    (changed,) = out.glob("runs/third/*")
    meta = json.loads((changed / "meta.json").read_text("utf-8"))
    (changed / "meta.json").write_text(json.dumps(meta | {"display_name": "Third"}), encoding="utf-8")
    publish.publish(out, n_resamples=N_RESAMPLES)
    page = (out / "leaderboard.html").read_text("utf-8")
    assert page.count("<!--cached-->") == shown - 1 and ">Third <small>(third" in page
    assert len(list(sections.glob("*.html"))) == shown  # the changed run's old section is pruned
    shutil.rmtree(out / ".cache")  # rendered from scratch: the same page, less the marks
    publish.publish(out, n_resamples=N_RESAMPLES)
    assert (out / "leaderboard.html").read_text("utf-8") == page.replace("<!--cached-->", "")


def test_csv_marks_the_reference_row(board):
    lines = tabular.to_csv(board).splitlines()
    assert lines[0].endswith(",reference,group,kind")
    oracle = next(line for line in lines if ",oracle," in line)
    assert oracle.startswith("ner.v1,,oracle,") and oracle.endswith(",True,,reference")


def test_old_records_without_reads_use_the_adapter_declaration(board):
    """A run written before ``reads`` said only ``uses_gold``: the registered adapter decides."""
    from benchmark.board_runs import kind_of, reads_of
    from benchmark.records import RunRecord

    meta = {"adapter": {"name": "tfidf-logreg", "uses_gold": True}, "model": "tfidf-logreg", "run_id": "x"}
    run = RunRecord(Path("runs/tfidf-logreg/x"), meta, {}, {})
    assert reads_of(run) == "other-units-gold" and kind_of(run) == "classifier"
    gone = RunRecord(Path("runs/gone/x"), copy.deepcopy(meta) | {"adapter": {"name": "gone", "uses_gold": True}}, {}, {})
    assert reads_of(gone) == "gold" and kind_of(gone) == "reference"


def test_every_adapter_declares_a_known_kind():
    for name in ADAPTERS.names():
        cls = ADAPTERS.get(name)
        assert cls.kind in KINDS, (name, cls.kind)
    assert ADAPTERS.get("oracle").kind == "reference" and ADAPTERS.get("jieba").kind == "tagger"
