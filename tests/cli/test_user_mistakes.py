"""Every user mistake a person makes with evaluate.py: exit 2, one line, no traceback, nothing written.

Each row of :data:`MISTAKES` runs ``scripts/evaluate.py`` as a subprocess from an empty
working folder with ``--output`` pointing into the test's folder, then checks the exit
status, that stderr is one line holding the expected message, and that no file appeared
anywhere under the test's folder (no run recorded, nothing written next to it).
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "annotations" / "sichuan-police-2020"
EVALUATE = ROOT / "scripts" / "evaluate.py"
SECRET = "sk-h8TESTsecret123"

PREDICTIONS = ["--predictions", str(ARTICLE), "--tasks", "ner"]
BAD_NAMES = ["../../x", "/abs/folder", "a/b", ".hidden", " ", "x" * 300]

# (id, arguments ({in} = the test's inputs folder), expected fragment of the one-line message)
MISTAKES: list[tuple[str, list[str], str]] = [
    *[(f"name {n[:12]!r}", [*PREDICTIONS, "--name", n], "invalid system name") for n in BAD_NAMES],
    ("reserved name", [*PREDICTIONS, "--name", "oracle"], "'oracle' is reserved"),
    ("reserved configured name", [*PREDICTIONS, "--name", "msra-char-bert"], "is reserved for the configured"),
    ("yaml as: traversal", ["--model-config", "{in}/as_traversal.yaml"], "'as': invalid system name"),
    ("yaml as: another adapter", ["--model-config", "{in}/as_jieba.yaml"], "'jieba' is reserved"),
    ("resamples 0", ["--model", "rules", "--resamples", "0"], "argument --resamples: must be >= 1"),
    ("resamples negative", ["--model", "rules", "--resamples", "-5"], "argument --resamples: must be >= 1"),
    ("timeout 0", ["--model", "rules", "--timeout", "0"], "argument --timeout: must be a number of seconds > 0"),
    ("timeout negative", ["--model", "rules", "--timeout", "-1"], "argument --timeout: must be"),
    ("output is a file", ["--model", "rules", "--output", "{in}/a_file.txt"], "is a file, not a folder"),
    ("output in /proc", ["--model", "rules", "--output", "/proc/h8-no/results"], "cannot write there"),
    ("model-config binary", ["--model-config", sys.executable], "a binary file, not YAML"),
    ("model-config folder", ["--model-config", "{in}"], "is a folder; --model-config takes a YAML file"),
    ("model-config empty", ["--model-config", "{in}/empty.yaml"], "no models in it"),
    ("predictions + variants", [*PREDICTIONS, "--name", "mine", "--variants", "all"], "cannot be combined with --variants"),
    ("predictions + model", [*PREDICTIONS, "--name", "mine", "--model", "jieba"], "cannot be combined with --model"),
    ("name without predictions", ["--model", "rules", "--name", "mine"], "--name goes with --predictions"),
    ("option typo", ["--modle", "jieba"], "did you mean --model?"),
    ("unknown adapter", ["--model", "jeiba"], "did you mean 'jieba'"),
    ("task version", ["--model", "rules", "--tasks", "ner.v0"], "this benchmark has ner.v1"),
    ("no task", ["--model", "rules", "--tasks", ","], "no task named"),
    ("hf-ner without model", ["--model", "hf-ner"], "hf-ner needs model=PATH"),
    ("hf-ner missing folder", ["--model", "hf-ner:model=/no/such/folder"], "no such folder"),
    ("hf-ner folder without config", ["--model", "hf-ner:model={in}"], "the folder has no config.json"),
    ("hf-ner hub id offline", ["--model", "hf-ner:model=nobody-h8/no-model"], "unless you set HF_HUB_OFFLINE=0"),
    ("hf-generative missing folder", ["--model", "hf-generative:model=/no/such/folder"], "no such folder"),
    ("openai unreachable", ["--model", "openai:base_url=http://127.0.0.1:9/v1,model=m,cache_dir="], "cannot reach"),
    ("api_key_env holds a key", ["--model", f"openai:model=m,api_key_env={SECRET}"], "NAME of an environment variable"),
]


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "a_file.txt").write_text("not a folder\n", encoding="utf-8")
    (folder / "as_traversal.yaml").write_text("models:\n  - {name: rules, as: ../../escaped}\n", encoding="utf-8")
    (folder / "as_jieba.yaml").write_text("models:\n  - {name: rules, as: jieba}\n", encoding="utf-8")
    (folder / "empty.yaml").write_text("models: []\n", encoding="utf-8")
    return folder


def run_evaluate(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = os.environ | {"HF_HUB_OFFLINE": "1"} | env
    return subprocess.run([sys.executable, str(EVALUATE), *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


@pytest.mark.parametrize(("args", "message"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_mistake_is_exit_2_one_line_nothing_written(tmp_path, inputs, args, message):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    args = [a.replace("{in}", str(inputs)) for a in args]
    if "--output" not in args:
        args += ["--output", str(tmp_path / "out")]
    before = _tree(tmp_path)
    started = time.perf_counter()
    done = run_evaluate(args, cwd)
    seconds = time.perf_counter() - started
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert message in lines[0], lines[0]
    assert SECRET not in done.stderr
    assert _tree(tmp_path) == before, "a mistake wrote files"
    assert seconds < 60


def test_unwritable_output_folder(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write into a read-only folder")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    done = run_evaluate(["--model", "rules", "--output", str(locked / "out")], tmp_path)
    assert done.returncode == 2 and "cannot write there" in done.stderr


def test_unreachable_server_fails_in_seconds(tmp_path):
    started = time.perf_counter()
    done = run_evaluate(["--model", "openai:base_url=http://127.0.0.1:9/v1,model=m,cache_dir=",
                         "--output", str(tmp_path / "out")], tmp_path)  # fmt: skip
    assert done.returncode == 2 and "cannot reach http://127.0.0.1:9/v1" in done.stderr
    assert time.perf_counter() - started < 20


def test_url_credentials_never_printed(tmp_path):
    done = run_evaluate(["--model", f"openai:base_url=http://user:{SECRET}@127.0.0.1:9/v1,model=m,cache_dir=",
                         "--output", str(tmp_path / "out")], tmp_path)  # fmt: skip
    assert done.returncode == 2 and "http://***@127.0.0.1:9/v1" in done.stderr
    assert SECRET not in done.stderr + done.stdout


# -- preflight against a local server ------------------------------------------------------------


class _Models(http.server.BaseHTTPRequestHandler):
    body: bytes | None = json.dumps({"object": "list", "data": [{"id": "served-model"}]}).encode()

    def do_GET(self) -> None:
        if self.body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server():
    def start(body: bytes | None) -> str:
        handler = type("Handler", (_Models,), {"body": body})
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/v1"

    servers: list[http.server.ThreadingHTTPServer] = []
    yield start
    for httpd in servers:
        httpd.shutdown()


def test_preflight_checks_the_served_models(server, capsys):
    from benchmark.adapters import PreflightError
    from benchmark.adapters.preflight import check_server

    url = server(_Models.body)
    check_server("openai", url, "served-model")
    with pytest.raises(PreflightError, match="does not serve model 'other'; it serves: served-model"):
        check_server("openai", url, "other")
    check_server("openai", server(None), "anything")  # no /models: a warning, not a refusal
    assert "lists no models" in capsys.readouterr().err


def test_hub_id_allowed_when_the_user_turns_the_hub_on(monkeypatch):
    from benchmark.adapters.preflight import check_model_source

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    check_model_source("hf-ner", "nobody-h8/no-model")  # not refused: the load will reach the hub


def test_preflight_skipped_when_every_prediction_is_stored(tmp_path, corpus):
    """A run whose predictions are all stored never calls preflight (the server may be down)."""
    from benchmark.adapters import ADAPTERS, Adapter, Prediction, PreflightError
    from benchmark.cli._evaluate import preflight
    from benchmark.runner import ModelSpec, run_model

    calls = []

    class Flaky(Adapter):
        name = "t-h8-flaky"
        tasks = ("ner",)
        down = False

        def preflight(self) -> None:
            calls.append(self.down)
            if Flaky.down:
                raise PreflightError("t-h8-flaky: server down")

        def predict(self, task, documents):
            return [Prediction(d.id, []) for d in documents]

    ADAPTERS.register(Flaky.name)(Flaky)
    try:
        spec = ModelSpec(Flaky.name)
        run_model(spec, corpus, ["ner"], results=tmp_path, n_resamples=10)
        Flaky.down = True
        stored = len(calls)
        preflight([spec], [("", corpus)], ["ner"], tmp_path, force=False)  # stored: not called
        assert len(calls) == stored
        with pytest.raises(Exception, match="server down"):
            preflight([spec], [("", corpus)], ["ner"], tmp_path, force=True)
    finally:
        ADAPTERS._items.pop(Flaky.name, None)


# -- CLI truth ----------------------------------------------------------------------------------


def test_tasks_accept_keys_and_versions():
    from benchmark.cli._checks import task_keys
    from benchmark.tasks import TASKS, get_task

    for key in TASKS.names():
        assert task_keys(key) == task_keys(get_task(key).name) == [key]


def test_configured_model_by_name():
    from benchmark.cli._config import configured_model

    spec = configured_model("msra-char-bert", {"batch_size": "4"})
    assert spec is not None and spec.adapter == "hf-ner" and spec.model == "msra-char-bert"
    assert spec.options["batch_size"] == "4" and spec.options["model"].endswith("models/msra-char-bert")
    assert configured_model("jieba", {}) is None


def test_list_models_shows_options_required_and_an_example():
    from benchmark.cli._evaluate import list_models

    text = list_models()
    assert "options: model (required)" in text
    assert "example: .venv/bin/python scripts/evaluate.py --model hf-ner:model=..." in text
    assert "msra-char-bert" in text and "configured in configs/default.yaml" in text
    assert "root (required)" not in text  # an offline adapter needs no option


def test_argparse_errors_are_one_line_with_a_suggestion(tmp_path):
    done = run_evaluate(["--modle", "jieba"], tmp_path)
    assert done.returncode == 2
    assert done.stderr == "evaluate.py: error: unrecognized arguments: --modle jieba; did you mean --model? (see --help)\n"


# -- secrets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"base_url": f"http://user:{SECRET}@host:8000/v1"}, {"base_url": "http://***@host:8000/v1"}),
        ({"base_url": f"https://host/v1?api_key={SECRET}&x=1"}, {"base_url": "https://host/v1?api_key=***&x=1"}),
        ({"api_key": SECRET, "access_token": SECRET}, {"api_key": "***", "access_token": "***"}),
        ({"max_tokens": 64, "max_new_tokens": 8, "tokenizer": "t"}, {"max_tokens": 64, "max_new_tokens": 8,
                                                                      "tokenizer": "t"}),
        ({"api_key_env": "OPENAI_API_KEY"}, {"api_key_env": "OPENAI_API_KEY"}),
        ({"nested": {"urls": [f"http://a:{SECRET}@h"]}}, {"nested": {"urls": ["http://***@h"]}}),
    ],
)  # fmt: skip
def test_scrub(config, expected):
    from benchmark.provenance import scrub

    assert scrub(config) == expected


def test_api_key_env_refuses_a_key_without_echoing_it():
    from benchmark.adapters import get_adapter
    from benchmark.adapters.options import OptionError

    with pytest.raises(OptionError) as info:
        get_adapter("openai").from_config({"model": "m", "api_key_env": SECRET})
    assert SECRET not in str(info.value)
    assert get_adapter("openai").from_config({"model": "m", "api_key_env": "MY_KEY"}).options.api_key_env == "MY_KEY"


# -- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*BAD_NAMES, "-dash", "a\\b", "tab\tname", ""])
def test_bad_system_names(name):
    from benchmark.names import validate_system_name

    with pytest.raises(ValueError, match="invalid system name"):
        validate_system_name(name)


@pytest.mark.parametrize("name", ["mine", "my-system_v2.1", "人工标注", "x" * 64])
def test_good_system_names(name):
    from benchmark.names import validate_system_name

    assert validate_system_name(name) == name


def test_setup_second_run_only_checks():
    """With the stamp of the current setup inputs, setup.sh checks in seconds and installs nothing."""
    import hashlib

    stamp = ROOT / ".venv" / ".setup-stamp"
    inputs = b"".join((ROOT / p).read_bytes() for p in ("pyproject.toml", "scripts/setup.sh",
                                                       "scripts/install_optional.sh"))  # fmt: skip
    if not stamp.exists() or stamp.read_text().strip() != hashlib.sha256(inputs).hexdigest():
        pytest.skip("the venv was not set up by this version of scripts/setup.sh (a run would install)")
    started = time.perf_counter()
    done = subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "nothing reinstalled" in done.stdout and done.stderr == ""
    assert time.perf_counter() - started < 10


@pytest.mark.skipif(
    not __import__("importlib").util.find_spec("LAC"), reason="LAC is not installed (scripts/install_optional.sh)"
)
@pytest.mark.parametrize("model", ["lac", "thulac"])
def test_stderr_has_no_library_noise(tmp_path, model):
    """LAC's and THULAC's "Model loaded succeed" and matplotlib's "findfont" stay off stderr."""
    done = run_evaluate(["--model", model, "--tasks", "ner", "--resamples", "10", "--output", str(tmp_path)],
                        tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "findfont" not in done.stderr and "Model loaded succeed" not in done.stderr, done.stderr


def test_a_run_writes_only_under_output_with_normal_permissions(tmp_path):
    cwd, out = tmp_path / "cwd", tmp_path / "out"
    cwd.mkdir()
    done = run_evaluate(["--model", "rules", "--tasks", "ner", "--resamples", "10", "--no-leaderboard",
                         "--output", str(out)], cwd)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list(cwd.iterdir()) == [] and {p.name for p in tmp_path.iterdir()} == {"cwd", "out"}
    umask = os.umask(0)
    os.umask(umask)
    for path in [out, *out.rglob("*")]:
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        assert path.stat().st_mode & 0o777 == expected, f"{path.relative_to(out)}: {oct(path.stat().st_mode)}"
