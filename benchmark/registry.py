"""A small registry for plug-ins (tasks, adapters), filled by a decorator.

Third-party packages add plug-ins through an entry-point group (for example
``benchmark.adapters``); entry points are loaded lazily, the first time a name
is looked up that the built-in modules did not register.

Example:
    >>> colours = Registry("colour")
    >>> @colours.register("red")
    ... class Red:
    ...     pass
    >>> colours.get("red") is Red
    True
    >>> colours.get("rde")
    Traceback (most recent call last):
    ...
    benchmark.registry.UnknownNameError: unknown colour 'rde'; did you mean 'red'? Known: red
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Generic, TypeVar

T = TypeVar("T")


class UnknownNameError(KeyError):
    """Raised for a name that no plug-in registered; the message suggests close names."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class Registry(Generic[T]):
    """Name -> plug-in mapping with a decorator and optional entry-point group.

    Args:
        kind: What the registry holds, used in error messages ("task", "adapter").
        entry_point_group: An importlib.metadata entry-point group scanned on demand.
    """

    def __init__(self, kind: str, *, entry_point_group: str | None = None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._items: dict[str, T] = {}
        self._entry_point_names: set[str] = set()
        self._entry_points_loaded = entry_point_group is None

    def register(self, name: str) -> Callable[[T], T]:
        """Return a decorator that registers its argument under ``name``."""

        def decorator(obj: T) -> T:
            if name in self._items and self._items[name] is not obj:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._items[name] = obj
            return obj

        return decorator

    def unregister(self, name: str) -> None:
        """Remove ``name`` (a plug-in registered for a test, for instance); unknown names are ignored."""
        self._items.pop(name, None)
        self._entry_point_names.discard(name)

    def load_entry_points(self) -> None:
        """Import every plug-in published under the entry-point group (once)."""
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in metadata.entry_points(group=self.entry_point_group or ""):
            if ep.name not in self._items:
                self._items[ep.name] = ep.load()
                self._entry_point_names.add(ep.name)

    def reset_entry_points(self) -> None:
        """Forget the plug-ins loaded from entry points, so the next lookup scans again.

        For tests and for long-lived processes after a package was installed.
        """
        for name in self._entry_point_names:
            self._items.pop(name, None)
        self._entry_point_names = set()
        self._entry_points_loaded = self.entry_point_group is None

    def get(self, name: str) -> T:
        """Look a plug-in up by name; unknown names fail with suggestions."""
        if name not in self._items:
            self.load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            known = sorted(self._items)
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise UnknownNameError(f"unknown {self.kind} {name!r}{hint} Known: {', '.join(known)}") from None

    def names(self) -> list[str]:
        """All registered names, sorted, entry points included."""
        self.load_entry_points()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        self.load_entry_points()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
