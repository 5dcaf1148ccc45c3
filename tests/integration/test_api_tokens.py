"""Personal access tokens: made on /account/tokens/ by an account (never a guest), shown once, stored
as a hash, scoped, revocable; and ``backhome token`` at the command line."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from backhome.web.api import services
from backhome.web.api.models import AccessToken
from tests.integration.api_helpers import account_for, bearer
from tests.integration.clinic_people import cast
from tests.integration.people import client_for, person_with_plan

pytestmark = pytest.mark.django_db


def logged_in_dana() -> Client:
    person, _ = person_with_plan()
    user = account_for(person, "dana@example.org")
    client = Client()
    client.force_login(user)
    return client


def test_dana_makes_a_token_sees_it_once_and_only_its_hash_is_stored() -> None:
    client = logged_in_dana()
    page = client.post("/account/tokens/", {"name": "my phone", "scopes": ["read", "write"], "expires": "90"})
    assert page.status_code == 200
    secret = re.search(r'value="(bh_[^"]+)"', page.content.decode())
    assert secret is not None
    token = secret.group(1)
    row = AccessToken.objects.get()
    assert row.name == "my phone" and row.scopes == ["read", "write"] and row.expires_at is not None
    assert row.secret_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(AccessToken.objects.values_list())
    listing = client.get("/account/tokens/").content.decode()
    assert "my phone" in listing and f"bh_{row.prefix}" in listing and token not in listing
    assert Client().get("/api/v1/me/plan", **bearer(token)).status_code == 200


def test_revoking_a_token_stops_it_at_once() -> None:
    client = logged_in_dana()
    page = client.post("/account/tokens/", {"name": "script", "scopes": ["read"], "expires": "never"})
    token = re.search(r'value="(bh_[^"]+)"', page.content.decode()).group(1)  # type: ignore[union-attr]
    row = AccessToken.objects.get()
    assert client.post(f"/account/tokens/{row.pk}/revoke/").status_code == 302
    assert Client().get("/api/v1/me/plan", **bearer(token)).status_code == 401
    assert "Revoked" in client.get("/account/tokens/").content.decode()


def test_a_guest_cannot_make_tokens_and_is_sent_to_log_in() -> None:
    person, _ = person_with_plan()
    guest = client_for(person)
    response = guest.post("/account/tokens/", {"name": "x", "scopes": ["read"], "expires": "30"})
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert AccessToken.objects.count() == 0
    with pytest.raises(services.TokenError):
        services.token_create(user=None, name="x", scopes=["read"], expires_in_days=30, clinician=False)


def test_a_token_form_without_a_name_or_a_scope_says_which_and_makes_nothing() -> None:
    client = logged_in_dana()
    page = client.post("/account/tokens/", {"name": " ", "expires": "30"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Choose at least one thing the token may do." in text and "This field is required." in text
    assert AccessToken.objects.count() == 0


def test_only_a_clinician_may_give_a_token_the_clinic_scopes() -> None:
    client = logged_in_dana()
    page = client.post("/account/tokens/", {"name": "x", "scopes": ["clinic:read"], "expires": "30"})
    assert page.status_code == 400 and AccessToken.objects.count() == 0
    people = cast()
    cleo = Client()
    cleo.force_login(people.cleo)
    assert "clinic:read" in cleo.get("/account/tokens/").content.decode()
    made = cleo.post("/account/tokens/", {"name": "ehr", "scopes": ["clinic:read"], "expires": "30"})
    assert made.status_code == 200 and AccessToken.objects.get().scopes == ["clinic:read"]


def test_dana_cannot_revoke_someone_else_s_token() -> None:
    people = cast()
    row, _ = services.token_create(
        user=people.cleo, name="x", scopes=["read"], expires_in_days=30, clinician=True
    )
    client = logged_in_dana()
    assert client.post(f"/account/tokens/{row.pk}/revoke/").status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_an_expired_token_is_refused() -> None:
    person, _ = person_with_plan()
    user = account_for(person, "dana@example.org")
    row, token = services.token_create(
        user=user, name="x", scopes=["read"], expires_in_days=30, clinician=False
    )
    AccessToken.objects.filter(pk=row.pk).update(expires_at="2000-01-01T00:00:00Z")
    assert Client().get("/api/v1/me/plan", **bearer(token)).status_code == 401


def test_the_account_page_links_to_the_tokens() -> None:
    assert "/account/tokens/" in logged_in_dana().get("/account/").content.decode()


def test_the_command_line_makes_lists_and_revokes_a_token() -> None:
    from tests.cli.helpers import run

    person, _ = person_with_plan()
    account_for(person, "dana@example.org")
    made = run("token", "create", "dana@example.org", "--name", "export", "--scope", "read")
    assert made.code == 0, made.err
    token = made.out.strip()
    assert Client().get("/api/v1/me/plan", **bearer(token)).status_code == 200
    row = AccessToken.objects.get()
    listing = run("token", "list", "dana@example.org")
    assert f"bh_{row.prefix}" in listing.out and "active" in listing.out and token not in listing.out
    assert run("token", "revoke", "dana@example.org", f"bh_{row.prefix}").code == 0
    assert Client().get("/api/v1/me/plan", **bearer(token)).status_code == 401
    refused = run("token", "create", "dana@example.org", "--name", "x", "--scope", "clinic:read")
    assert refused.code == 2 and "scopes" in refused.err
    assert run("token", "list", "nobody@example.org").code == 2
