"""Accounts: a guest signs up and keeps everything; logging in and out moves the browser between the
account's person and none; the middleware keeps a logged-in browser on its own person; failed logins
are throttled; bad input is refused with a 400 and changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from unittest import mock

import pytest
from django.contrib.auth import get_user, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from backhome.web.accounts import services
from backhome.web.accounts.middleware import AccountPersonMiddleware
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import Person, Screening
from backhome.web.patient.services import SESSION_KEY
from backhome.web.practice.models import ExerciseSession
from tests.integration.people import WALT_WEB, browser_session, client_for, person_with_plan

pytestmark = pytest.mark.django_db

User = get_user_model()
DANA_EMAIL = "dana@example.com"
WALT_EMAIL = "walt@example.com"
PASSWORD = "correct horse battery"


def a_session(person: Person) -> ExerciseSession:
    """A finished guided session, made straight with the ORM (as the practice app stores it)."""
    return ExerciseSession.objects.create(
        id=uuid.uuid4(),
        person=person,
        day=dt.date(2025, 3, 3),
        status=ExerciseSession.Status.FINISHED,
        ended_at=timezone.now(),
        before_back=4,
        before_leg=2,
        before_zone=2,
        before_numbness=False,
    )


def sign_up(client: Client, email: str = DANA_EMAIL, password: str = PASSWORD):
    return client.post(reverse("accounts:signup"), {"email": email, "password": password})


def log_in(client: Client, email: str = DANA_EMAIL, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"email": email, "password": password})


def account_for(email: str, person: Person | None = None) -> Person:
    """An account made through the service, with ``person`` (or a new empty one) as its person."""
    _, mine = services.account_create(email=email, password=PASSWORD, guest=person)
    return mine


def person_of(client: Client) -> int | None:
    return client.session.get(SESSION_KEY)


# --------------------------------------------------------------------------- sign up


def test_signing_up_keeps_everything_the_guest_did() -> None:
    dana, screening = person_with_plan()
    session = a_session(dana)
    client = client_for(dana)

    response = sign_up(client, email="  Dana@Example.com ")

    assert response.status_code == 302 and response["Location"] == reverse("accounts:account")
    user = User.objects.get()
    assert user.get_username() == DANA_EMAIL and user.email == DANA_EMAIL
    assert user.check_password(PASSWORD) and PASSWORD not in user.password  # hashed (Argon2 in production)
    dana.refresh_from_db()
    assert dana.user == user
    assert person_of(client) == dana.pk
    assert Person.objects.count() == 1
    assert list(dana.screenings.all()) == [screening] and list(dana.sessions.all()) == [session]
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Everything you did on this device so far is saved in your account." in page
    assert DANA_EMAIL in page
    assert client.get(reverse("patient:plan")).status_code == 200


def test_signing_up_with_no_guest_answers_makes_a_person_for_the_account(client: Client) -> None:
    response = sign_up(client)
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.user == User.objects.get() and person_of(client) == person.pk
    assert (
        "What you do from now on is saved in your account."
        in client.get(reverse("accounts:account")).content.decode()
    )


def test_an_email_address_has_one_account_whatever_its_case(client: Client) -> None:
    account_for(DANA_EMAIL)
    response = sign_up(Client(), email="DANA@example.COM")
    assert response.status_code == 302  # as for a new address: the owner is emailed instead
    assert User.objects.count() == 1 and Person.objects.count() == 1


@pytest.mark.parametrize(
    ("email", "password", "field", "message"),
    [
        ("", PASSWORD, "email", "Please type your email address."),
        ("dana", PASSWORD, "email", "Please type a whole email address, like name@example.com."),
        (DANA_EMAIL, "", "password", "Please type your password."),
        (DANA_EMAIL, "short1", "password", "Please use at least 10 characters."),
        (DANA_EMAIL, "1234567890123", "password", "Please use some letters or symbols, not only numbers."),
        (DANA_EMAIL, "password123", "password", "easy to guess"),
        (DANA_EMAIL, "dana@example.com1", "password", "too like your email address"),
    ],
)
def test_a_bad_sign_up_is_refused_and_creates_nothing(
    email: str, password: str, field: str, message: str
) -> None:
    dana, _ = person_with_plan()
    client = client_for(dana)
    response = sign_up(client, email=email, password=password)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    assert 'id="error-summary"' in page and f'href="#id_{field}"' in page
    assert f'id="id_{field}_error"' in page and 'aria-invalid="true"' in page
    assert not User.objects.exists()
    dana.refresh_from_db()
    assert dana.user is None and Person.objects.count() == 1


def test_a_logged_in_person_going_to_sign_up_is_sent_to_their_account() -> None:
    client = Client()
    sign_up(client)
    assert client.get(reverse("accounts:signup"))["Location"] == reverse("accounts:account")


# --------------------------------------------------------------------------- log in and out


def test_logging_in_switches_the_browser_to_the_account_person() -> None:
    dana_person = account_for(DANA_EMAIL, person_with_plan()[0])
    client = Client()
    client.get(reverse("patient:home"))

    response = log_in(client, email="Dana@Example.com")

    assert response.status_code == 302 and response["Location"] == reverse("accounts:account")
    assert person_of(client) == dana_person.pk
    assert "You can start your programme" in client.get(reverse("patient:plan")).content.decode()


def test_logging_in_goes_to_a_safe_next_page_only() -> None:
    account_for(DANA_EMAIL, person_with_plan()[0])
    client = Client()
    response = client.post(
        reverse("accounts:login") + "?next=/plan/",
        {"email": DANA_EMAIL, "password": PASSWORD, "next": "/plan/"},
    )
    assert response["Location"] == "/plan/"
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"email": DANA_EMAIL, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("accounts:account")


def test_a_guests_answers_move_to_an_account_that_has_none_and_the_person_is_told() -> None:
    account_for(DANA_EMAIL)  # made elsewhere, nothing answered yet
    guest, screening = person_with_plan()
    client = client_for(guest)

    assert log_in(client)["Location"] == reverse("accounts:account")

    guest.refresh_from_db()
    assert guest.user == User.objects.get() and person_of(client) == guest.pk
    assert list(guest.screenings.all()) == [screening]
    assert Person.objects.count() == 1  # the account's empty person is gone, the answers are not
    assert (
        "those answers are now saved in your account"
        in client.get(reverse("accounts:account")).content.decode()
    )


def test_when_both_have_answers_the_accounts_are_kept_and_the_guests_are_deleted() -> None:
    dana_person = account_for(DANA_EMAIL, person_with_plan()[0])
    guest, _guest_screening = person_with_plan(WALT_WEB)
    client = client_for(guest)

    log_in(client)

    assert person_of(client) == dana_person.pk
    assert not Person.objects.filter(pk=guest.pk).exists()  # nothing left to outlive a deletion
    page = client.get(reverse("accounts:account")).content.decode()
    assert "were not added to your account: they have been deleted" in page
    plan = client.get(reverse("patient:plan")).content.decode()
    assert 'id="exercise-prone-press-up"' in plan and 'id="exercise-single-knee-to-chest"' not in plan


def test_a_warning_sign_given_as_a_guest_locks_the_account_it_logs_in_to() -> None:
    dana_person = account_for(DANA_EMAIL, person_with_plan()[0])
    guest = Person.objects.create()
    patient_services.screening_save_answers(
        person=guest, step_id="saddle", answers={"symptoms.saddle_numbness": True}
    )
    guest.refresh_from_db()
    assert guest.locked
    client = client_for(guest)

    log_in(client)

    dana_person.refresh_from_db()
    assert dana_person.locked and dana_person.emergency_screening.tier == "emergency"
    assert client.get(reverse("patient:plan"))["Location"] == reverse("patient:emergency")
    assert not Person.objects.filter(pk=guest.pk).exists()  # the lock is a copy: the guest's answers go


def test_an_empty_guest_person_is_not_kept_when_logging_in() -> None:
    dana_person = account_for(DANA_EMAIL)
    empty_guest = Person.objects.create()
    client = client_for(empty_guest)
    log_in(client)
    assert person_of(client) == dana_person.pk
    assert not Person.objects.filter(pk=empty_guest.pk).exists()


def test_logging_out_is_a_post_and_leaves_the_browser_with_no_person() -> None:
    dana_person = account_for(DANA_EMAIL, person_with_plan()[0])
    client = Client()
    log_in(client)

    page = client.get(reverse("accounts:logout"))
    assert page.status_code == 200 and "Log out?" in page.content.decode()
    assert client.session.get(SESSION_KEY) == dana_person.pk  # a GET logged nobody out

    response = client.post(reverse("accounts:logout"))

    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session and "_auth_user_id" not in client.session
    assert "You have logged out" in client.get(reverse("accounts:login")).content.decode()
    assert client.get(reverse("patient:plan"))["Location"] == reverse("patient:home")


def test_a_wrong_password_is_a_400_and_logs_nobody_in() -> None:
    account_for(DANA_EMAIL)
    client = Client()
    response = log_in(client, password="not the password")
    assert response.status_code == 400
    page = response.content.decode()
    assert "The email address or the password is not right." in page and 'id="error-summary"' in page
    assert "_auth_user_id" not in client.session


def test_a_login_form_with_missing_fields_is_a_400_and_counts_nothing() -> None:
    account_for(DANA_EMAIL)
    for _ in range(10):
        response = Client().post(reverse("accounts:login"), {"email": DANA_EMAIL, "password": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please type your password." in page
    empty = Client().post(reverse("accounts:login"), {"email": "", "password": ""})
    assert "Please type your email address." in empty.content.decode()
    assert log_in(Client()).status_code == 302, "no password typed is not a wrong password"


# --------------------------------------------------------------------------- the middleware


def test_the_middleware_puts_a_tampered_session_back_on_the_accounts_person() -> None:
    dana_person = account_for(DANA_EMAIL, person_with_plan()[0])
    walt, _ = person_with_plan(WALT_WEB)
    client = Client()
    log_in(client)
    session = client.session
    session[SESSION_KEY] = walt.pk  # someone else's person
    session.save()

    page = client.get(reverse("patient:plan")).content.decode()

    assert 'id="exercise-prone-press-up"' in page  # Dana's extension plan
    assert 'id="exercise-single-knee-to-chest"' not in page  # Walt's flexion plan
    assert client.session[SESSION_KEY] == dana_person.pk


def test_the_middleware_gives_an_account_with_no_person_one() -> None:
    user = User.objects.create_user(
        username="clinician@example.com", email="clinician@example.com", password=PASSWORD
    )
    client = Client()
    client.force_login(user)
    client.get(reverse("accounts:account"))
    assert client.session[SESSION_KEY] == Person.objects.get(user=user).pk


def test_a_session_of_an_account_deleted_elsewhere_forgets_its_person() -> None:
    dana_person = account_for(DANA_EMAIL, person_with_plan()[0])
    client = Client()
    log_in(client)
    User.objects.filter(username=DANA_EMAIL).update(is_active=False)  # the account no longer lets anyone in
    client.get(reverse("patient:home"))
    assert SESSION_KEY not in client.session
    assert Person.objects.filter(pk=dana_person.pk).exists()


def test_the_middleware_costs_a_guest_no_query_but_the_session_read(django_assert_num_queries) -> None:
    dana, _ = person_with_plan()
    request = RequestFactory().get("/plan/")
    request.session = SessionStore(browser_session(dana))
    request.user = SimpleLazyObject(lambda: get_user(request))
    middleware = AccountPersonMiddleware(lambda request: HttpResponse())
    with django_assert_num_queries(1):  # the session, which every patient page reads anyway
        middleware(request)
    assert request.session[SESSION_KEY] == dana.pk


# --------------------------------------------------------------------------- the login limits


def test_ten_wrong_passwords_pause_logins_for_that_email_from_anywhere() -> None:
    account_for(DANA_EMAIL)
    for attempt in range(9):
        assert (
            log_in(Client(REMOTE_ADDR=f"198.51.100.{attempt}"), password="wrong password").status_code == 400
        )
    response = log_in(Client(REMOTE_ADDR="198.51.100.9"), password="wrong password")
    assert response.status_code == 429
    assert "logging in is paused for 15 minutes" in response.content.decode()

    client = Client(REMOTE_ADDR="203.0.113.1")
    refused = log_in(client)  # even the right password, from a new address, while paused
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    assert log_in(Client(), email=WALT_EMAIL, password="wrong password").status_code == 400  # other emails


def test_the_pause_ends_after_fifteen_minutes() -> None:
    account_for(DANA_EMAIL)
    for attempt in range(10):
        log_in(Client(REMOTE_ADDR=f"198.51.100.{attempt}"), password="wrong password")
    assert log_in(Client()).status_code == 429
    later = timezone.now() + dt.timedelta(minutes=16)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch("time.time", return_value=later.timestamp()),
    ):
        assert log_in(Client()).status_code == 302


# --------------------------------------------------------------------------- forms


@pytest.mark.parametrize(
    ("url", "autocompletes"),
    [
        ("accounts:signup", ('autocomplete="email"', 'autocomplete="new-password"')),
        ("accounts:login", ('autocomplete="email"', 'autocomplete="current-password"')),
        ("accounts:password_reset", ('autocomplete="email"',)),
    ],
)
def test_account_forms_have_labels_autocomplete_and_the_csrf_token(
    client: Client, url: str, autocompletes
) -> None:
    page = client.get(reverse(url)).content.decode()
    assert "csrfmiddlewaretoken" in page
    assert '<label class="field-label" for="id_email">' in page
    for attribute in autocompletes:
        assert attribute in page
    assert 'style="' not in page and "<script>" not in page


def test_a_login_without_the_csrf_token_is_refused() -> None:
    account_for(DANA_EMAIL)
    client = Client(enforce_csrf_checks=True)
    assert log_in(client).status_code == 403


@pytest.mark.parametrize("url", ["accounts:account", "accounts:signup", "accounts:login", "accounts:delete"])
def test_account_pages_are_never_cached(client: Client, url: str) -> None:
    response = client.get(reverse(url))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_a_stale_screening_object_is_not_what_the_session_sees() -> None:
    """Sign-up links the guest row; the screening still belongs to the same person (no copy)."""
    dana, screening = person_with_plan()
    client = client_for(dana)
    sign_up(client)
    assert (
        Screening.objects.count() == 1 and Screening.objects.get().person_id == dana.pk == screening.person_id
    )
