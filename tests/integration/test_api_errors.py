"""One error envelope for every refusal of the API (house style 6): a walk over every route of the
published OpenAPI document, so an endpoint added later is checked without anyone remembering to; and
every status the envelope carries (400, 401, 403, 404, 405, 409, 412, 413, 415, 428, 429, 500, 503), each
from a real endpoint where one answers it, and the same fault with the same status on the pages."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from backhome.web.api import errors, selectors
from backhome.web.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotAllowed,
    NotFound,
    RateLimited,
    StaleVersion,
    TooLarge,
    Unavailable,
    VersionRequired,
)
from backhome.web.patient.models import Person
from backhome.web.progress.models import CheckIn
from tests.integration.api_helpers import account_for, assert_envelope, bearer, post_json, token_for
from tests.integration.clinic_people import Cast, cast
from tests.integration.people import client_for
from tests.integration.progress_builders import checkin_form
from tests.integration.test_db_faults import read_only_database

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
    bodies["/programme"] = {"exercises": [], "why": "seen"}  # PUT; GET sends no body
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


# --------------------------------------------------------------------------- every status, one envelope


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        (Invalid, 400, "invalid"),
        (NotAllowed, 403, "forbidden"),
        (NotFound, 404, "not_found"),
        (Conflict, 409, "conflict"),
        (StaleVersion, 412, "stale"),
        (TooLarge, 413, "too_large"),
        (VersionRequired, 428, "version_required"),
        (RateLimited, 429, "rate_limited"),
        (Unavailable, 503, "unavailable"),
    ],
)
def test_each_kind_of_domain_error_has_one_status_and_the_envelope(
    kind: type[DomainError], status: int, code: str
) -> None:
    """The one table: 412 and 428 have no endpoint yet (the programme's versioned writes will), so the
    table itself is what is checked for them."""
    error = kind("Something is not right.", fields=[("back", "Give a whole number from 0 to 10.")])
    found = assert_envelope(errors.error_response(error), status, code)
    assert found == {
        "code": code,
        "message": "Something is not right.",
        "fields": [{"field": "back", "message": "Give a whole number from 0 to 10."}],
    }


def test_a_named_refusal_has_its_kinds_status_and_its_own_code() -> None:
    class AlreadyDone(Conflict):
        default_code = "already_done"

    assert_envelope(errors.error_response(AlreadyDone("Done already.")), 409, "already_done")
    assert errors.status_of(AlreadyDone("Done already.")) == 409


def test_a_bad_body_is_400_never_422() -> None:
    response = post_json(Client(), "/api/v1/triage", {"schema": 3})
    assert_envelope(response, 400, "invalid")


def test_a_conflict_is_409_with_the_envelope_in_the_api_and_the_same_status_on_the_page(people: Cast) -> None:
    patient = account_for(people.dana, "dana@example.org")
    headers = bearer(token_for(patient, "read", "write"))
    body = {"id": str(uuid.uuid4()), "back": 2, "leg": 1, "zone": 2, "stiffness": "none"}
    assert post_json(Client(), "/api/v1/me/check-ins", body, **headers).status_code == 201
    again = post_json(Client(), "/api/v1/me/check-ins", {**body, "id": str(uuid.uuid4())}, **headers)
    assert_envelope(again, 409, "already_checked_in")
    page = client_for(people.dana).post("/check-in/", checkin_form())
    assert page.status_code == 409 and "You have checked in today" in page.content.decode()


def test_no_programme_is_the_same_409_for_the_plan_the_check_in_and_its_page() -> None:
    nobody = account_for(Person.objects.create(), "nobody@example.org")
    headers = bearer(token_for(nobody, "read", "write"))
    assert_envelope(Client().get("/api/v1/me/plan", **headers), 409, "no_programme")
    body = {"id": str(uuid.uuid4()), "back": 2, "leg": 1, "zone": 2, "stiffness": "none"}
    assert_envelope(post_json(Client(), "/api/v1/me/check-ins", body, **headers), 409, "no_programme")
    assert client_for(Person.objects.create()).post("/check-in/", checkin_form()).status_code == 409


def test_too_many_requests_is_429_with_the_envelope(settings: Any) -> None:
    settings.API_TRIAGE_RATE = "1/min"
    post_json(Client(), "/api/v1/triage", {})
    assert_envelope(post_json(Client(), "/api/v1/triage", {}), 429, "rate_limited")


@pytest.mark.django_db(transaction=True)
def test_a_write_on_a_read_only_database_is_503_with_the_envelope_and_retry_after(people: Cast) -> None:
    patient = account_for(people.dana, "dana@example.org")
    headers = bearer(token_for(patient, "read", "write"))
    body = {"id": str(uuid.uuid4()), "back": 2, "leg": 1, "zone": 2, "stiffness": "none"}
    client = Client(raise_request_exception=False)
    with read_only_database():
        refused = post_json(client, "/api/v1/me/check-ins", body, **headers)
    error = assert_envelope(refused, 503, "unavailable")
    assert refused["Retry-After"] == "120" and "Nothing was lost" in error["message"]
    assert not CheckIn.objects.exists()
