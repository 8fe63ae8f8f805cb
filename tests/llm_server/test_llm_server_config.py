"""Serve configs, the GGUF cache, the chat template and evaluate.py's --add-config, without a model."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from benchmark.cli._config import read_specs
from benchmark.errors import UserError
from benchmark.llm_server.config import ServeConfig, ServeError, gguf_cache_dir, resolve_gguf
from benchmark.llm_server.specs import ServedSpec, served_spec
from benchmark.llm_server.templates import chat_template
from benchmark.runner import ModelSpec

ROOT = Path(__file__).resolve().parents[2]
GEMMA = ROOT / "configs" / "llm-gemma.yaml"


def test_the_gemma_config_is_an_openai_item_served_on_a_fixed_port():
    (spec,) = read_specs(GEMMA)
    assert isinstance(spec, ServedSpec) and spec.model == "gemma-3-270m-llamacpp"
    assert spec.options["base_url"] == f"http://127.0.0.1:{spec.serve.port}/v1" and spec.serve.port > 0
    assert spec.options["model"] == spec.serve.name == "gemma-3-270m"
    assert spec.options["prompt"] == "completion" and spec.serve.chat_template == "gemma"
    from benchmark.adapters import get_adapter

    adapter = get_adapter("openai").from_config(spec.options)  # every option is the adapter's
    assert adapter.options.max_tokens == spec.options["max_tokens"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"gguf": "m.gguf", "prot": 1}, "serve: unknown field 'prot'"),
        ({"gguf": "m.gguf", "port": "80"}, "serve: port: expected int, got '80'"),
        ({"gguf": "m.gguf", "threads": True}, "serve: threads: expected int, got True"),
        ({"alias": "m"}, "serve: gguf: missing"),
        ({"gguf": "m.gguf", "port": 70000}, "serve: port: must be 0 (any free port) to 65535"),
        ({"gguf": "m.gguf", "runtime": "vllm"}, "serve: runtime: must be xllamacpp"),
        ("m.gguf", "serve: expected a mapping"),
    ],
)
def test_serve_mistakes_name_the_field(raw, message):
    with pytest.raises(ServeError) as exc:
        ServeConfig.from_mapping(raw, where="serve")
    assert str(exc.value).startswith(message), str(exc.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ModelSpec("openai", {"base_url": "http://h/v1"}), "options.base_url is set by serve"),
        (ModelSpec("openai", {"model": "other"}), "options.model='other' is not the served name 'm'"),
        (ModelSpec("jieba", {}), "adapter jieba has no base_url and model options"),
    ],
)
def test_options_that_contradict_the_server_are_refused(spec, message):
    with pytest.raises(ServeError, match=message):
        served_spec(spec, {"gguf": "x.gguf", "alias": "m"}, where="f.yaml: item 0")


def test_a_served_spec_gets_base_url_and_model():
    spec = served_spec(ModelSpec("openai", {"prompt": "completion"}, "row"), {"gguf": "dir/x.gguf", "port": 9},
                       where="w")  # fmt: skip
    assert spec.options == {"prompt": "completion", "base_url": "http://127.0.0.1:9/v1", "model": "x"}
    assert spec.model == "row"


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert gguf_cache_dir() == tmp_path / "zh-ie-benchmark" / "gguf"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert gguf_cache_dir() == Path.home() / ".cache" / "zh-ie-benchmark" / "gguf"


def test_a_packaged_gguf_is_assembled_into_the_cache(monkeypatch, tmp_path):
    calls = []

    def assemble(target):
        calls.append(Path(target))
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_bytes(b"GGUF")
        return Path(target)

    module = types.SimpleNamespace(MODEL_NAME="tiny.gguf", assemble=assemble)
    monkeypatch.setitem(sys.modules, "fake_gguf_pkg", module)
    path = resolve_gguf(ServeConfig("package:fake_gguf_pkg"), cache_dir=tmp_path / "cache")
    assert path == tmp_path / "cache" / "tiny.gguf" == calls[0] and path.read_bytes() == b"GGUF"


def test_a_missing_package_or_file_says_what_to_do(tmp_path):
    with pytest.raises(
        ServeError, match=r"not installed \(install the LLM extra: WITH_LLM=1 bash scripts/setup.sh"
    ):
        resolve_gguf(ServeConfig("package:no_such_gguf_package_here"))
    with pytest.raises(ServeError, match="no such file"):
        resolve_gguf(ServeConfig(str(tmp_path / "missing.gguf")))
    file = tmp_path / "m.gguf"
    file.write_bytes(b"GGUF")
    assert resolve_gguf(ServeConfig("m.gguf"), base=tmp_path) == file


def test_the_gemma_template_keeps_the_system_text_in_the_first_user_turn():
    jinja2 = pytest.importorskip("jinja2")
    template = jinja2.Environment().from_string(chat_template("gemma"))
    messages = [{"role": "system", "content": "规则"}, {"role": "user", "content": " 文本 "},
                {"role": "assistant", "content": "[]"}, {"role": "user", "content": "再来"}]  # fmt: skip
    text = template.render(messages=messages, bos_token="<bos>", add_generation_prompt=True)
    assert text == ("<bos><start_of_turn>user\n规则\n\n文本<end_of_turn>\n<start_of_turn>model\n[]<end_of_turn>\n"
                    "<start_of_turn>user\n再来<end_of_turn>\n<start_of_turn>model\n")  # fmt: skip
    with pytest.raises(ValueError, match="neither a known name"):
        chat_template("no-such-template")


def _args(**kw):
    from benchmark.cli.evaluate import parser

    return parser().parse_args([a for k, v in kw.items() for a in (f"--{k.replace('_', '-')}", v)])


def test_add_config_adds_to_the_main_job_or_to_the_models_given():
    from benchmark.cli._evaluate import model_specs

    specs, default = model_specs(_args(add_config=str(GEMMA)))
    names = [s.model for s in specs]
    assert default and names[-1] == "gemma-3-270m-llamacpp" and "rules" in names and len(names) > 3
    specs, default = model_specs(_args(model="rules", add_config=str(GEMMA)))
    assert not default and [s.model for s in specs] == ["rules", "gemma-3-270m-llamacpp"]


def _evaluate(args, cwd):
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "evaluate.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.mark.parametrize(
    ("serve", "message"),
    [
        ("{gguf: m.gguf, prot: 1}", "item 0 (openai): serve: unknown field 'prot'"),
        ("{gguf: /no/such/model.gguf, port: 0}", "gguf=/no/such/model.gguf: no such file"),
    ],
)
def test_add_config_mistakes_are_exit_2_one_line_nothing_written(tmp_path, serve, message):
    config = tmp_path / "llm.yaml"
    config.write_text(f"models:\n  - name: openai\n    serve: {serve}\n", encoding="utf-8")
    out = tmp_path / "out"
    done = _evaluate(["--model", "rules", "--add-config", str(config), "--tasks", "ner", "--output", str(out)],
                     tmp_path)  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert not (out / "runs").exists()


def test_predictions_cannot_take_add_config(tmp_path):
    done = _evaluate(["--predictions", str(tmp_path), "--name", "x", "--add-config", str(GEMMA),
                      "--output", str(tmp_path / "out")], tmp_path)  # fmt: skip
    assert done.returncode == 2 and "cannot be combined with --add-config" in done.stderr, done.stderr


def test_serve_llm_overrides_the_config_item():
    from benchmark.llm_server.cli import parser, served_item

    cfg, options = served_item(parser().parse_args(["--threads", "1", "--parallel", "3"]))
    assert (cfg.threads, cfg.parallel, cfg.port, cfg.name) == (1, 3, 0, "gemma-3-270m")
    assert "base_url" not in options and options["prompt"] == "completion"
    cfg, _ = served_item(parser().parse_args(["--gguf", "/m/other-model.gguf"]))
    assert cfg.name == "other-model"  # the config's alias belongs to the config's file
    with pytest.raises(UserError, match="no item named 'nope' with serve:"):
        served_item(parser().parse_args(["--as", "nope"]))


def test_the_worker_params_carry_alias_threads_and_template():
    pytest.importorskip("xllamacpp")
    from benchmark.llm_server.worker import build_params

    settings = {"model": "/m.gguf", "alias": "gemma-3-270m", "chat_template": "{{ x }}", "host": "127.0.0.1",
                "port": 5, "ctx": 4096, "parallel": 2, "threads": 2}  # fmt: skip
    params = build_params(settings)
    assert set(params.model_alias) == {"gemma-3-270m"}  # one name, not its characters
    assert (params.cpuparams.n_threads, params.cpuparams_batch.n_threads, params.n_parallel) == (2, 2, 2)
    assert params.use_jinja and params.chat_template == "{{ x }}" and params.port == 5 and params.offline
