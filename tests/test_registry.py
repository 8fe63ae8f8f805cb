"""The plug-in registry and the task registry."""

import pytest

from benchmark.registry import Registry, UnknownNameError
from benchmark.tasks import TASKS, get_task


def test_unknown_name_suggests():
    reg: Registry[int] = Registry("thing")
    reg.register("jieba")(1)
    reg.register("thulac")(2)
    with pytest.raises(
        UnknownNameError, match=r"unknown thing 'jeiba'; did you mean 'jieba'\? Known: jieba, thulac"
    ):
        reg.get("jeiba")
    with pytest.raises(UnknownNameError, match=r"unknown thing 'zzz' Known: jieba, thulac"):
        reg.get("zzz")


def test_double_registration_rejected():
    reg: Registry[int] = Registry("thing")
    reg.register("a")(1)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("a")(2)


def test_tasks_registered_with_versions():
    assert TASKS.names() == ["ner", "numeric", "qa", "topics"]
    assert [get_task(k).name for k in TASKS.names()] == ["ner.v1", "numeric.v1", "qa.v2", "topics.v1"]
    assert len({get_task(k).gold_file for k in TASKS.names()}) == len(TASKS.names())
