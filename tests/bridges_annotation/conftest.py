"""Fixtures of the annotation-bridge tests: the scripts loaded as modules, small documents."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` as a module (scripts are not a package)."""
    module_name = f"_script_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def new_document() -> ModuleType:
    return load_script("new_document")


@pytest.fixture(scope="session")
def import_script() -> ModuleType:
    return load_script("import_annotations")


@pytest.fixture(scope="session")
def agreement_script() -> ModuleType:
    return load_script("agreement")


# A text with characters outside the BMP: an emoji and a plane-2 ideograph (U+20BB7).
NON_BMP_TEXT = "😀华西都市报\n𠮷野家在四川，😀😀2020年1月8日\n"


@pytest.fixture()
def non_bmp_doc():
    from benchmark.document import Document
    from benchmark.schema import Entity

    text = NON_BMP_TEXT
    doc = Document("non-bmp", text, {})

    def ent(surface: str, label: str) -> Entity:
        start = text.index(surface)
        return Entity(start, start + len(surface), surface, label)

    return doc, [
        ent("华西都市报", "ORG"),
        ent("𠮷野家", "ORG"),
        ent("四川", "GPE"),
        ent("2020年1月8日", "DATE"),
    ]


@pytest.fixture(scope="session")
def script_loader():
    """:func:`load_script`, for tests that load a script by name."""
    return load_script
