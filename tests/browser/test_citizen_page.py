"""The citizen's page in a real browser, as a citizen of 70 lives it on a cheap phone: the ward
officer's QR code opens the page; one tap opens the record (the code then works no more); the
page says what is missing; a height of 700 cm is refused in Vietnamese beside the field and
changes nothing; a right answer raises the completeness; "who looked at my record" lists the
reads. Only the platform's own host is ever asked for anything, and the page weighs little.
Then: the citizen shares the whole record with a doctor for an hour (a QR code), takes it back,
and chooses how to be reminded on notify's page (a wrong e-mail refused beside the field)."""

from __future__ import annotations

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait

from hssk_cli import stack
from tests.browser.conftest import network, shot
from tests.citizens import WARD, make_citizen
from tests.conftest import SUMMARIES

pytestmark = pytest.mark.usefixtures("platform_up")
RECORDS, NOTIFY = stack.BY_NAME["records"].url, stack.BY_NAME["notify"].url
BUDGET = 60_000  # bytes the page may transfer, all assets and API answers included


def issued_code(token, person_id: str) -> dict:
    officer = {"Authorization": f"Bearer {token(role='ward_officer', ward=WARD)}"}
    answer = httpx.post(f"{RECORDS}/v1/records/{person_id}/qr", headers=officer, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_a_citizen_opens_and_completes_their_record_on_a_phone(browser, token, request):
    citizen = await make_citizen()
    code = issued_code(token, citizen.person_id)
    wait = WebDriverWait(browser, 15)

    browser.get(code["url"])  # what the phone's camera opens
    opener = wait.until(seen.element_to_be_clickable((By.ID, "open-button")))
    assert opener.text == "Mở hồ sơ của tôi"
    shot(browser, "citizen-1-qr")
    opener.click()
    wait.until(seen.visibility_of_element_located((By.ID, "record")))
    assert browser.current_url.endswith("/me")  # the code has left the address bar
    filled = browser.find_element(By.ID, "filled").text
    before = int(browser.find_element(By.ID, "bar").get_attribute("value"))
    assert filled.startswith("Hồ sơ đã có") and before > 0
    assert browser.find_element(By.ID, "next-label").text  # the one item to declare first
    shot(browser, "citizen-2-record")
    version = _version(token, citizen.person_id)

    height = browser.find_element(By.ID, "height_cm")
    height.send_keys("700")
    browser.find_element(By.CSS_SELECTOR, "#form button[type=submit]").click()
    error = wait.until(seen.visibility_of_element_located((By.ID, "error-height_cm")))
    assert "từ 30 đến 250 cm" in error.text and height.get_attribute("aria-invalid") == "true"
    shot(browser, "citizen-3-refused")
    assert _version(token, citizen.person_id) == version  # refused: nothing changed

    height.clear()
    height.send_keys("158")
    browser.find_element(By.ID, "no_drug_allergy").click()
    browser.find_element(By.ID, "no_chronic").click()
    browser.find_element(By.CSS_SELECTOR, "#form button[type=submit]").click()
    wait.until(seen.text_to_be_present_in_element((By.ID, "saved"), "Đã lưu"))
    after = int(browser.find_element(By.ID, "bar").get_attribute("value"))
    assert after >= before + 2, (before, after)
    assert "158" in browser.find_element(By.CSS_SELECTOR, "label[for=height_cm]").text
    assert "tự khai" in browser.find_element(By.CSS_SELECTOR, "label[for=height_cm]").text
    shot(browser, "citizen-4-saved")

    entries = browser.find_elements(By.CSS_SELECTOR, "#entries li")
    assert entries and entries[0].text
    logged = browser.get_log("browser")  # the 422 above is logged as a failed load: expected
    errors = [e for e in logged if e["level"] == "SEVERE" and "status of 422" not in e["message"]]
    assert not errors, f"the page logged errors (a CSP violation, a failed script): {errors}"
    urls, size = network(browser)
    foreign = [u for u in urls if not u.startswith(RECORDS) and not u.startswith("data:")]
    assert not foreign, f"the page asked another host: {foreign}"
    assert size < BUDGET, f"the page transferred {size} bytes (budget {BUDGET})"
    request.config.stash.setdefault(SUMMARIES, []).append(
        f"citizen page: {len(urls)} requests, {size:,} bytes transferred (budget {BUDGET:,}), "
        "all to the platform; screenshots in .hssk/artifacts/screenshots/"
    )

    browser.get(code["url"])  # the same code a second time: it opens nothing now
    wait.until(seen.element_to_be_clickable((By.ID, "open-button"))).click()
    status = wait.until(seen.visibility_of_element_located((By.ID, "status")))
    wait.until(lambda b: "đã được dùng" in b.find_element(By.ID, "status").text)
    assert status.is_displayed()


async def test_a_citizen_shares_with_a_doctor_takes_it_back_and_chooses_reminders(
    browser, token, http
):
    citizen = await make_citizen()
    wait = WebDriverWait(browser, 15)
    browser.get(issued_code(token, citizen.person_id)["url"])
    wait.until(seen.element_to_be_clickable((By.ID, "open-button"))).click()
    wait.until(seen.visibility_of_element_located((By.ID, "share")))

    Select(browser.find_element(By.ID, "share-scope")).select_by_value("full")
    Select(browser.find_element(By.ID, "share-hours")).select_by_value("1")
    browser.find_element(By.CSS_SELECTOR, "#share-form button[type=submit]").click()
    qr = wait.until(seen.visibility_of_element_located((By.ID, "share-qr")))
    wait.until(lambda b: b.execute_script("return arguments[0].naturalWidth", qr) > 0)
    assert "đến" in browser.find_element(By.ID, "share-until").text
    listed = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "#shares li")))
    assert listed.text.startswith("Toàn bộ")
    shot(browser, "citizen-5-shared")
    mine = {"Authorization": f"Bearer {token(role='citizen', person_id=citizen.person_id)}"}
    shares = (await http.get(f"{RECORDS}/v1/me/shares", headers=mine)).json()["items"]
    assert [s["active"] for s in shares] == [True]

    listed.find_element(By.TAG_NAME, "button").click()  # "Thu hồi"
    wait.until(lambda b: "Đã thu hồi" in b.find_element(By.ID, "status").text)
    assert not browser.find_elements(By.CSS_SELECTOR, "#shares li")
    shares = (await http.get(f"{RECORDS}/v1/me/shares", headers=mine)).json()["items"]
    assert [s["active"] for s in shares] == [False]

    browser.find_element(By.ID, "reminders-link").click()  # notify's own page, same session
    wait.until(lambda b: b.current_url == f"{NOTIFY}/me/reminders")
    browser.find_element(By.ID, "ch-sms").click()  # no SMS: Zalo and e-mail only
    email = browser.find_element(By.ID, "email")
    email.send_keys("ba-lan@")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    error = wait.until(seen.visibility_of_element_located((By.ID, "error-email")))
    assert "không đúng dạng" in error.text
    email = browser.find_element(By.ID, "email")  # the refusal is tied to its field
    assert email.get_attribute("aria-invalid") == "true"
    assert email.get_attribute("aria-describedby") == "error-email"
    shot(browser, "citizen-6-reminders-refused")
    asked = (await http.get(f"{NOTIFY}/v1/me/preferences", headers=mine)).json()
    assert asked["email"] is None  # refused: nothing changed
    email = browser.find_element(By.ID, "email")
    email.clear()
    email.send_keys("ba.lan@example.org")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(seen.text_to_be_present_in_element((By.CSS_SELECTOR, "p.done"), "Đã lưu"))
    asked = (await http.get(f"{NOTIFY}/v1/me/preferences", headers=mine)).json()
    assert asked["email"] == "ba.lan@example.org" and asked["channels"] == ["zalo", "email"]
    shot(browser, "citizen-7-reminders-saved")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Về hồ sơ").click()
    wait.until(lambda b: b.current_url == f"{RECORDS}/me")


def _version(token, person_id: str) -> int:
    mine = {"Authorization": f"Bearer {token(role='citizen', person_id=person_id)}"}
    return int(httpx.get(f"{RECORDS}/v1/me", headers=mine, timeout=10).json()["version"])


def test_the_page_is_served_with_a_strict_policy_and_kept_by_no_cache():
    for path in ("/me", "/q/any-code-at-all"):
        page = httpx.get(f"{RECORDS}{path}", timeout=10)
        policy = page.headers["content-security-policy"]
        assert page.status_code == 200 and "unsafe-inline" not in policy
        assert "script-src 'self'" in policy and "connect-src 'self'" in policy
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
    assert httpx.get(f"{RECORDS}/assets/../settings.py", timeout=10).status_code == 404
    assert httpx.get(f"{RECORDS}/assets/nothing.js", timeout=10).status_code == 404
