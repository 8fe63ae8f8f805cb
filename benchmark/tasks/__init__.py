"""Tasks: one module each, registered in :data:`TASKS` under their short key."""

from benchmark.tasks import ner, numeric, qa, topics  # noqa: F401  (registers the built-in tasks)
from benchmark.tasks.base import Task
from benchmark.tasks.registry import TASKS, register_task

__all__ = ["TASKS", "Task", "get_task", "register_task"]


def get_task(key: str) -> Task:
    """An instance of the task registered under ``key`` (``ner``, ``numeric``, ``topics``)."""
    return TASKS.get(key)()
