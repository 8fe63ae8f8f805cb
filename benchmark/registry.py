"""A small registry for plug-ins (tasks, adapters), filled by a decorator.

Third-party packages add plug-ins through an entry-point group (for example
``benchmark.adapters``); entry points are loaded lazily, the first time a name
is looked up that the built-in modules did not register. Built-in plug-ins may be
declared by module (:meth:`Registry.declare`): the module is imported, and registers
its plug-in, the first time the name is looked up, so a run imports only what it uses.

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

import importlib
from collections.abc import Callable, Iterator
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
        self._declared: dict[str, str] = {}
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

    def declare(self, name: str, module: str) -> None:
        """Declare that importing ``module`` registers ``name`` (imported on first lookup).

        Example:
            >>> shapes = Registry("shape")
            >>> shapes.declare("ordered", "collections")  # collections registers nothing here
            >>> "ordered" in shapes
            True
            >>> shapes.get("ordered")
            Traceback (most recent call last):
            ...
            LookupError: importing collections did not register shape 'ordered'
        """
        self._declared[name] = module

    def _import_declared(self, name: str) -> None:
        module = self._declared.get(name)
        if module is None or name in self._items:
            return
        importlib.import_module(module)
        if name not in self._items:
            raise LookupError(f"importing {module} did not register {self.kind} {name!r}")

    def unregister(self, name: str) -> None:
        """Remove ``name`` (a plug-in registered for a test, for instance); unknown names are ignored."""
        self._items.pop(name, None)
        self._declared.pop(name, None)
        self._entry_point_names.discard(name)

    def load_entry_points(self) -> None:
        """Import every plug-in published under the entry-point group (once)."""
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        from importlib import metadata  # about 30 ms to import: only when a name is not built in

        for ep in metadata.entry_points(group=self.entry_point_group or ""):
            if ep.name not in self._items and ep.name not in self._declared:
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
        self._import_declared(name)
        if name not in self._items:
            self.load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            import difflib

            known = self.names()
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise UnknownNameError(f"unknown {self.kind} {name!r}{hint} Known: {', '.join(known)}") from None

    def names(self) -> list[str]:
        """All registered names, sorted, entry points included."""
        self.load_entry_points()
        return sorted({*self._items, *self._declared})

    def __contains__(self, name: object) -> bool:
        if name in self._items or name in self._declared:
            return True
        self.load_entry_points()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
