"""The leader's dashboard in a real browser: a visitor without a session is told where to sign
in and comes back signed in as a leader; the four sections each draw their chart (an SVG image
with a title) and table; every ward's figures read exactly what the statistics API answers at
the same moment, a hidden figure "ẩn" where the API says null; the page stays inside a phone's
360 px; a ward officer sees their own ward only; a doctor is refused (and audited)."""

from __future__ import annotations

import asyncio

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait

from hssk_cli import stack
from hssk_contracts import topics
from tests.browser.conftest import shot
from tests.citizens import WARD

pytestmark = pytest.mark.usefixtures("platform_up")
RECORDS = stack.BY_NAME["records"].url
SECTIONS = ("completeness", "visits", "conditions", "reminders")
EXPECTED = ("status of 401", "status of 403")


def sign_in_as(browser, wait, role: str, ward: str = "") -> None:
    browser.get(f"{RECORDS}/staff?next=/leader")
    Select(wait.until(seen.presence_of_element_located((By.ID, "role")))).select_by_value(role)
    box = browser.find_element(By.ID, "ward")
    box.clear()
    box.send_keys(ward)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(lambda b: b.current_url == f"{RECORDS}/leader")


def ward_rows(browser) -> dict[str, list[str]]:
    table = browser.find_element(By.CSS_SELECTOR, "#completeness table tbody")
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in table.find_elements(By.TAG_NAME, "tr")]  # fmt: skip
    return {r[0]: r[1:4] for r in rows}


def as_page_writes(value) -> str:
    if value is None:
        return "ẩn"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return f"{value:,}".replace(",", ".")


async def test_a_leader_sees_the_city_charted_and_hidden_exactly_as_the_api(browser, token, http):
    wait = WebDriverWait(browser, 15)
    browser.get(f"{RECORDS}/leader")  # no session: where to sign in, and back
    wait.until(seen.element_to_be_clickable((By.LINK_TEXT, "Đăng nhập"))).click()
    role = Select(wait.until(seen.presence_of_element_located((By.ID, "role"))))
    shot(browser, "staff-sign-in")
    role.select_by_value("leader")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(lambda b: b.current_url == f"{RECORDS}/leader")
    for key in SECTIONS:
        section = browser.find_element(By.ID, key)
        chart = section.find_elements(By.CSS_SELECTOR, "svg[role=img] title")
        assert key == "reminders" or chart, f"{key} draws no chart"
        assert section.find_elements(By.CSS_SELECTOR, "table, p")
    leader = {"Authorization": f"Bearer {token(role='leader', subject='dash-test')}"}
    for _ in range(10):  # the figures may move while other tests' changes fold: same moment
        before = (
            await http.get(f"{RECORDS}/v1/stats/completeness?level=ward", headers=leader)
        ).json()
        browser.refresh()
        shown = ward_rows(browser)
        after = (
            await http.get(f"{RECORDS}/v1/stats/completeness?level=ward", headers=leader)
        ).json()
        if before["rows"] == after["rows"]:
            break
        await asyncio.sleep(1)
    expected = {
        r["name"]: [as_page_writes(r[k]) for k in ("citizens", "complete", "complete_percent")]
        for r in after["rows"]
    }
    assert shown == expected
    assert "ẩn" in browser.find_element(By.CSS_SELECTOR, "#completeness svg").text  # the legend
    shot(browser, "leader-1-phone")
    wide = browser.execute_script("return document.documentElement.scrollWidth")
    assert wide <= 360, f"the page is {wide} px wide on a 360 px phone"
    browser.set_window_size(1280, 900)
    shot(browser, "leader-2-desk")
    logged = browser.get_log("browser")
    errors = [e for e in logged if e["level"] == "SEVERE"
              and not any(x in e["message"] for x in EXPECTED)]  # fmt: skip
    assert not errors, errors  # no CSP violation, no failed asset


async def test_a_ward_officer_sees_their_ward_and_a_doctor_is_refused(browser, tail):
    wait = WebDriverWait(browser, 15)
    sign_in_as(browser, wait, "ward_officer", WARD)
    names = list(ward_rows(browser))
    assert len(names) <= 1 and "Cán bộ y tế phường 26734" in browser.page_source
    audit = await tail(topics.AUDIT_ACCESS)
    sign_in_as(browser, wait, "doctor")
    assert "không được xem" in browser.find_element(By.TAG_NAME, "main").text
    assert not browser.find_elements(By.CSS_SELECTOR, "svg")
    for _ in range(20):
        await audit.poll(1.0)
        refused = [e for e in audit.events if e.data.action == "stats.read"
                   and e.data.outcome == "denied" and e.data.role == "doctor"]  # fmt: skip
        if refused:
            break
    assert refused, "the doctor's refusal was not audited"
