"""One error envelope for every refusal of the API (house style 6): a walk over every route of the
published OpenAPI document, so an endpoint added later is checked without anyone remembering to."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from backhome.web.api import selectors
from tests.integration.api_helpers import account_for, assert_envelope, bearer, token_for
from tests.integration.clinic_people import Cast, cast

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    caches["shared"].clear()


@pytest.fixture
def people() -> Cast:
    return cast()


def document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in document()["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def missing_ids(path: str, op: dict[str, Any]) -> str:
    """The path with ids that name nothing: a new UUID, a number no row has, an unknown exercise."""
    for param in op.get("parameters", []):
        if param["in"] != "path":
            continue
        schema = param.get("schema", {})
        if schema.get("format") == "uuid":
            value = str(uuid.uuid4())
        elif schema.get("type") == "integer":
            value = "987654"
        else:
            value = "no-such-thing"
        path = path.replace("{" + param["name"] + "}", value)
    return path


def call(client: Client, method: str, path: str, body: str | None = None, **extra: Any) -> Any:
    if method == "get":
        return client.get(path, **extra)
    return getattr(client, method)(
        path, body if body is not None else "", content_type="application/json", **extra
    )


@pytest.mark.usefixtures("people")
def test_the_document_is_published_with_every_endpoint_and_declares_the_envelope_for_its_errors() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.")
    paths = set(doc["paths"])
    assert {"/api/v1/library", "/api/v1/triage", "/api/v1/me/plan", "/api/v1/me/sessions"} <= paths
    assert {"/api/v1/clinic/patients", "/api/v1/clinic/alerts", "/api/v1/me/fhir"} <= paths
    for path, method, op in operations():
        errors = [code for code in op["responses"] if code.startswith(("4", "5"))]
        assert errors, (method, path)
        for code in errors:
            schema = op["responses"][code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)


def test_every_route_answers_a_wrong_method_with_the_envelope_and_allow(people: Cast) -> None:
    for path, item in document()["paths"].items():
        allowed = {m.upper() for m in item if m in METHODS}
        wrong = next(m for m in ("delete", "put", "patch") if m.upper() not in allowed)
        some = missing_ids(path, next(iter(item.values())))
        response = call(Client(), wrong, some)
        assert_envelope(response, 405, "method_not_allowed")
        assert set(response["Allow"].replace(" ", "").split(",")) == allowed, path


def test_every_secured_route_without_credentials_is_401_with_the_envelope(people: Cast) -> None:
    secured = [(p, m, op) for p, m, op in operations() if op.get("security")]
    assert len(secured) >= 10
    for path, method, op in secured:
        assert_envelope(call(Client(), method, missing_ids(path, op), "{}"), 401, "unauthenticated")


def test_every_secured_route_refuses_a_token_without_its_scope_with_403(people: Cast) -> None:
    patient = account_for(people.dana, "dana@example.org")
    for path, method, op in operations():
        scope = op.get("x-scope")
        if not op.get("security"):
            continue
        assert scope in ("read", "write", "clinic:read", "clinic:write"), (method, path)
        clinician = scope.startswith("clinic:")
        user = people.cleo if clinician else patient
        others = [s for s in ("read", "write", "clinic:read", "clinic:write") if s != scope]
        others = [s for s in others if clinician or not s.startswith("clinic:")]
        token = token_for(user, *others, clinician=clinician)
        error = assert_envelope(
            call(Client(), method, missing_ids(path, op), "{}", **bearer(token)), 403, "forbidden"
        )
        assert scope in error["message"], (method, path)


def test_every_route_with_a_body_refuses_a_wrong_body_a_wrong_type_and_a_big_body(people: Cast) -> None:
    patient = account_for(people.dana, "dana@example.org")
    headers = bearer(token_for(patient, "read", "write"))
    clinic = bearer(token_for(people.cleo, "clinic:read", "clinic:write", clinician=True))
    with_body = [(p, m, op) for p, m, op in operations() if "requestBody" in op]
    assert len(with_body) >= 5
    for path, method, op in with_body:
        auth = clinic if path.startswith("/api/v1/clinic/") else headers
        url = missing_ids(path, op)
        wrong = call(Client(), method, url, json.dumps({"no_such_field": 1}), **auth)
        error = assert_envelope(wrong, 400, "invalid")
        assert "no_such_field" in {f["field"] for f in error["fields"]} or error["fields"], (method, path)
        form = Client().post(url, "a=1", content_type="application/x-www-form-urlencoded", **auth)
        assert_envelope(form, 415, "unsupported_media_type")
        big = call(Client(), method, url, json.dumps({"x": "y" * (70 * 1024)}), **auth)
        assert_envelope(big, 413, "too_large")


def test_every_route_with_an_id_in_its_address_answers_404_for_an_id_that_names_nothing(people: Cast) -> None:
    patient = account_for(people.dana, "dana@example.org")
    headers = bearer(token_for(patient, "read", "write"))
    clinic = bearer(token_for(people.cleo, "clinic:read", "clinic:write", clinician=True))
    bodies = {
        "/logs": {"id": str(uuid.uuid4()), "position": 1, "sets_done": 1, "skipped": True, "it_hurts": False}
    }
    bodies["/recheck"] = {"settled": True}
    bodies["/acknowledge"] = {"note": "seen"}
    routed = [(p, m, op) for p, m, op in operations() if "{" in p]
    assert len(routed) >= 6
    for path, method, op in routed:
        auth = clinic if path.startswith("/api/v1/clinic/") else headers
        body = next((b for end, b in bodies.items() if path.endswith(end)), None)
        response = call(Client(), method, missing_ids(path, op), json.dumps(body) if body else None, **auth)
        assert_envelope(response, 404, "not_found")
        # An id of the wrong shape names nothing either.
        bad = path.split("{")[0] + "not-an-id" + path.split("}", 1)[1].split("{")[0]
        if "{" in path.split("}", 1)[1]:
            continue
        assert_envelope(call(Client(), method, bad, json.dumps(body) if body else None, **auth), 404)


def test_an_address_under_the_api_that_is_no_endpoint_is_404_with_the_envelope() -> None:
    assert_envelope(Client().get("/api/v1/no/such/endpoint"), 404, "not_found")
    assert_envelope(Client().get("/api/v1/library/"), 404, "not_found")


def test_the_public_routes_refuse_with_the_envelope_too() -> None:
    assert_envelope(Client().get("/api/v1/library/no-such-exercise"), 404, "not_found")
    assert_envelope(Client().post("/api/v1/triage", "{}", content_type="application/json"), 400, "invalid")


def test_an_unexpected_failure_is_a_500_with_the_envelope_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "library_json", broken)
    response = Client(raise_request_exception=False).get("/api/v1/library")
    error = assert_envelope(response, 500, "server_error")
    assert "secret" not in response.content.decode() and "Traceback" not in error["message"]
    assert "secret internals" in caplog.text


def test_there_is_no_docs_page_that_would_load_swagger_from_a_cdn() -> None:
    assert_envelope(Client().get("/api/v1/docs"), 404)
    assert b"cdn" not in Client().get("/api/v1/openapi.json").content.lower()
