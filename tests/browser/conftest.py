"""A real browser for the pages: Debian's chromium, headless, driven by Selenium through
Debian's chromium-driver (scripts/system-deps.sh installs both), with the network log on so a
test can see every request a page made. Screenshots go to .hssk/artifacts/screenshots/.
`accessible` runs axe-core (fetched once from npm, pinned) inside the page as it stands and
fails on any serious or critical violation."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from hssk_cli import engines
from hssk_cli.paths import Layout
from tests.conftest import ROOT

SCREENSHOTS = ROOT / ".hssk" / "artifacts" / "screenshots"


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    """A phone-sized window (360 × 780 CSS px, as a cheap Android phone shows a page)."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail("chromium and chromium-driver are missing: run scripts/system-deps.sh")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--window-size=360,780",
        "--lang=vi-VN",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_window_size(360, 780)
    try:
        yield chrome
    finally:
        chrome.quit()


def shot(browser: webdriver.Chrome, name: str) -> Path:
    """The whole page as a phone shows it, after axe-core found nothing serious on it."""
    accessible(browser, name)  # every page state kept as a screenshot is also checked
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(360, max(780, int(height) + 100))  # the whole page, at 360 px
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(path))
    browser.set_window_size(360, 780)
    return path


def network(browser: webdriver.Chrome) -> tuple[list[str], int]:
    """Every URL the page requested since the last call, and the bytes it transferred."""
    urls, size = [], 0
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message["method"] == "Network.loadingFinished":
            size += int(message["params"].get("encodedDataLength", 0))
    return urls, size


@functools.cache
def _axe() -> str:
    return engines.axe_core(Layout(ROOT)).read_text()


RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 3).map(n => n.html)}))))
  .catch(e => done([{id: "axe-error", impact: "critical", help: String(e), nodes: []}]));
"""


def accessible(browser: webdriver.Chrome, page: str) -> None:
    """No serious or critical accessibility violation on the page as it is now shown."""
    browser.set_script_timeout(30)
    if not browser.execute_script("return typeof axe !== 'undefined'"):
        browser.execute_script(_axe())
    found = browser.execute_async_script(RUN_AXE)
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, f"{page}: accessibility violations {bad}"
