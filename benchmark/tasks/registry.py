"""The task registry (entry-point group ``benchmark.tasks``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmark.registry import Registry

if TYPE_CHECKING:
    from benchmark.tasks.base import Task

TASKS: Registry[type[Task]] = Registry("task", entry_point_group="benchmark.tasks")


def register_task(cls: type[Task]) -> type[Task]:
    """Class decorator: register a task under its short key (``ner``) and its versioned name."""
    TASKS.register(cls.key)(cls)
    return cls
