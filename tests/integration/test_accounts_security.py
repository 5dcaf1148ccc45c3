"""Accounts against an attacker (issue 17): a clinician's idle timeout from the first request, API tokens
that end with a password reset, and guest answers that do not outlive their owner's wish to delete."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from backhome.web.accounts import services
from backhome.web.api import services as api_services
from backhome.web.api.models import AccessToken
from backhome.web.patient.models import Person
from tests.integration.clinic_people import PASSWORD as CLINIC_PASSWORD
from tests.integration.clinic_people import cast
from tests.integration.people import WALT_WEB, client_for, person_with_plan

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a new and quite long one"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_clinician_who_logs_in_has_a_30_minute_session_before_any_clinic_page() -> None:
    people = cast()
    cleo = Client()
    response = cleo.post(
        reverse("accounts:login"), {"email": "cleo@riverside.example", "password": CLINIC_PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    assert cleo.session.get_expiry_age() == 30 * 60
    assert people.cleo.is_authenticated


def test_a_patient_who_logs_in_keeps_the_long_session() -> None:
    services.account_create(email="dana@example.com", password=PASSWORD, guest=None)
    dana = Client()
    dana.post(reverse("accounts:login"), {"email": "dana@example.com", "password": PASSWORD})
    assert dana.session.get_expiry_age() > 24 * 60 * 60


def test_a_password_reset_revokes_every_api_token_and_the_page_says_so() -> None:
    dana, _ = person_with_plan()
    user, _ = services.account_create(email="dana@example.com", password=PASSWORD, guest=dana)
    _, token = api_services.token_create(
        user=user, name="my phone", scopes=["read"], expires_in_days=None, clinician=False
    )
    assert Client().get("/api/v1/me/plan", **bearer(token)).status_code == 200
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "dana@example.com"})
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", mail.outbox[0].body)
    assert link
    set_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD}, follow=True)
    assert "access tokens" in done.content.decode() and "no longer work" in done.content.decode()
    assert Client().get("/api/v1/me/plan", **bearer(token)).status_code == 401
    assert AccessToken.objects.get().revoked_at is not None


def test_a_guests_answers_are_deleted_when_logging_in_to_an_account_with_its_own_and_the_page_says_so() -> (
    None
):
    walt_account, _ = person_with_plan(WALT_WEB)
    user, mine = services.account_create(email="walt@example.com", password=PASSWORD, guest=walt_account)
    guest, _ = person_with_plan()
    browser = client_for(guest)
    response = browser.post(reverse("accounts:login"), {"email": "walt@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=guest.pk).exists(), "the guest's answers are gone"
    assert Person.objects.filter(pk=mine.pk, user=user).exists()
    page = browser.get(reverse("accounts:account")).content.decode()
    assert "have been deleted" in page


def test_signing_up_with_an_address_that_has_an_account_answers_as_for_a_new_one_and_emails_its_owner() -> (
    None
):
    services.account_create(email="dana@example.com", password=PASSWORD, guest=None)
    new = Client().post(reverse("accounts:signup"), {"email": "walt@example.com", "password": PASSWORD})
    mail.outbox.clear()
    taken = Client().post(
        reverse("accounts:signup"), {"email": "Dana@Example.com", "password": "another long one"}
    )
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"]) == (302, "/account/")
    assert "already" not in taken.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@example.com"]
    body = mail.outbox[0].body
    assert "http://testserver/account/login/" in body and "http://testserver/account/password-reset/" in body
    assert (
        Client()
        .post(reverse("accounts:login"), {"email": "dana@example.com", "password": PASSWORD})
        .status_code
        == 302
    )
    # Asked again the same day: the same answer, no second email.
    Client().post(reverse("accounts:signup"), {"email": "dana@example.com", "password": "another long one"})
    assert len(mail.outbox) == 1


def test_log_out_everywhere_ends_every_session_and_revokes_every_token_and_says_so() -> None:
    dana, _ = person_with_plan()
    user, _ = services.account_create(email="dana@example.com", password=PASSWORD, guest=dana)
    _, token = api_services.token_create(
        user=user, name="my phone", scopes=["read"], expires_in_days=None, clinician=False
    )
    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        device.post(reverse("accounts:login"), {"email": "dana@example.com", "password": PASSWORD})
    assert "Log out everywhere" in laptop.get(reverse("accounts:account")).content.decode()

    wrong = laptop.post(reverse("accounts:logout_everywhere"), {"password": "not my password"})
    assert wrong.status_code == 400 and "_auth_user_id" in phone.session
    assert Client().get("/api/v1/me/plan", **bearer(token)).status_code == 200

    done = laptop.post(reverse("accounts:logout_everywhere"), {"password": PASSWORD}, follow=True)
    page = done.content.decode()
    assert "every device" in page and "access tokens" in page
    phone.get(reverse("accounts:account"))
    assert "_auth_user_id" not in phone.session and "_auth_user_id" not in laptop.session
    assert Client().get("/api/v1/me/plan", **bearer(token)).status_code == 401
    again = Client().post(reverse("accounts:login"), {"email": "dana@example.com", "password": PASSWORD})
    assert again.status_code == 302, "the password is unchanged"
