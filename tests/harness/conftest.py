"""Register the fake adapters of harness_fakes.py for the tests that ask for them."""

from __future__ import annotations

import pytest
from harness_fakes import TEST_ADAPTERS

from benchmark.adapters import ADAPTERS


@pytest.fixture()
def test_adapters():
    """Register the test adapters for one test, then remove them again."""
    for cls in TEST_ADAPTERS:
        ADAPTERS.register(cls.name)(cls)
    yield
    for cls in TEST_ADAPTERS:
        ADAPTERS._items.pop(cls.name, None)
