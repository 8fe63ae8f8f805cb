"""Screenshot the HTML leaderboard with headless Chromium, so a person can look at it.

Usage::

    python scripts/screenshot_leaderboard.py [--html results/leaderboard.html] [--out results/screenshots]

Writes three PNG files into ``--out``: ``top.png`` (the top of the page at 1400 px),
``errors.png`` (the error view, opened on the best system of its first task) and ``mobile.png``
(a 390 px wide phone screen at the first task's table, scrolled sideways to show that the system
column stays). Needs Chromium, chromedriver and selenium (Debian: ``apt-get install chromium
chromium-driver``; ``pip install selenium``); the page is loaded from a ``file://`` URL with the
network-free launch flags the browser test also uses. Exit status 2 when one is missing or the
page does not exist.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmark.cli._argparse import OneLineParser
from benchmark.render.html import CHROMIUM_FLAGS as BASE_FLAGS

CHROMIUM_FLAGS = (*BASE_FLAGS, "--hide-scrollbars")
DESKTOP = (1400, 1000)
PHONE = (390, 844)


def find_chromium() -> str | None:
    """The Chromium binary: /usr/bin/chromium, or one on PATH."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def find_chromedriver() -> str | None:
    """The chromedriver binary: /usr/bin/chromedriver, or one on PATH."""
    for name in ("/usr/bin/chromedriver", "chromedriver"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _driver(chromium: str, chromedriver: str, profile: str) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


def _viewport(driver: Any, width: int, height: int, *, mobile: bool) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def shoot(html: Path, out: Path, *, chromium: str, chromedriver: str, timeout: float) -> list[Path]:
    """Write ``top.png``, ``errors.png`` and ``mobile.png`` of ``html`` into ``out``.

    Returns:
        The files written.
    """
    out.mkdir(parents=True, exist_ok=True)
    url = html.resolve().as_uri()
    written = []
    with tempfile.TemporaryDirectory(prefix="screenshot-profile-") as profile:
        driver = _driver(chromium, chromedriver, profile)
        try:
            driver.set_page_load_timeout(timeout)
            _viewport(driver, *DESKTOP, mobile=False)
            driver.get(url)
            written.append(_save(driver, out / "top.png"))
            driver.execute_script("var e = document.getElementById('errors'); if (e) { e.scrollIntoView(); }")
            written.append(_save(driver, out / "errors.png"))
            _viewport(driver, *PHONE, mobile=True)
            driver.get(url)
            driver.execute_script(
                "var s = document.querySelector('section.task'); if (s) { s.scrollIntoView(); }"
                "var w = s && s.querySelector('.table-wrap'); if (w) { w.scrollLeft = 240; }"
            )
            written.append(_save(driver, out / "mobile.png"))
        finally:
            driver.quit()
    return written


def _save(driver: Any, path: Path) -> Path:
    if not driver.save_screenshot(str(path)):
        raise RuntimeError(f"chromium wrote no screenshot to {path}")
    return path


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=Path("results/leaderboard.html"))
    parser.add_argument(
        "--out", type=Path, default=Path("results/screenshots"), help="folder for the PNG files"
    )
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    if not args.html.is_file():
        print(f"no such file: {args.html}", file=sys.stderr)
        return 2
    chromium, chromedriver = find_chromium(), find_chromedriver()
    if chromium is None or chromedriver is None:
        print(
            "chromium or chromedriver not found (Debian: apt-get install chromium chromium-driver)",
            file=sys.stderr,
        )
        return 2
    try:
        import selenium  # noqa: F401
    except ImportError:
        print("selenium is not installed (pip install selenium)", file=sys.stderr)
        return 2
    for path in shoot(
        args.html, args.out, chromium=chromium, chromedriver=chromedriver, timeout=args.timeout
    ):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
