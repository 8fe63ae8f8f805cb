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
    cells = table.find_elements(_by("CSS_SELECTOR"), f"tbody.ranked tr > :nth-child({index + 1})")
    return [float(c.get_attribute("data-sort-value")) for c in cells]


def _select(driver: Any, element_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(_by("ID"), element_id)).select_by_value(value)


def test_page_loads_without_errors(loaded: tuple[Any, list[dict[str, Any]]]) -> None:
    driver, log = loaded
    assert driver.title.startswith("Leaderboard")
    severe = [entry for entry in log if entry.get("level") in ("SEVERE", "WARNING")]
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
    table = driver.find_element(
        _by("CSS_SELECTOR"), 'section[aria-labelledby="h-task-numeric"] table.sortable'
    )
    headers = table.find_elements(_by("CSS_SELECTOR"), "thead th")
    index = [h.text for h in headers].index("fact_f1")
    before = _column(table, index)
    assert before == sorted(before, reverse=True) and before != sorted(before)  # ranked, not all equal
    headers[index].find_element(_by("TAG_NAME"), "button").click()
    assert _column(table, index) == sorted(before)
    assert headers[index].get_attribute("aria-sort") == "ascending"
    headers[index].find_element(_by("TAG_NAME"), "button").send_keys(Keys.ENTER)  # keyboard works too
    assert _column(table, index) == sorted(before, reverse=True)
    assert headers[index].get_attribute("aria-sort") == "descending"


def test_error_analysis_of_oracle(loaded: tuple[Any, list[dict[str, Any]]], corpus: list[Any]) -> None:
    driver, _ = loaded
    doc = corpus[0]
    section = driver.find_element(_by("CSS_SELECTOR"), 'section.run[data-model="oracle"]')
    _select(driver, "task-select", "ner")
    _select(driver, "run-select", section.get_attribute("id"))
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
    misses = section.find_elements(_by("CSS_SELECTOR"), '.task-view[data-task="ner"] .article mark.span-miss')
    matches = section.find_elements(
        _by("CSS_SELECTOR"), '.task-view[data-task="ner"] .article mark.span-match'
    )
    assert len(matches) == sum(m.kind == "match" for m in marks) == analysis["n_correct"]
    assert len(misses) >= sum(m.kind == "miss" for m in marks) > 0


def test_every_task_has_a_view_in_the_page(
    loaded: tuple[Any, list[dict[str, Any]]], corpus: list[Any]
) -> None:
    from benchmark.tasks import TASKS

    driver, _ = loaded
    doc = corpus[0]
    section = driver.find_element(_by("CSS_SELECTOR"), 'section.run[data-model="rules"]')
    _select(driver, "task-select", "")  # all tasks
    _select(driver, "run-select", section.get_attribute("id"))
    views = section.find_elements(_by("CSS_SELECTOR"), f'article[data-doc="{doc.id}"] .task-view')
    assert [v.get_attribute("data-task") for v in views] == [k for k in TASKS.names() if k in doc.gold]
    assert all(v.is_displayed() for v in views)
    wrong_units = section.find_elements(_by("CSS_SELECTOR"), '.task-view[data-task="topics"] tr.unit-wrong')
    assert wrong_units and all("✗" in row.text for row in wrong_units)


# --------------------------------------------------------------------------- issue 14: what a user checks


def _task_table(driver: Any, key: str) -> Any:
    return driver.find_element(_by("CSS_SELECTOR"), f'section.task[data-task="{key}"] table.sortable')


def _groups(driver: Any, key: str) -> dict[str, set[str]]:
    rows = _task_table(driver, key).find_elements(_by("CSS_SELECTOR"), "tbody.ranked tr")
    return {
        r.get_attribute("data-model"): set(r.find_element(_by("CSS_SELECTOR"), "td.group").text) for r in rows
    }


def test_oracle_row_is_unranked_and_ranks_exclude_it(loaded: tuple[Any, list[dict[str, Any]]]) -> None:
    driver, _ = loaded
    for section in driver.find_elements(_by("CSS_SELECTOR"), "section.task"):
        table = section.find_element(_by("CSS_SELECTOR"), "table.sortable")
        reference = table.find_elements(_by("CSS_SELECTOR"), "tbody.reference tr")
        assert [r.get_attribute("data-model") for r in reference] == ["oracle"]
        assert reference[0].find_element(_by("CSS_SELECTOR"), "td.rank").text == "ref"
        assert reference[0].find_element(_by("CSS_SELECTOR"), "td.group").text == ""
        ranked = table.find_elements(_by("CSS_SELECTOR"), "tbody.ranked tr")
        assert "oracle" not in [r.get_attribute("data-model") for r in ranked]
        ranks = [r.find_element(_by("CSS_SELECTOR"), "td.rank").text for r in ranked]
        assert ranks == [str(i) for i in range(1, len(ranked) + 1)]


def test_pairwise_view_agrees_with_the_group_letters_after_resorting(
    loaded: tuple[Any, list[dict[str, Any]]], render_inputs: tuple[dict[str, Any], list[Any], list[Any]]
) -> None:
    driver, _ = loaded
    board = render_inputs[0]
    decided = 0
    for key in board["tasks"]:
        table = _task_table(driver, key)
        system = next(h for h in table.find_elements(_by("CSS_SELECTOR"), "thead th") if h.text == "system")
        before = [
            r.get_attribute("data-model") for r in table.find_elements(_by("CSS_SELECTOR"), "tbody.ranked tr")
        ]
        system.find_element(_by("TAG_NAME"), "button").click()  # sort by name: the rank order is gone
        after = [
            r.get_attribute("data-model") for r in table.find_elements(_by("CSS_SELECTOR"), "tbody.ranked tr")
        ]
        assert sorted(after) == sorted(before)
        groups = _groups(driver, key)
        pairwise = driver.find_element(_by("CSS_SELECTOR"), f'details.pairwise[data-task="{key}"]')
        driver.execute_script("arguments[0].open = true", pairwise)
        cells = pairwise.find_elements(_by("CSS_SELECTOR"), "td.pair[data-a]")
        assert len(cells) == len(groups) * (len(groups) - 1), key
        for cell in cells:
            a, b = cell.get_attribute("data-a"), cell.get_attribute("data-b")
            significant = cell.get_attribute("data-significant") == "true"
            assert significant == (not groups[a] & groups[b]), (key, a, b)
            assert cell.is_displayed() and ("better" in cell.text or "worse" in cell.text) == significant
            decided += significant
    assert decided > 0  # the fixture has real differences (the majority class on topics)


def test_every_run_record_link_resolves(
    loaded: tuple[Any, list[dict[str, Any]]], render_results: Path
) -> None:
    driver, _ = loaded
    page = Path(render_results / "leaderboard.html")
    main = 'section.task > .table-wrap tr[data-kind], section[aria-labelledby="h-overall"] > .table-wrap tr[data-kind]'
    rows = driver.find_elements(_by("CSS_SELECTOR"), main)
    assert len(rows) > 10
    for row in rows:
        links = row.find_elements(_by("CSS_SELECTOR"), "a.record")
        assert [a.text for a in links] == ["scores", "errors", "meta"], row.get_attribute("data-model")
        for a in links:
            href = a.get_attribute("href")  # absolute file:// URL, resolved by the browser
            assert href.startswith("file://") and Path(href[len("file://") :]).is_file(), href
            assert Path(href[len("file://") :]).resolve().is_relative_to(page.parent.resolve())


def test_run_anchor_opens_that_run(loaded: tuple[Any, list[dict[str, Any]]]) -> None:
    driver, _ = loaded
    link = driver.find_element(_by("CSS_SELECTOR"), 'section.task[data-task="qa"] tbody.ranked tr a.to-run')
    target = link.get_attribute("href").rsplit("#", 1)[1]
    driver.execute_script("arguments[0].click()", link)
    section = driver.find_element(_by("ID"), target)
    assert section.is_displayed()
    assert driver.find_element(_by("ID"), "run-select").get_attribute("value") == target
    others = driver.find_elements(_by("CSS_SELECTOR"), f"section.run:not(#{target})")
    assert not any(s.is_displayed() for s in others)


def test_error_view_opens_on_the_best_system_and_follows_the_task(
    driver: Any, render_results: Path, render_inputs: tuple[dict[str, Any], list[Any], list[Any]]
) -> None:
    board = render_inputs[0]
    driver.get((render_results / "leaderboard.html").resolve().as_uri())
    for key, table in board["tasks"].items():
        best = next(r for r in table["rows"] if not r.get("reference"))
        _select(driver, "task-select", key)
        shown = [s for s in driver.find_elements(_by("CSS_SELECTOR"), "section.run") if s.is_displayed()]
        assert [s.get_attribute("data-model") for s in shown] == [best["model"]], key
        views = [v for v in shown[0].find_elements(_by("CSS_SELECTOR"), ".task-view") if v.is_displayed()]
        assert [v.get_attribute("data-task") for v in views] == [key]
        assert "not run" not in views[0].text


def test_qa_drill_down_shows_gold_answer_verdict_and_rule(loaded: tuple[Any, list[dict[str, Any]]]) -> None:
    from render_fakes import BROKEN_QUESTIONS, WRONG_QUESTIONS

    driver, _ = loaded
    _select(driver, "task-select", "qa")
    view = next(
        v for v in driver.find_elements(_by("CSS_SELECTOR"), '.task-view[data-task="qa"]') if v.is_displayed()
    )
    wrong = view.find_elements(_by("CSS_SELECTOR"), "tr.verdict-wrong")
    ids = {r.find_element(_by("CSS_SELECTOR"), "td").text for r in wrong}
    assert ids == BROKEN_QUESTIONS | WRONG_QUESTIONS  # fake-llm is the best qa system
    for row in wrong:
        cells = row.find_elements(_by("TAG_NAME"), "td")
        assert cells[3].text and "wrong" in cells[5].text and cells[6].text  # gold, verdict, rule
    assert view.find_elements(_by("CSS_SELECTOR"), "tr.verdict-right")


def test_numeric_drill_down_highlights_facts_and_mismatching_cells(
    loaded: tuple[Any, list[dict[str, Any]]],
) -> None:
    driver, _ = loaded
    section = driver.find_element(_by("CSS_SELECTOR"), 'section.run[data-model="rules"]')
    _select(driver, "task-select", "numeric")
    _select(driver, "run-select", section.get_attribute("id"))
    view = section.find_element(_by("CSS_SELECTOR"), '.task-view[data-task="numeric"]')
    assert view.is_displayed()
    marks = view.find_elements(_by("CSS_SELECTOR"), ".article mark.seg")
    assert len(marks) > 10
    tags = [
        driver.execute_script("return getComputedStyle(arguments[0], '::after').content", m) for m in marks
    ]
    assert sum(t not in ("none", "normal", '""') for t in tags) > 10  # labels inline, not only on hover
    mismatched = view.find_elements(_by("CSS_SELECTOR"), "tr.fact-mismatch td.mismatch")
    assert mismatched
    cell = mismatched[0]
    row_cell = cell.find_element(_by("XPATH"), "..").find_element(_by("CSS_SELECTOR"), "td:not(.mismatch)")
    assert cell.value_of_css_property("background-color") != row_cell.value_of_css_property(
        "background-color"
    )
    assert cell.text.startswith("≠")
    marks[0].click()  # tap: the span's details appear in text
    info = view.find_element(_by("CSS_SELECTOR"), ".mark-info")
    assert info.get_attribute("textContent") == marks[0].get_attribute("title")


def test_llm_failure_rates_and_reads_badges_are_shown(
    loaded: tuple[Any, list[dict[str, Any]]], render_inputs: tuple[dict[str, Any], list[Any], list[Any]]
) -> None:
    driver, _ = loaded
    board = render_inputs[0]
    for key in ("topics", "qa"):
        row = next(r for r in board["tasks"][key]["rows"] if r["model"] == "fake-llm")
        cell = _task_table(driver, key).find_element(
            _by("CSS_SELECTOR"), 'tr[data-model="fake-llm"] td.llm-rates'
        )
        assert f"parse {100 * row['llm']['parse_failure_rate']:.1f}%" in cell.text
        assert row["llm"]["parse_failure_rate"] > 0
    badges = {
        b.text for b in driver.find_elements(_by("CSS_SELECTOR"), "section.task .badge") if b.is_displayed()
    }
    assert {"gold", "article", "other units' gold"} <= badges


def test_filters_by_name_kind_and_label_set(loaded: tuple[Any, list[dict[str, Any]]]) -> None:
    driver, _ = loaded
    rows = driver.find_elements(_by("CSS_SELECTOR"), "section.task > .table-wrap tr[data-kind]")
    search = driver.find_element(_by("ID"), "filter-name")
    search.send_keys("rules")
    visible = {r.get_attribute("data-model") for r in rows if r.is_displayed()}
    assert visible == {"rules", "rules-article"}
    search.clear()
    search.send_keys(" ")  # an input event; the query is blank again
    _select(driver, "filter-kind", "llm")
    assert {r.get_attribute("data-model") for r in rows if r.is_displayed()} == {"fake-llm"}
    _select(driver, "filter-kind", "")
    _select(driver, "filter-labels", "DATE")
    assert {r.get_attribute("data-labels") for r in rows if r.is_displayed()} == {"DATE"}
    _select(driver, "filter-labels", "")
    assert all(r.is_displayed() for r in rows)


def test_no_console_error_after_using_the_page(loaded: tuple[Any, list[dict[str, Any]]]) -> None:
    driver, _ = loaded
    log = driver.get_log("browser")
    assert not [e for e in log if e.get("level") in ("SEVERE", "WARNING")], log


def test_390px_layout_keeps_rank_group_and_system_columns_visible(loaded: tuple[Any, list[dict[str, Any]]]) -> None:
    driver, _ = loaded
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})  # fmt: skip
    try:
        driver.refresh()
        assert (
            driver.execute_script("return document.documentElement.scrollWidth") <= 390
        )  # no page-wide scroll
        for section in driver.find_elements(_by("CSS_SELECTOR"), "section.task"):
            wrap = section.find_element(_by("CSS_SELECTOR"), ".table-wrap")
            driver.execute_script("arguments[0].scrollIntoView(); arguments[0].scrollLeft = 10000", wrap)
            assert driver.execute_script("return arguments[0].scrollLeft", wrap) > 0  # the table does scroll
            left = driver.execute_script("return arguments[0].getBoundingClientRect().left", wrap)
            for row in section.find_elements(_by("CSS_SELECTOR"), ":scope > .table-wrap tbody tr"):
                # rank, group letters and system stay side by side at the left edge, none under another
                cells = row.find_elements(_by("CSS_SELECTOR"), ":scope > td.rank, :scope > td.group, :scope > th.system")
                assert [c.get_attribute("class").split()[-1] for c in cells][::len(cells) - 1] == ["rank", "system"]
                edge = left
                for cell in cells:
                    box = driver.execute_script("return arguments[0].getBoundingClientRect()", cell)
                    assert abs(box["left"] - edge) < 2 and box["right"] < 390 and cell.is_displayed(), cell.text
                    assert box["height"] < 100, cell.text  # rows wrap little
                    edge = box["right"]
            for head in section.find_elements(_by("CSS_SELECTOR"), ":scope > .table-wrap thead th"):
                fits = "return arguments[0].scrollWidth <= arguments[0].clientWidth"
                assert driver.execute_script(fits, head), head.text  # no header spills into the next
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
