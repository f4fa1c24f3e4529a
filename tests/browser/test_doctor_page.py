"""The doctor's view in a real browser: signed in on the dev stack as a doctor of the facility
that saw the patient today, the record opens with the alerts first ("no drug allergy" said as
declared, with its "tự khai" badge) and the height the citizen declared; a doctor of another
facility is refused, cannot open it with a reason that is not real words, and with a real one
gets the record under a visible emergency banner."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait

from hssk_cli import stack
from tests.browser.conftest import network, shot
from tests.citizens import FACILITY, OTHER_FACILITY, make_citizen

pytestmark = pytest.mark.usefixtures("platform_up")
RECORDS = stack.BY_NAME["records"].url
EXPECTED = ("status of 401", "status of 403", "status of 404", "status of 422")


def sign_in(browser, wait, facility: str) -> None:
    browser.get(f"{RECORDS}/staff?next=/")
    Select(browser.find_element(By.ID, "role")).select_by_value("doctor")
    box = browser.find_element(By.ID, "facility")
    box.clear()
    box.send_keys(facility)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(lambda b: b.current_url.rstrip("/") == RECORDS)


async def test_a_doctor_sees_alerts_first_and_a_stranger_only_by_emergency(browser, token, http):
    citizen = await make_citizen()
    mine = {"Authorization": f"Bearer {token(role='citizen', person_id=citizen.person_id)}"}
    body = {"height_cm": 158, "drug_allergies": {"none_known": True}}
    declared = await http.patch(f"{RECORDS}/v1/me/declaration", headers=mine, json=body)
    assert declared.status_code == 200, declared.text
    wait = WebDriverWait(browser, 15)
    page = f"{RECORDS}/doctor/{citizen.person_id}"

    browser.get(page)  # not signed in: sent to the sign-in, and back
    wait.until(seen.element_to_be_clickable((By.ID, "sign-in"))).click()
    Select(wait.until(seen.presence_of_element_located((By.ID, "role")))).select_by_value("doctor")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()  # 79001, the default
    wait.until(seen.visibility_of_element_located((By.ID, "record")))
    assert browser.current_url == page and FACILITY == "79001"
    alerts = browser.find_element(By.ID, "alerts").text
    assert alerts.startswith("Dị ứng thuốc") and "Không có (đã khai là không có)" in alerts
    assert "tự khai" in alerts and "Bệnh mạn tính" in alerts
    vitals = browser.find_element(By.ID, "vitals").text
    assert "158" in vitals and "tự khai" in vitals
    assert "undefined" not in browser.find_element(By.ID, "record").text
    first = browser.find_element(By.CSS_SELECTOR, "article#record section.alerts")
    assert first.location["y"] < browser.find_element(By.ID, "vitals").location["y"]
    history = wait.until(lambda b: b.find_element(By.ID, "history").text or None)
    assert "Thêm lần khám" in history and "Người dân tự khai" in history  # newest first:
    assert history.index("Người dân tự khai") < history.index("Thêm lần khám")  # the declaration
    shot(browser, "doctor-1-record")

    sign_in(browser, wait, OTHER_FACILITY)
    browser.get(page)
    wait.until(seen.visibility_of_element_located((By.ID, "refused")))
    browser.find_element(By.ID, "reason").send_keys("asdf")
    browser.find_element(By.CSS_SELECTOR, "#emergency button[type=submit]").click()
    refused = wait.until(seen.visibility_of_element_located((By.ID, "error-reason")))
    assert refused.text and browser.find_element(By.ID, "record").is_displayed() is False
    reason = browser.find_element(By.ID, "reason")
    reason.clear()
    reason.send_keys("Bệnh nhân hôn mê sau tai nạn, cần biết tiền sử dị ứng thuốc")
    browser.find_element(By.CSS_SELECTOR, "#emergency button[type=submit]").click()
    banner = wait.until(seen.visibility_of_element_located((By.ID, "emergency-banner")))
    assert "Đang truy cập khẩn cấp" in banner.text
    wait.until(seen.visibility_of_element_located((By.ID, "record")))
    shot(browser, "doctor-2-emergency")

    logged = browser.get_log("browser")
    errors = [e for e in logged if e["level"] == "SEVERE"
              and not any(x in e["message"] for x in EXPECTED)]  # fmt: skip
    assert not errors, errors
    urls, _ = network(browser)
    assert all(u.startswith(RECORDS) or u.startswith("data:") for u in urls), urls
