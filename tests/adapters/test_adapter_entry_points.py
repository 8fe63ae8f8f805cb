"""A third-party package adds an adapter through the ``benchmark.adapters`` entry-point group."""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

import pytest

from benchmark.adapters import ADAPTERS, InputDocument, get_adapter

STUB = Path(__file__).resolve().parent.parent / "fixtures" / "stub_plugin"


def install_stub(site: Path) -> None:
    """Lay the stub package and its dist-info (METADATA, entry_points.txt) in ``site``."""
    shutil.copytree(STUB / "stub_plugin", site / "stub_plugin")
    info = site / "stub_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: stub_plugin\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[benchmark.adapters]\nstub = stub_plugin:StubAdapter\n", encoding="utf-8"
    )


def test_entry_point_adapter_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    install_stub(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    # The registry scans entry points once per process: rescan now, and again after the test
    # (when the stub's folder has left sys.path) so the stub does not leak into other tests.
    ADAPTERS.reset_entry_points()
    monkeypatch.delitem(sys.modules, "stub_plugin", raising=False)
    request.addfinalizer(ADAPTERS.reset_entry_points)

    assert "stub" in ADAPTERS.names()
    cls = get_adapter("stub")
    assert cls.__name__ == "StubAdapter" and cls.__module__ == "stub_plugin"
    [pred] = cls().predict("ner", [InputDocument("d", "王涛", ((0, 2),), ((0, 2),))])
    assert [(e.text, e.label) for e in pred.records] == [("王", "PER")]
    # built-in adapters are still there
    assert {"oracle", "rules", "jieba"} <= set(ADAPTERS.names())
    ADAPTERS.reset_entry_points()
    assert "stub" not in ADAPTERS._items  # forgotten until the next scan


def test_unknown_adapter_suggests_close_names() -> None:
    with pytest.raises(KeyError, match="did you mean 'rules'"):
        get_adapter("rule")
