"""The HTML page in a real browser (Selenium + Debian's headless Chromium, no network).

Skipped when selenium, chromium or chromedriver is missing, except when the environment
variable ``CI`` is set: CI installs them (``apt-get install chromium chromium-driver``,
``pip install selenium``), so there a missing piece is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from render_fakes import EVIL_MODEL, SCRIPT_NAME

from benchmark.render import html

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (*html.CHROMIUM_FLAGS, "--window-size=1400,1000")


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so the browser test must run)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install selenium)")
    chromium = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    chromedriver = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    if not chromium or not chromedriver:
        _unavailable("chromium or chromedriver is missing (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    browser.set_page_load_timeout(20)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def loaded(driver: Any, render_results: Path) -> tuple[Any, list[dict[str, Any]]]:
    """The page loaded from its file:// URL, with the browser log of the load."""
    driver.get((render_results / "leaderboard.html").resolve().as_uri())
    return driver, driver.get_log("browser")


def _by(name: str) -> Any:
    from selenium.webdriver.common.by import By

    return getattr(By, name)


def _column(table: Any, index: int) -> list[float]:
    cells = table.find_elements(_by("CSS_SELECTOR"), f"tbody tr td:nth-child({index + 1})")
    return [float(c.get_attribute("data-sort-value")) for c in cells]


def test_page_loads_without_errors(loaded: tuple[Any, list[dict[str, Any]]]) -> None:
    driver, log = loaded
    assert driver.title.startswith("Leaderboard")
    severe = [entry for entry in log if entry.get("level") == "SEVERE"]
    assert not severe, severe
    assert driver.execute_script("return document.characterSet") == "UTF-8"


def test_hostile_name_is_text_not_script(loaded: tuple[Any, list[dict[str, Any]]]) -> None:
    driver, _ = loaded
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    options = [o.text for o in driver.find_elements(_by("CSS_SELECTOR"), "#run-select option")]
    assert any(SCRIPT_NAME in text for text in options), options
    section = driver.find_element(_by("CSS_SELECTOR"), f'section.run[data-model="{EVIL_MODEL}"] h3')
    assert SCRIPT_NAME in section.get_attribute("textContent")


def test_clicking_a_header_sorts_the_table(loaded: tuple[Any, list[dict[str, Any]]]) -> None:
    from selenium.webdriver.common.keys import Keys

    driver, _ = loaded
    table = driver.find_element(_by("CSS_SELECTOR"), 'section[aria-labelledby="h-task-ner"] table.sortable')
    headers = table.find_elements(_by("CSS_SELECTOR"), "thead th")
    index = [h.text for h in headers].index("strict_f1")
    before = _column(table, index)
    assert before == sorted(before, reverse=True) and before != sorted(before)  # ranked, not all equal
    headers[index].find_element(_by("TAG_NAME"), "button").click()
    assert _column(table, index) == sorted(before)
    assert headers[index].get_attribute("aria-sort") == "ascending"
    headers[index].find_element(_by("TAG_NAME"), "button").send_keys(Keys.ENTER)  # keyboard works too
    assert _column(table, index) == sorted(before, reverse=True)
    assert headers[index].get_attribute("aria-sort") == "descending"


def test_error_analysis_of_oracle(loaded: tuple[Any, list[dict[str, Any]]], corpus: list[Any]) -> None:
    from selenium.webdriver.support.ui import Select

    driver, _ = loaded
    doc = corpus[0]
    section = driver.find_element(_by("CSS_SELECTOR"), 'section.run[data-model="oracle"]')
    Select(driver.find_element(_by("ID"), "run-select")).select_by_value(section.get_attribute("id"))
    assert section.is_displayed()
    others = driver.find_elements(_by("CSS_SELECTOR"), 'section.run:not([data-model="oracle"])')
    assert others and not any(s.is_displayed() for s in others)
    article = section.find_element(_by("CSS_SELECTOR"), f'article[data-doc="{doc.id}"] .article')
    marks = article.find_elements(_by("CSS_SELECTOR"), "mark.seg")
    assert len(marks) == len(doc.gold["ner"])
    assert all(m.get_attribute("class") == "seg span-match mark-start" for m in marks)
    assert article.value_of_css_property("white-space") == "pre-wrap"
    assert article.get_attribute("textContent") == doc.text


def test_error_analysis_of_rules(loaded: tuple[Any, list[dict[str, Any]]], render_results: Path) -> None:
    from benchmark.records import list_runs
    from benchmark.tasks.views.ner import entity_marks
    from benchmark.validate import load_corpus

    driver, _ = loaded
    doc = load_corpus()[0]
    rules = next(r for r in list_runs(render_results) if r.model == "rules")
    analysis = rules.errors["ner"]["analysis"][doc.id]  # the scorer's own error analysis, as recorded
    marks = entity_marks(doc.text, doc.gold["ner"], rules.predictions("ner", doc.id), analysis)
    section = driver.find_element(_by("CSS_SELECTOR"), 'section.run[data-model="rules"]')
    misses = section.find_elements(_by("CSS_SELECTOR"), ".article mark.span-miss")
    matches = section.find_elements(_by("CSS_SELECTOR"), ".article mark.span-match")
    assert len(matches) == sum(m.kind == "match" for m in marks) == analysis["n_correct"]
    assert len(misses) >= sum(m.kind == "miss" for m in marks) > 0


def test_every_task_has_a_view_in_the_page(loaded: tuple[Any, list[dict[str, Any]]], corpus: list[Any]) -> None:
    from selenium.webdriver.support.ui import Select

    from benchmark.tasks import TASKS

    driver, _ = loaded
    doc = corpus[0]
    section = driver.find_element(_by("CSS_SELECTOR"), 'section.run[data-model="rules"]')
    Select(driver.find_element(_by("ID"), "run-select")).select_by_value(section.get_attribute("id"))
    views = section.find_elements(_by("CSS_SELECTOR"), f'article[data-doc="{doc.id}"] .task-view')
    assert [v.get_attribute("data-task") for v in views] == [k for k in TASKS.names() if k in doc.gold]
    assert all(v.is_displayed() for v in views)
    wrong_units = section.find_elements(_by("CSS_SELECTOR"), '.task-view[data-task="topics"] tr.unit-wrong')
    assert wrong_units and all("✗" in row.text for row in wrong_units)
