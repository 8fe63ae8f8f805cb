"""Every task with an LLM prompt, end to end through ``LLMAdapter.predict`` and the harness's
checks: the gold written as the prompt asks (``Task.llm_reference``) scores perfectly, so the
prompt, the parser, grounding and the scorer agree with each other."""

from __future__ import annotations

import pytest
from llm_fakes import canned_adapter

from benchmark.adapters.base import InputDocument
from benchmark.document import Document
from benchmark.runner import accept, ground
from benchmark.tasks import TASKS, get_task
from benchmark.tasks.base import ScoringContext

LLM_TASKS = [key for key in TASKS.names() if get_task(key).has_llm_prompt]


@pytest.mark.parametrize("key", LLM_TASKS)
@pytest.mark.parametrize("unit", ["line", "document"])
def test_the_gold_as_an_answer_scores_perfectly(key: str, unit: str, gold_doc: Document, article: InputDocument) -> None:
    task = get_task(key)
    answers = [task.llm_reference(gold_doc, r) for r in task.llm_requests(article, unit=unit)]
    pred = canned_adapter(answers, unit=unit).predict(key, [article])[0]
    assert pred.info["llm"]["parse_failures"] == 0 and pred.info["llm"]["grounding_failures"] == 0
    records = pred.records + (ground(article, pred)[0] if pred.mentions else [])
    stats = task.unit_stats(gold_doc, accept(task, gold_doc, records), ScoringContext())
    for h in task.headlines:
        if h.name in stats:
            assert h.score_fn(stats[h.name].sum(axis=0)) == (1.0 if h.higher_is_better else 0.0), h.name
