"""The API's answers are never kept by a cache, and a write without credentials asks for them (issue 17
items 7 and 15): walks over every operation of the published OpenAPI document, so a new endpoint is
checked without anyone remembering to."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from tests.integration.api_helpers import assert_envelope
from tests.integration.site_map import World, api_operations, world
from tests.integration.test_hostile_input_json import BODIES, caller

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    caches["shared"].clear()


def filled(path: str, w: World) -> str:
    """An operation's path with the ids of things that exist (Dana's session, Riverside's alert...)."""
    values = {
        "{session_id}": str(w.session.pk),
        "{log_id}": str(uuid.uuid4()),
        "{patient_id}": str(w.dana),
        "{alert_id}": str(w.alert.pk),
        "{exercise_id}": "prone-press-up",
    }
    for name, value in values.items():
        path = path.replace(name, value)
    return path


def who_calls(op: dict[str, Any]) -> str:
    scope = op.get("x-scope") or ""
    return "cleo" if scope.startswith("clinic:") else ("dana" if scope else "public")


def test_every_api_answer_is_sent_with_cache_control_no_store() -> None:
    w = world()
    answered: dict[str, int] = {}
    callers = {who: caller(w, who) for who in ("public", "dana", "cleo")}
    for path, method, op in api_operations():
        client, headers = callers[who_calls(op)]
        url = filled(path, w)
        if method == "get":
            response = client.get(url, **headers)
        else:
            row = BODIES.get(f"{method.upper()} {path}")
            body = json.dumps(row.valid(w)) if row is not None else ""
            response = getattr(client, method)(url, body, content_type="application/json", **headers)
        answered[f"{method} {path}"] = response.status_code
        assert "no-store" in response.get("Cache-Control", ""), (method, path, response.status_code)
        assert "private" in response.get("Cache-Control", ""), (method, path)
    # the walk reached the answers that carry data, not only refusals
    assert answered["get /api/v1/me/plan"] == 200
    assert answered["get /api/v1/clinic/patients/{patient_id}"] == 200
    assert answered["post /api/v1/triage"] == 200
    assert answered["post /api/v1/me/check-ins"] in (200, 201)


def test_every_api_write_without_credentials_is_401_with_www_authenticate() -> None:
    world()
    writes = [(p, m) for p, m, op in api_operations() if m != "get" and op.get("security")]
    assert len(writes) >= 5
    for path, method in writes:
        browser = Client(enforce_csrf_checks=True)  # as a real browser or script is checked
        response = getattr(browser, method)(
            path.replace("{", "").replace("}", ""), "{}", content_type="application/json"
        )
        assert_envelope(response, 401, "unauthenticated")
        assert response["WWW-Authenticate"].startswith("Bearer"), (method, path)


def test_a_browser_session_that_names_someone_still_needs_the_csrf_header_for_a_write() -> None:
    w = world()
    dana = w.client("dana", enforce_csrf=True)
    response = dana.post("/api/v1/me/check-ins", "{}", content_type="application/json")
    assert_envelope(response, 403, "forbidden")
