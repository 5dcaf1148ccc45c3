"""Helpers of the API tests: a token for a persona, JSON requests, the error envelope's shape."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from backhome.web.api import services
from backhome.web.patient.models import Person

PASSWORD = "a long test password 42"


def account_for(person: Person, email: str) -> AbstractBaseUser:
    """Give a guest persona an account (as signing up does), so they can have tokens."""
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    person.user = user
    person.save(update_fields=["user"])
    return user


def token_for(user: AbstractBaseUser, *scopes: str, clinician: bool = False) -> str:
    _, secret = services.token_create(
        user=user,
        name="test script",
        scopes=scopes or ("read", "write"),
        expires_in_days=30,
        clinician=clinician,
    )
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post_json(client: Client, url: str, body: Any, **extra: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def assert_envelope(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is ``status`` with the one error envelope (and ``code``, when given)."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], list)
    for field in error["fields"]:
        assert set(field) == {"field", "message"} and field["field"] and field["message"], field
    if code is not None:
        assert error["code"] == code, error
    return error
