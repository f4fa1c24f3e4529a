"""A real browser for the pages: Debian's chromium, headless, driven by Selenium through
Debian's chromium-driver (scripts/system-deps.sh installs both), with the network log on so a
test can see every request a page made. Screenshots go to .hssk/artifacts/screenshots/."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

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
