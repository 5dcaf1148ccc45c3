"""Hostile and broken input to every JSON endpoint (issue 7 item 6): the API's (from its OpenAPI
document), the session player's among them. The HTML forms are in test_hostile_input.py.

Each endpoint that takes a body has a row in ``BODIES`` with a valid body; every leaf of it then gets:
missing, the wrong type, out of range, the same key twice (the second one wrong) and malicious values.
Each body also gets an unknown key, text that is not JSON, the wrong content type and 1 MB. Each must be
refused with the error envelope naming the field (``fields``), status 400 (413 for 1 MB, 415 for a
body that is not JSON where the API says so), and change nothing. Endpoints without a body get hostile
ids in their path and hostile query values: a 4xx envelope (or the same 200), never a 5xx, nothing
changed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client

from tests.integration.api_helpers import account_for, bearer, token_for
from tests.integration.site_map import ROUTES, World, api_operations, changed, snapshot, world
from tests.integration.test_hostile_input import MALICIOUS, SCRIPT

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]

BEFORE = {"back": 3, "leg": 2, "zone": 3, "numbness": False, "red_flag": False}
AFTER = {**BEFORE, "weakness": False}


@dataclass(frozen=True)
class Body:
    """A JSON endpoint: who calls it (``dana`` or ``cleo``: a token; ``browser``: Dana's session with
    the CSRF header; ``public``), its path in a world, a valid body, and the leaves that are free text."""

    caller: str
    path: Callable[[World], str]
    valid: Callable[[World], dict[str, Any]]
    text: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    #: the HTTP method (the programme is replaced with PUT), and whether it needs the current ETag
    method: str = "POST"
    if_match: bool = False


def _intake(w: World) -> dict[str, Any]:
    """Dana's intake as the CLI reads it (examples/dana.json)."""
    return dict(json.loads((REPO / "examples" / "dana.json").read_text("utf-8")))


BODIES: dict[str, Body] = {
    # the session player's writes at their old addresses (queued on a phone before they moved to the API)
    "practice:queued_start": Body(
        "browser", lambda w: "/session/start/", lambda w: {"id": str(uuid.uuid4()), "before": BEFORE}
    ),
    "practice:queued_log": Body(
        "browser",
        lambda w: f"/session/{w.session.pk}/log/",
        lambda w: {
            "id": str(uuid.uuid4()),
            "position": 1,
            "sets_done": 1,
            "skipped": False,
            "it_hurts": False,
            "after": AFTER,
        },
    ),
    "practice:queued_recheck": Body(
        "browser",
        lambda w: f"/session/{w.session.pk}/log/{uuid.uuid4()}/recheck/",
        lambda w: {"settled": True},
    ),
    "practice:queued_finish": Body("browser", lambda w: f"/session/{w.session.pk}/finish/", lambda w: {}),
    # the API (operation: METHOD and the path of the OpenAPI document)
    "POST /api/v1/triage": Body("public", lambda w: "/api/v1/triage", _intake, numbers=frozenset({"weeks"})),
    "POST /api/v1/me/sessions": Body(
        "dana", lambda w: "/api/v1/me/sessions", lambda w: {"id": str(uuid.uuid4()), "before": BEFORE}
    ),
    "POST /api/v1/me/sessions/{session_id}/logs": Body(
        "dana",
        lambda w: f"/api/v1/me/sessions/{w.session.pk}/logs",
        lambda w: {
            "id": str(uuid.uuid4()),
            "position": 1,
            "sets_done": 1,
            "skipped": False,
            "it_hurts": False,
            "after": AFTER,
        },
    ),
    "POST /api/v1/me/sessions/{session_id}/logs/{log_id}/recheck": Body(
        "dana",
        lambda w: f"/api/v1/me/sessions/{w.session.pk}/logs/{uuid.uuid4()}/recheck",
        lambda w: {"settled": True},
    ),
    # the session player's finish, from Dana's browser (its session and the CSRF header)
    "POST /api/v1/me/sessions/{session_id}/finish": Body(
        "browser", lambda w: f"/api/v1/me/sessions/{w.session.pk}/finish", lambda w: {}
    ),
    "POST /api/v1/me/check-ins": Body(
        "dana",
        lambda w: "/api/v1/me/check-ins",
        lambda w: {"id": str(uuid.uuid4()), "back": 2, "leg": 1, "zone": 2, "stiffness": "none"},
    ),
    "POST /api/v1/clinic/patients": Body(
        "cleo",
        lambda w: "/api/v1/clinic/patients",
        lambda w: {
            "name": "Erin Bell",
            "birth_date": "1961-04-02",
            "clinic_ref": "RP-7",
        },  # contact: optional
        text=frozenset({"name", "clinic_ref"}),
    ),
    "PUT /api/v1/clinic/patients/{patient_id}/programme": Body(
        "cleo",
        lambda w: f"/api/v1/clinic/patients/{w.dana}/programme",
        lambda w: {
            "exercises": [{"exercise_id": "prone-press-up", "sets": 1, "reps": 10, "hold_s": 10}],
            "why": "One exercise to start.",
        },
        text=frozenset({"why"}),
        method="PUT",
        if_match=True,
    ),
    "POST /api/v1/clinic/alerts/{alert_id}/acknowledge": Body(
        "cleo",
        lambda w: f"/api/v1/clinic/alerts/{w.alert.pk}/acknowledge",
        lambda w: {"note": "Called her."},
        text=frozenset({"note"}),
    ),
}


def _has_body(op: dict[str, Any]) -> bool:
    return "requestBody" in op


def test_every_json_endpoint_with_a_body_has_a_row() -> None:
    practice = {n for n, r in ROUTES.items() if r.post == "json"}
    api = {f"{m.upper()} {p}" for p, m, op in api_operations() if _has_body(op)}
    assert sorted((practice | api) - set(BODIES)) == [], "add a Body to BODIES for each new endpoint"
    assert sorted(set(BODIES) - practice - api) == []


# --------------------------------------------------------------------------- callers


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    settings.API_TRIAGE_RATE = "100000/min"
    caches["shared"].clear()


def caller(w: World, who: str) -> tuple[Client, dict[str, str]]:
    if who == "browser":
        client = w.client("dana", enforce_csrf=True)
        client.get("/session/")
        return client, {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    if who == "dana":
        return _warm(bearer(token_for(account_for(w.cast.dana, "dana@example.org"), "read", "write")))
    if who == "cleo":
        return _warm(bearer(token_for(w.cast.cleo, "clinic:read", "clinic:write", clinician=True)))
    return Client(), {}


def _warm(headers: dict[str, str]) -> tuple[Client, dict[str, str]]:
    """A first call notes the token's use (at most once a minute) and gives an account its person: done
    before the snapshots, so they show only what the hostile requests did."""
    client = Client()
    client.get("/api/v1/me/plan", **headers)
    client.get("/api/v1/clinic/alerts", **headers)
    return client, headers


# --------------------------------------------------------------------------- the cases


def leaves(doc: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    else:
        yield path, doc


def replaced(doc: Any, path: str, value: Any) -> Any:
    head, _, rest = path.partition(".")
    out = dict(doc)
    if rest:
        out[head] = replaced(doc[head], rest, value)
    elif value is _MISSING:
        del out[head]
    else:
        out[head] = value
    return out


_MISSING = object()


def dumps_twice(doc: Any, path: str, second: Any) -> str:
    """JSON text with the key at ``path`` given twice: its valid value, then ``second``."""
    head, _, rest = path.partition(".")
    parts = []
    for key, value in doc.items():
        if key == head and rest:
            parts.append(f"{json.dumps(key)}: {dumps_twice(value, rest, second)}")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value)}")
            if key == head:
                parts.append(f"{json.dumps(key)}: {json.dumps(second)}")
    return "{" + ", ".join(parts) + "}"


def wrong_values(value: Any) -> dict[str, Any]:
    """What is wrong for a leaf with this valid value: the wrong type, out of range, malicious."""
    out: dict[str, Any] = {}
    if isinstance(value, bool):
        out |= {"wrong-type": 1, "string": "true", "null": None}
    elif isinstance(value, int):
        out |= {"wrong-type": str(value), "float": value + 0.5, "below": -1, "above": 100_000, "huge": 10**30}
    elif isinstance(value, str):
        out |= {"wrong-type": 3, "list": [value], "object": {"value": value}}
    for label, text in MALICIOUS.items():
        out[label] = text
    return out


@dataclass(frozen=True)
class Case:
    id: str
    field: str
    body: str  # the JSON text sent


def cases(body: Body, w: World) -> list[Case]:
    valid = body.valid(w)
    out = [Case("unknown-key", "extra", json.dumps({**valid, "extra": SCRIPT}))]
    for path, value in leaves(valid):
        optional = path in ("after",)  # none of the valid bodies' leaves is optional but these
        if not optional:
            out.append(Case(f"{path}:missing", path, json.dumps(replaced(valid, path, _MISSING))))
        for label, bad in wrong_values(value).items():
            if label == "float" and path in body.numbers:
                continue  # a number that may have a fraction (weeks: 0.5)
            if path.split(".")[-1] in body.text and label in (
                "script",
                "sql",
                "path",
                "rtl",
                "superscript",
                "fullwidth",
                "zero-width",
                "emoji",
            ):
                continue  # free text may say these (stored as written, shown escaped)
            out.append(Case(f"{path}:{label}", path, json.dumps(replaced(valid, path, bad))))
        leaf = path.split(".")[-1]
        second = MALICIOUS["nul"] if leaf in body.text else "not this"
        out.append(Case(f"{path}:twice", path, dumps_twice(valid, path, second)))
    return out


def names(error: dict[str, Any], field: str) -> bool:
    wanted = {field, field.split(".")[-1]}
    return any(
        f["field"] in wanted or f["field"].endswith("." + field.split(".")[-1]) for f in error["fields"]
    )


def send(client: Client, body: Body, path: str, text: str, kind: str, headers: dict[str, str]) -> Any:
    """The body sent with the endpoint's method; with the programme's current ETag where it needs one."""
    if body.if_match:
        headers = {**headers, "HTTP_IF_MATCH": client.get(path, **headers)["ETag"]}
    return client.generic(body.method, path, text, content_type=kind, **headers)


def check(name: str, client: Client, headers: dict[str, str], path: str, case: Case) -> str | None:
    before = snapshot()
    with transaction.atomic():
        response = send(client, BODIES[name], path, case.body, "application/json", headers)
        after = snapshot()
        transaction.set_rollback(True)
    problems = []
    if response.status_code != 400:
        problems.append(f"status {response.status_code}")
    elif not response["Content-Type"].startswith("application/json"):
        problems.append("not JSON")
    else:
        error = response.json()["error"]
        if error["code"] != "invalid" or not error["message"]:
            problems.append(f"code {error['code']}")
        if case.field and name != "POST /api/v1/triage" and not names(error, case.field):
            problems.append(f"fields {error['fields']}")
        if name == "POST /api/v1/triage" and not error["fields"] and "body" not in error["message"].lower():
            problems.append("no field named")
        if SCRIPT in response.content.decode():
            problems.append("the script is echoed")
    if changed(before, after):
        problems.append(f"changed {changed(before, after)}")
    return f"{name} {case.id}: {', '.join(problems)}" if problems else None


@pytest.mark.parametrize("name", sorted(BODIES))
def test_hostile_values_are_refused_with_the_envelope_naming_the_field_and_change_nothing(name: str) -> None:
    body = BODIES[name]
    w = world()
    client, headers = caller(w, body.caller)
    path = body.path(w)
    failures = [f for case in cases(body, w) if (f := check(name, client, headers, path, case))]
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("name", sorted(BODIES))
def test_broken_bodies_get_the_envelope_and_change_nothing(name: str) -> None:
    body = BODIES[name]
    w = world()
    client, headers = caller(w, body.caller)
    path = body.path(w)
    valid = json.dumps(body.valid(w))
    before = snapshot()
    sent = {
        "not JSON": (valid + "}", "application/json", {400}),
        "a number": ("3", "application/json", {400}),
        "a form": ("a=1", "application/x-www-form-urlencoded", {400, 415}),
        "1 MB": (json.dumps({**body.valid(w), "padding": "x" * 1_048_576}), "application/json", {413}),
    }
    for what, (text, kind, statuses) in sent.items():
        response = send(client, body, path, text, kind, headers)
        assert response.status_code in statuses, (what, response.status_code)
        error = response.json()["error"]
        assert error["message"] and set(error) == {"code", "message", "fields"}, what
    assert changed(before, snapshot()) == []


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("POST /api/v1/me/sessions", "practice.ExerciseSession"),
        ("POST /api/v1/me/check-ins", "progress.CheckIn"),
    ],
)
def test_the_same_client_uuid_twice_stores_one_row(name: str, model: str) -> None:
    from django.apps import apps

    body = BODIES[name]
    w = world()
    w.session.delete()  # no session in progress: a new one may start
    client, headers = caller(w, body.caller)
    text = json.dumps(body.valid(w))
    count = apps.get_model(model).objects.count()
    first = client.post(body.path(w), text, content_type="application/json", **headers)
    second = client.post(body.path(w), text, content_type="application/json", **headers)
    assert first.status_code == 201 and second.status_code in (200, 201)
    assert first.json() == second.json()
    assert apps.get_model(model).objects.count() == count + 1


HOSTILE_IDS = ["../../etc/passwd", "' OR 1=1 --", "%3Cscript%3E", "%00", "9" * 40, "-1", "0", "\u00b2"]


def test_hostile_ids_and_queries_of_every_api_operation_get_a_4xx_envelope_and_change_nothing() -> None:
    w = world()
    client, dana = caller(w, "dana")
    _, cleo = caller(w, "cleo")
    before = snapshot()
    failures = []
    for path, method, op in api_operations():
        headers = cleo if "/clinic/" in path else dana
        params = op.get("parameters", [])
        for hostile in HOSTILE_IDS:
            url = path
            for param in params:
                if param["in"] == "path":
                    url = url.replace("{" + param["name"] + "}", hostile)
            query = "&".join(f"{p['name']}={hostile}" for p in params if p["in"] == "query")
            if url == path and not query:
                continue
            full = url + ("?" + query if query else "")
            if method == "get":
                response = client.get(full, **headers)
            else:
                response = client.post(
                    full,
                    json.dumps(
                        BODIES.get(f"POST {path}", Body("", str, dict)).valid(w)
                        if f"POST {path}" in BODIES
                        else {}
                    ),
                    content_type="application/json",
                    **headers,
                )
            if response.status_code >= 500 or (
                response.status_code >= 400 and "error" not in response.json()
            ):
                failures.append(f"{method} {full}: {response.status_code}")
            if SCRIPT in response.content.decode():
                failures.append(f"{method} {full}: echoed")
    assert failures == [], "\n".join(failures)
    assert changed(before, snapshot()) == []
