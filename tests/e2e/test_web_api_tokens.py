"""Dana makes an access token for a script on /account/tokens/, sees it once, and revokes it; on a phone
and on a laptop, with axe-core on every state. Screenshots go to artifacts/screenshots/tokens-*.png."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.e2e import web_fixtures
from tests.e2e.test_web_accounts import check
from tests.e2e.web_fixtures import Visit
from tests.integration.api_helpers import account_for
from tests.integration.people import person_with_plan

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(visit: Visit) -> None:
    dana, _ = person_with_plan()
    user = account_for(dana, "dana@example.com")
    client = Client()
    client.force_login(user)
    visit.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": visit.base}]
    )


def test_dana_makes_a_token_sees_it_once_and_revokes_it(visit: Visit) -> None:
    log_in(visit)
    page = visit.page
    visit.go("/account/")
    page.get_by_role("link", name="Access tokens for apps and scripts").click()
    page.wait_for_url("**/account/tokens/")
    assert "You have no tokens yet." in page.inner_text("main")
    check(visit, "tokens-empty")

    page.fill("#id_name", "my export script")
    page.click("button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert "Choose at least one thing the token may do." in page.inner_text("#error-summary")
    check(visit, "tokens-error", bad_request=True)

    page.fill("#id_name", "my export script")
    page.get_by_label("Read my plan, history and records").check()
    page.select_option("#id_expires", "30")
    page.click("button[type=submit]")
    page.wait_for_selector("#new-token")
    token = page.input_value("#new-token")
    assert token.startswith("bh_") and "shown only this once" in page.inner_text(".token-new")
    check(visit, "tokens-new")

    visit.go("/account/tokens/")
    assert token not in page.content() and "my export script" in page.inner_text("table")
    page.get_by_role("button", name="Revoke my export script").click()
    page.wait_for_url("**/account/tokens/")
    assert "Revoked" in page.inner_text("table")
    check(visit, "tokens-revoked")
