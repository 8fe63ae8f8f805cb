"""``hf-generative`` with a tiny random Qwen2 built in the test (plumbing), and with canned
answers in place of generation (grounding and records exactly; qa; the completion style;
templates without a system role)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_fakes import make_input

from benchmark.adapters import InputDocument, get_adapter
from benchmark.runner import ground
from benchmark.schema import Entity, NumericFact, Paragraph
from benchmark.tasks import get_task

pytest.importorskip("torch")
pytest.importorskip("transformers")


def load(model: Path | str, **options: object):
    adapter = get_adapter("hf-generative").from_config({"model": str(model), **options})
    adapter.load()
    return adapter


def test_random_model_answers_all_fail_so_the_task_fails(tiny_lm: Path, small_doc: InputDocument) -> None:
    adapter = load(tiny_lm, max_new_tokens=6, device="cpu")
    with pytest.raises(RuntimeError, match="every answer failed to parse: 4 of 4 unusable") as first:
        adapter.predict("topics", [small_doc, small_doc])  # a random model writes no JSON: a failure, no 0
    with pytest.raises(RuntimeError) as second:
        adapter.predict("topics", [small_doc, small_doc])
    assert str(first.value) == str(second.value)  # greedy: deterministic


def test_random_model_completion_style_with_stop_strings(tiny_lm: Path, small_doc: InputDocument) -> None:
    requests = get_task("numeric").llm_requests(small_doc, style="completion")
    answers = load(tiny_lm, max_new_tokens=12, batch_size=2, device="cpu", prompt="completion").complete(requests)
    assert len(answers) == 3 and all(a.text is not None and "\n\n" not in a.text for a in answers)
    assert all(0 < a.meta["completion_tokens"] <= 12 for a in answers)


def test_random_model_batched_generation(tiny_lm: Path, small_doc: InputDocument) -> None:
    requests = get_task("ner").llm_requests(small_doc) * 2
    one = load(tiny_lm, max_new_tokens=5, device="cpu").complete(requests)
    batched = load(tiny_lm, max_new_tokens=5, batch_size=3, device="cpu").complete(requests)
    assert len(one) == len(batched) == 6 and all(c.text is not None for c in (*one, *batched))
    assert [c.meta["batch"] for c in one] == [0, 1, 2, 3, 4, 5]
    assert sorted(c.meta["batch"] for c in batched) == [0, 0, 0, 1, 1, 1]
    assert all(0 < c.meta["completion_tokens"] <= 5 for c in (*one, *batched))
    assert [c.text for c in one[:3]] == [c.text for c in one[3:]]  # greedy: the same request, the same answer


def test_model_is_required_and_needs_a_chat_template(tmp_path: Path, tiny_lm: Path) -> None:
    with pytest.raises(ValueError, match="needs model="):
        load("")
    import shutil

    folder = tmp_path / "no-template"
    shutil.copytree(tiny_lm, folder)
    (folder / "chat_template.jinja").unlink(missing_ok=True)
    config = json.loads((folder / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=r"no chat template .*or prompt=completion"):
        load(folder)
    base = load(folder, prompt="completion", max_new_tokens=3, device="cpu")  # a base model needs none
    seen: list[str] = []
    base._generate = lambda prompts, stop=(): [seen.append(p) or ("[]\n\n示例 9", {}) for p in prompts]
    pred = base.predict("ner", [make_input("张明在南江县。\n")])[0]
    assert seen[0].startswith(get_task("ner").llm_prompt(style="completion").system)
    assert seen[0].endswith("张明在南江县。\n\n请按要求输出 JSON 数组。\n输出：\n")
    assert pred.info["llm"]["parse_failures"] == 0 and pred.info["style"] == "completion"


CANNED = {
    "市公安局通报": '[{"text": "市公安局", "label": "ORG"}]',
    "全市破获": '```json\n[{"text": "15起", "value": 15, "unit": "起", "qualifier": "exact", '
    '"metric": "破获盗窃案件"}, {"text": "5名", "value": 5, "unit": "名", "metric": "嫌疑人"}]\n```',
    "张明任局长": '[{"text": "张明", "label": "PER"}, {"text": "南江县", "label": "GPE"}]',
}


def canned_generate(prompts, stop=()):
    out = []
    for prompt in prompts:
        user = prompt.rsplit("<|im_start|>user", 1)[-1]
        text = next((a for key, a in CANNED.items() if key in user), "[]")
        if "所在小标题" in user:
            text = '{"section": "lead", "topics": ["crime"]}' if "全市破获" in user else "不知道"
        if "问题：" in user:
            text = '{"answer": "15起"}' if "多少起" in user else "答案是张明"
        out.append((text, {"prompt_tokens": 1, "completion_tokens": 1}))
    return out


def test_canned_answers_are_grounded_exactly(tiny_lm: Path, small_doc: InputDocument) -> None:
    adapter = load(tiny_lm, device="cpu")
    adapter._generate = canned_generate
    ner = adapter.predict("ner", [small_doc])[0]
    entities, grounding = ground(small_doc, ner)
    text = small_doc.text
    expected = [("市公安局", "ORG"), ("张明", "PER"), ("南江县", "GPE")]
    assert entities == [Entity(text.index(s), text.index(s) + len(s), s, label) for s, label in expected]
    assert grounding["ungrounded"] == 0
    assert ner.info["llm"]["parse_failures"] == 1  # line 1 got numeric JSON: no valid entity, a failure
    numeric = adapter.predict("numeric", [small_doc])[0]
    assert numeric.records == [
        NumericFact(15, 18, "15起", 15, "起", "exact", "破获盗窃案件", 9, 15),
        NumericFact(21, 23, "5名", 5, "名", "exact", "嫌疑人", 23, 26),
    ]
    topics = adapter.predict("topics", [small_doc])[0]
    (a, b), _ = small_doc.units
    assert topics.records == [Paragraph(a, b, "lead", ("crime",))]  # the second unit failed: left out
    assert topics.info["llm"]["parse_failures"] == 1 and topics.info["llm"]["parse_failure_rate"] == 0.5


def test_qa_through_hf_generative(tiny_lm: Path, small_doc: InputDocument) -> None:
    from dataclasses import replace

    questions = [{"id": "a", "question": "破获盗窃案件多少起?"}, {"id": "b", "question": "谁任局长?"}]
    doc = replace(small_doc, task_inputs={"qa": questions})
    adapter = load(tiny_lm, device="cpu")
    adapter._generate = canned_generate
    pred = adapter.predict("qa", [doc])[0]
    assert [(r.id, r.answers) for r in pred.records] == [("a", ("15起",))]  # b: no JSON, no answer
    assert pred.info["llm"]["parse_failures"] == 1 and pred.problems[0].startswith("question b: unparseable")
    with pytest.raises(RuntimeError, match="every answer failed to parse: 2 of 2"):
        load(tiny_lm, max_new_tokens=4, device="cpu").predict("qa", [doc])  # the random model itself


NO_SYSTEM_TEMPLATE = (
    "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def test_a_template_without_system_role_gets_the_instructions_in_the_user_turn(
    tmp_path: Path, tiny_lm: Path, small_doc: InputDocument
) -> None:
    import shutil

    folder = tmp_path / "no-system"
    shutil.copytree(tiny_lm, folder)
    (folder / "chat_template.jinja").write_text(NO_SYSTEM_TEMPLATE, encoding="utf-8")
    config = json.loads((folder / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    for system_role, expected in (("auto", False), ("no", False)):
        adapter = load(folder, device="cpu", system_role=system_role)
        assert adapter.system_role() is expected
        seen: list[str] = []
        adapter._generate = lambda prompts, stop=(), seen=seen: [seen.append(p) or ("[]", {}) for p in prompts]
        adapter.predict("ner", [small_doc])
        system = get_task("ner").llm_prompt().system
        assert "<|im_start|>system" not in seen[0] and seen[0].startswith(f"<|im_start|>user\n{system}\n\n文本：")
    assert load(tiny_lm, device="cpu").system_role() is True  # the test model's template has one


def test_stop_strings_match_the_generated_text_only() -> None:
    import torch

    from benchmark.adapters.hf_generative import StopInGenerated, cut_at_stop

    class Chars:  # token id = a character code
        def batch_decode(self, rows, skip_special_tokens=True):
            return ["".join(chr(int(i)) for i in row) for row in rows]

    prompt = [ord(c) for c in "输出：\n"]
    ids = torch.tensor([[*prompt, ord("\n"), ord("[")], [*prompt, ord("["), ord("]")], [*prompt, ord("\n"), ord("\n")]])
    done = StopInGenerated(Chars(), ["\n\n"], width=len(prompt))(ids, None)
    assert done.tolist() == [False, False, True]  # the prompt's own newline does not count
    assert cut_at_stop("[]\n\n示例 5", ["\n\n"]) == "[]" and cut_at_stop("[]", ["\n\n"]) == "[]"


def test_a_gguf_file_is_a_model_source(tmp_path: Path) -> None:
    from benchmark.adapters import PreflightError

    adapter = get_adapter("hf-generative").from_config({"model": str(tmp_path / "m.gguf"), "prompt": "completion"})
    with pytest.raises(PreflightError, match="no such GGUF file"):
        adapter.preflight()
    (tmp_path / "m.gguf").write_bytes(b"GGUF")
    adapter.preflight()  # the file exists: transformers reads it with gguf_file=m.gguf at load time
