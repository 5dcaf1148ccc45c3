"""Dana, a guest with a plan, makes an account, logs out, logs back in and still has her plan; on a phone
and on a laptop. Screenshots of the account pages go to artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import web_fixtures
from tests.e2e.web_fixtures import Visit, sign_in_as_guest
from tests.integration.people import person_with_plan

# The fixtures this module uses (tests/e2e/conftest.py belongs to the illustration tests).
allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "dana@example.com"
PASSWORD = "correct horse battery"


BAD_REQUEST = "Failed to load resource: the server responded with a status of 400 (Bad Request)"


def check(visit: Visit, name: str | None = None, *, bad_request: bool = False) -> None:
    """The page loaded only our own files, broke no policy, and passes axe; then a screenshot.

    A form sent back with errors is a 400, which Chromium logs as a console error: expected there only.
    """
    from tests.e2e.a11y import assert_accessible

    assert visit.foreign_requests() == []
    if bad_request:
        assert BAD_REQUEST in visit.console_errors
        visit.console_errors[:] = [m for m in visit.console_errors if m != BAD_REQUEST]
    assert visit.console_errors == []
    assert_accessible(visit)
    if name:
        visit.shot(name)


def test_dana_signs_up_logs_out_and_back_in_and_keeps_her_plan(visit: Visit) -> None:
    dana, _ = person_with_plan()
    sign_in_as_guest(visit, dana)
    page = visit.page

    visit.go("/account/")
    assert page.locator("h1").inner_text() == "Your answers on this device"
    check(visit, "account-guest")

    page.get_by_role("link", name="Make an account").click()
    page.wait_for_url("**/account/signup/")
    assert "Everything you have done on this device so far will be kept" in page.inner_text("main")
    check(visit, "account-signup")

    # A password that is too short is explained next to its field, and in the summary that takes the focus.
    page.fill("#id_email", EMAIL)
    page.fill("#id_password", "short")
    page.click("button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Please use at least 10 characters." in page.inner_text("#id_password_error")
    check(visit, "account-signup-error", bad_request=True)

    page.check("#id_password-show")  # the "show the password" box (added by accounts.js)
    assert page.get_attribute("#id_password", "type") == "text"
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/account/")
    assert page.locator("h1").inner_text() == "Your account"
    assert page.inner_text("#account-email") == EMAIL
    assert "Everything you did on this device so far is saved in your account." in page.inner_text("#notice")
    check(visit, "account")

    visit.go("/plan/")
    assert page.locator("#exercise-prone-press-up").is_visible()

    visit.go("/account/")
    page.click("form.logout button")
    page.wait_for_url("**/account/login/")
    assert "You have logged out" in page.inner_text("#notice")
    visit.go("/plan/")
    page.wait_for_url(visit.base + "/")  # this browser has no answers now

    visit.go("/account/login/")
    check(visit, "account-login")
    page.fill("#id_email", "Dana@Example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/account/")
    visit.go("/plan/")
    assert page.locator("h1").inner_text() == "You can start your programme"
    assert page.locator("#exercise-prone-press-up").is_visible()
    check(visit)


def test_dana_downloads_her_data_and_deletes_her_account(visit: Visit, tmp_path: Path) -> None:
    dana, _ = person_with_plan()
    sign_in_as_guest(visit, dana)
    page = visit.page
    visit.go("/account/signup/")
    page.fill("#id_email", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/account/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    assert download.value.suggested_filename.startswith("backhome-my-data-")
    saved = tmp_path / "export.json"
    download.value.save_as(saved)
    assert '"schema": "backhome.export/1"' in saved.read_text()

    page.get_by_role("link", name="Delete my account and data").click()
    page.wait_for_url("**/account/delete/")
    check(visit, "account-delete")
    page.fill("#id_confirm", "DELETE")
    page.get_by_role("button", name="Delete everything").click()
    page.wait_for_url("**/account/deleted/")
    assert page.locator("h1").inner_text() == "Your data have been deleted"
    check(visit, "account-deleted")
