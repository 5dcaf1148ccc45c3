"""Limits that hold (issue 17 item 13): logins per client address and per account (django-axes), reset
emails, sign-ups, new guests, screen requests and invitation guesses per client address, all counted in
the shared cache; and the client's address read right behind a reverse proxy."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.test.utils import override_settings
from django.urls import reverse

from backhome.web.accounts import services
from backhome.web.config.throttle import client_address, trusted_networks
from backhome.web.patient.models import Person
from tests.integration.people import client_for, person_with_plan

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
PROXY = "10.0.0.5"


def log_in(client: Client, email: str, password: str = "wrong password"):
    return client.post(reverse("accounts:login"), {"email": email, "password": password})


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


# --------------------------------------------------------------------------- the client's address


def test_without_a_trusted_proxy_the_address_is_the_connections_whatever_the_header_says() -> None:
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=trusted_networks("10.0.0.0/8, 127.0.0.1"))
def test_behind_a_trusted_proxy_the_address_is_the_right_most_untrusted_forwarded_one() -> None:
    assert client_address(request_from(PROXY, "198.51.100.1")) == "198.51.100.1"
    # The client may write anything left of what the proxies appended: it is not read.
    assert client_address(request_from(PROXY, "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    assert client_address(request_from(PROXY, "198.51.100.1, 10.0.0.7")) == "198.51.100.1"
    # A connection that is not a trusted proxy cannot choose its address with the header.
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    # Nothing untrusted (only proxies), or a made-up value: the connection's.
    assert client_address(request_from(PROXY, "10.0.0.7")) == PROXY
    assert client_address(request_from(PROXY, "not an address")) == PROXY
    assert client_address(request_from(PROXY)) == PROXY


# --------------------------------------------------------------------------- logins


def test_wrong_passwords_over_many_emails_from_one_client_are_paused_and_another_client_is_not() -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    answers = [log_in(attacker, f"person{n}@example.com").status_code for n in range(12)]
    assert answers[:9] == [400] * 9
    assert set(answers[9:]) == {429}, answers
    assert log_in(Client(REMOTE_ADDR="198.51.100.1"), "person1@example.com").status_code == 400


@override_settings(TRUSTED_PROXIES=trusted_networks(PROXY))
def test_behind_a_proxy_each_client_has_its_own_login_count() -> None:
    def behind_proxy(address: str) -> Client:
        return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)

    answers = [log_in(behind_proxy("203.0.113.9"), f"p{n}@example.com").status_code for n in range(10)]
    assert answers[-1] == 429
    assert log_in(behind_proxy("198.51.100.1"), "someone@example.com").status_code == 400


def test_a_real_owner_locked_out_by_guesses_gets_in_with_a_reset_link() -> None:
    services.account_create(email="dana@example.com", password=PASSWORD, guest=None)
    for n in range(10):
        log_in(Client(REMOTE_ADDR=f"203.0.113.{n}"), "dana@example.com")
    dana = Client(REMOTE_ADDR="198.51.100.1")
    assert log_in(dana, "dana@example.com", PASSWORD).status_code == 429
    assert dana.post(reverse("accounts:password_reset"), {"email": "dana@example.com"}).status_code == 302
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", mail.outbox[0].body)
    assert link
    set_url = dana.get(link.group(1), follow=True).redirect_chain[-1][0]
    assert dana.post(set_url, {"new_password1": "a new and quite long one"}).status_code == 302
    assert log_in(dana, "dana@example.com", "a new and quite long one").status_code == 302


# --------------------------------------------------------------------------- emails, guests, guesses


def test_reset_emails_to_one_address_stop_after_three_an_hour_and_the_page_says_the_same() -> None:
    services.account_create(email="dana@example.com", password=PASSWORD, guest=None)
    answers = [
        Client(REMOTE_ADDR=f"203.0.113.{n}")
        .post(reverse("accounts:password_reset"), {"email": "dana@example.com"})
        .status_code
        for n in range(6)
    ]
    assert answers == [302] * 6
    assert len(mail.outbox) == 3


def test_reset_requests_from_one_client_are_limited() -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = [
        client.post(reverse("accounts:password_reset"), {"email": f"p{n}@example.com"}).status_code
        for n in range(11)
    ]
    assert answers[:10] == [302] * 10
    assert answers[10] == 429
    last = client.post(reverse("accounts:password_reset"), {"email": "x@example.com"})
    assert int(last["Retry-After"]) > 0 and "Please try again in" in last.content.decode()


@override_settings(
    RATE_LIMITS={
        "password_reset": "10/h",
        "signup": "10/h",
        "guest": "3/h",
        "screen_request": "2/h",
        "join": "4/h",
    }
)
def test_new_guests_starting_the_questions_from_one_client_are_limited_but_a_started_guest_is_not() -> None:
    first = {"symptoms.saddle_numbness": "no"}
    answers = [
        Client(REMOTE_ADDR="203.0.113.9").post("/screening/safety/", first).status_code for _ in range(4)
    ]
    assert answers[3] == 429, answers
    assert Person.objects.count() <= 3
    guest, _ = person_with_plan()
    started = client_for(guest)
    started.defaults["REMOTE_ADDR"] = "203.0.113.9"
    assert started.get("/plan/").status_code == 200


@override_settings(
    RATE_LIMITS={
        "password_reset": "10/h",
        "signup": "10/h",
        "guest": "60/h",
        "screen_request": "2/h",
        "join": "4/h",
    }
)
def test_invitation_code_and_link_guesses_from_one_client_are_limited() -> None:
    guest, _ = person_with_plan()
    client = client_for(guest)
    answers = [client.post("/clinic/join/", {"code": f"ABCD-{n:04d}"}).status_code for n in range(3)]
    answers += [client.get(f"/clinic/join/guess{n}/").status_code for n in range(2)]
    assert 429 not in answers[:4] and answers[4] == 429, answers
    assert Client(REMOTE_ADDR="198.51.100.1").get("/clinic/join/guess9/").status_code != 429


@override_settings(
    RATE_LIMITS={
        "password_reset": "10/h",
        "signup": "10/h",
        "guest": "60/h",
        "screen_request": "2/h",
        "join": "4/h",
    }
)
def test_screen_requests_from_one_client_are_limited() -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = [client.post("/clinic/request-screen/", {"name": "x"}).status_code for _ in range(3)]
    assert answers[2] == 429 and 429 not in answers[:2], answers


@override_settings(
    RATE_LIMITS={
        "password_reset": "10/h",
        "signup": "2/h",
        "guest": "60/h",
        "screen_request": "2/h",
        "join": "4/h",
    }
)
def test_sign_ups_from_one_client_are_limited() -> None:
    answers = [
        Client(REMOTE_ADDR="203.0.113.9")
        .post(reverse("accounts:signup"), {"email": f"p{n}@example.com", "password": PASSWORD})
        .status_code
        for n in range(3)
    ]
    assert answers == [302, 302, 429]
