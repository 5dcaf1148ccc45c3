"""Bodies too large whatever their type, and JSON nested too deeply for any parser (issue 17 items 4 and
11): refused before any view, the CSRF check or a parser reads them, and nothing is changed or counted."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests.integration.api_helpers import assert_envelope
from tests.integration.site_map import changed, snapshot, world
from tests.integration.test_hostile_input_json import BODIES, caller

pytestmark = pytest.mark.django_db

LIMIT = 64 * 1024


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    settings.API_TRIAGE_RATE = "100000/min"
    caches["shared"].clear()


def multipart(size: int, **fields: str) -> bytes:
    """A multipart body with the form's fields and a file of ``size`` bytes."""
    return encode_multipart(BOUNDARY, {**fields, "upload": io.BytesIO(b"x" * size)})


def test_a_large_multipart_login_is_refused_with_413_and_counts_no_failed_login(settings: Any) -> None:
    # django-axes counts wrong passwords in the cache: with a limit of two, had the refused login been
    # counted, the next wrong password from this client would be paused (429) instead of refused (400).
    settings.AXES_FAILURE_LIMIT = 2
    email, wrong = "cleo@riverside.example", "wrong password"
    body = multipart(3 * 1024 * 1024, email=email, password=wrong)
    response = Client().generic("POST", "/account/login/", body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 413
    assert "Too much was sent" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert Client().post("/account/login/", {"email": email, "password": wrong}).status_code == 400


def test_a_large_multipart_body_to_the_api_is_refused_with_the_413_envelope() -> None:
    body = multipart(LIMIT + 1)
    response = Client().generic("POST", "/api/v1/triage", body, content_type=MULTIPART_CONTENT)
    assert_envelope(response, 413, "too_large")


@pytest.mark.parametrize("path", ["/account/login/", "/api/v1/triage", "/session/start/"])
def test_a_body_of_unknown_length_over_the_limit_is_refused_with_413(path: str) -> None:
    big = b"a=" + b"x" * (2 * LIMIT)
    response = Client().generic(
        "POST",
        path,
        big,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(big)},
    )
    assert response.status_code == 413


def test_a_small_body_of_unknown_length_is_not_refused_as_too_large() -> None:
    small = b"{}"
    response = Client().generic(
        "POST",
        "/api/v1/triage",
        small,
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(small)},
    )
    assert response.status_code == 400


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("name", sorted(BODIES))
@pytest.mark.parametrize("depth", [33, 5000, 30000])
def test_a_deeply_nested_body_to_any_json_endpoint_is_a_400_envelope_and_changes_nothing(
    name: str, depth: int
) -> None:
    w = world()
    row = BODIES[name]
    client, headers = caller(w, row.caller)
    for body in (nested(depth), json.dumps({**row.valid(w), "deep": json.loads(nested(min(depth, 900)))})):
        before = snapshot()
        response = client.post(row.path(w), body, content_type="application/json", **headers)
        error = assert_envelope(response, 400, "invalid")
        assert error["fields"] and error["fields"][0]["field"] == "body", error
        assert not changed(before, snapshot())


def test_brackets_inside_a_json_string_do_not_count_as_nesting() -> None:
    w = world()
    client, headers = caller(w, "cleo")
    note = "[{" * 100 + ' \\" ' + "]}" * 100
    response = client.post(
        f"/api/v1/clinic/alerts/{w.alert.pk}/acknowledge",
        json.dumps({"note": note}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content[:300]
