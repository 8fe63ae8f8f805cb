"""Screenshot the HTML leaderboard with headless Chromium, so a person can look at it.

Usage::

    python scripts/screenshot_leaderboard.py [--html results/leaderboard.html] [--out results/screenshot.png]

Needs Chromium (Debian: ``apt-get install chromium``). The page is loaded from a ``file://``
URL with the network-free launch flags also used by the browser test; the window is as tall as
the page (up to ``--max-height`` pixels), so the screenshot shows all of it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmark.render.html import CHROMIUM_FLAGS as BASE_FLAGS

CHROMIUM_FLAGS = (*BASE_FLAGS, "--hide-scrollbars")


def find_chromium() -> str | None:
    """The Chromium binary: /usr/bin/chromium, or one on PATH."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(html: Path, out: Path, *, width: int, height: int, chromium: str, timeout: float) -> None:
    """Write a PNG screenshot of ``html`` to ``out`` (a ``width`` x ``height`` window).

    Raises:
        RuntimeError: If Chromium fails or writes no file.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshot-profile-") as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={out.resolve()}",
            "--virtual-time-budget=2000",
            html.resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0 or not out.is_file():
        raise RuntimeError(f"chromium failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def page_height(html: Path, *, width: int, chromium: str, timeout: float) -> int | None:
    """The page's scroll height at ``width`` (via selenium if installed), else None."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not Path(driver_path).exists():
        return None
    with tempfile.TemporaryDirectory(prefix="screenshot-profile-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},800"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        try:
            driver.set_page_load_timeout(timeout)
            driver.get(html.resolve().as_uri())
            return int(driver.execute_script("return document.documentElement.scrollHeight"))
        finally:
            driver.quit()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=Path("results/leaderboard.html"))
    parser.add_argument("--out", type=Path, default=Path("results/screenshot.png"))
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=None, help="window height (default: the page's)")
    parser.add_argument("--max-height", type=int, default=16000)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    if not args.html.is_file():
        print(f"no such file: {args.html}", file=sys.stderr)
        return 2
    chromium = find_chromium()
    if chromium is None:
        print("chromium not found (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    height = args.height or page_height(args.html, width=args.width, chromium=chromium, timeout=args.timeout)
    height = min(height or args.max_height, args.max_height)
    screenshot(args.html, args.out, width=args.width, height=height, chromium=chromium, timeout=args.timeout)
    print(f"{args.out} ({args.width}x{height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
