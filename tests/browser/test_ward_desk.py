"""The ward officer's desk in a real browser, across the three services that own its parts:
signed in as the officer of WARD, they tick a citizen no channel could reach on notify's
worklist, are sent to records' desk with that citizen listed, print the household's A4 QR
sheet (the citizen's name beside a code whose address opens the citizen's page), then go to
identity's review queue and link a record that came in to the candidate shown beside it, with
the weight of each field. A doctor cannot open the desk."""

from __future__ import annotations

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait

from hssk_cli import stack
from hssk_contracts import topics
from tests.browser.conftest import shot
from tests.citizens import WARD
from tests.e2e.test_notify_delivery import a_citizen, bearer, fresh_cccd, of, set_clock, vn_today

pytestmark = pytest.mark.usefixtures("platform_up")
RECORDS, IDENTITY = stack.BY_NAME["records"].url, stack.BY_NAME["identity"].url
NOTIFY = stack.BY_NAME["notify"].url


def sign_in(browser, wait, role: str, ward: str = "", facility: str = "") -> None:
    browser.get(f"{RECORDS}/staff?next=/desk")
    Select(wait.until(seen.presence_of_element_located((By.ID, "role")))).select_by_value(role)
    for box, value in (("ward", ward), ("facility", facility)):
        field = browser.find_element(By.ID, box)
        field.clear()
        field.send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(lambda b: b.current_url.startswith(f"{RECORDS}/desk"))


async def a_review(http, token) -> tuple[str, str]:
    """A citizen of WARD known to identity, and a record that came in with their personal ID
    under another name and birth date: a review of WARD (its id, the candidate's person id)."""
    operator = bearer(token, role="operator")
    holder = {"name": "Đỗ Thị Hằng", "birth_date": "1988-04-02", "sex": "female",
              "commune_code": WARD, "create": True,
              "identifiers": [{"type": "cccd", "value": fresh_cccd()}]}  # fmt: skip
    known = (await http.post(f"{IDENTITY}/v1/resolve", json=holder, headers=operator)).json()
    came = {**holder, "name": "Đỗ Văn Hưng", "birth_date": "1961-09-09", "sex": "male"}
    review = (await http.post(f"{IDENTITY}/v1/resolve", json=came, headers=operator)).json()
    assert review["decision"] == "review", review
    return review["review_id"], known["person_id"]


async def test_the_officer_prints_a_households_codes_and_resolves_a_review(
    browser, producer, tail, http, token, uid
):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    await set_clock(http, token, vn_today(9))
    unreachable = await a_citizen(producer, changes, uid, None)  # no phone, no address
    await reminders.wait_for(of(unreachable, "ReminderSuppressed"), seconds=60)
    review_id, candidate = await a_review(http, token)
    wait = WebDriverWait(browser, 15)
    browser.set_window_size(1000, 900)

    sign_in(browser, wait, "ward_officer", WARD)
    browser.find_element(By.LINK_TEXT, "Không liên lạc được").click()
    wait.until(lambda b: b.current_url == f"{NOTIFY}/desk/worklist")
    box = browser.find_element(By.CSS_SELECTOR, f"input[name=p][value='{unreachable}']")
    box.click()
    shot(browser, "desk-1-worklist")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(lambda b: b.current_url == f"{RECORDS}/desk")  # posted: no id in the address
    listed = browser.find_element(By.ID, "people")
    assert listed.get_attribute("value").strip() == unreachable
    listed.send_keys("\n00000000-0000-5000-8000-000000000000")  # nobody of this ward
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    card = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, ".sheet .qr")))
    browser.set_window_size(794, 1123)  # an A4 page's width, as it is printed
    [code] = card.find_elements(By.TAG_NAME, "svg")
    box = code.size  # drawn whole and large enough to scan from paper: square, not clipped
    assert box["width"] >= 150 and abs(box["width"] - box["height"]) <= 2, box
    assert card.find_element(By.CLASS_NAME, "name").text.strip() not in ("", "Người dân")
    url = card.find_element(By.CLASS_NAME, "url").text
    assert url.startswith(f"{RECORDS}/q/")
    assert (
        "00000000-0000-5000-8000-000000000000"
        in browser.find_element(By.CLASS_NAME, "problem").text
    )
    shot(browser, "desk-2-qr-sheet")
    async with httpx.AsyncClient() as plain:  # the printed address opens the citizen's page
        assert (await plain.get(url)).status_code == 200

    browser.find_element(By.LINK_TEXT, "Xác minh danh tính").click()
    section = wait.until(seen.presence_of_element_located((By.ID, f"review-{review_id}")))
    side_by_side = section.text
    assert "Đỗ Văn Hưng" in side_by_side and "Đỗ Thị Hằng" in side_by_side
    assert "Trọng số" in side_by_side
    shot(browser, "desk-3-review")
    link = section.find_element(
        By.XPATH, f".//input[@name='link_to'][@value='{candidate}']/../button"
    )
    link.click()
    done = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "p.done")))
    assert "Đã gộp" in done.text
    assert not browser.find_elements(By.ID, f"review-{review_id}")
    officer = bearer(token, role="ward_officer", ward=WARD)
    queue = (await http.get(f"{IDENTITY}/v1/review-queue", headers=officer)).json()
    assert review_id not in {r["review_id"] for r in queue["items"]}
    logged = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not logged, logged  # no CSP violation, no failed asset, on any of the three


async def test_a_doctor_cannot_open_the_desk(browser):
    wait = WebDriverWait(browser, 15)
    browser.get(f"{RECORDS}/staff?next=/desk")
    Select(wait.until(seen.presence_of_element_located((By.ID, "role")))).select_by_value("doctor")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(lambda b: b.current_url.startswith(f"{RECORDS}/desk"))
    assert "Chỉ cán bộ y tế phường" in browser.find_element(By.TAG_NAME, "main").text
    for page in (f"{IDENTITY}/desk/reviews", f"{NOTIFY}/desk/worklist"):
        browser.get(page)
        assert not browser.find_elements(By.TAG_NAME, "table"), page
