"""The JSON API under ``/api/v1/`` (django-ninja). Thin: every endpoint finds its caller, calls one
selector or service of the app that owns the data, and answers with what was stored. No endpoint
decides a clinical rule; the core decides and the services store its answer (docs/api.md)."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.connection import ConnectionProxy
from ninja import NinjaAPI, Query, Router, Schema, Status
from ninja.throttling import SimpleRateThrottle

from backhome.core import schemas as contract_schemas
from backhome.core.contract import IntakeError, decision_to_json, parse_intake_json
from backhome.core.engine import decide
from backhome.core.library.load import default_library
from backhome.core.model import Context
from backhome.web.api import auth, clinic_programme, errors, me_sessions, schemas, selectors
from backhome.web.api.errors import ErrorOut
from backhome.web.clinic import alerts as clinic_alerts
from backhome.web.clinic.errors import ClinicError, NotAtClinic
from backhome.web.clinic.permissions import audit, patient_of_clinic
from backhome.web.clinic.selectors import patient_list as clinic_list
from backhome.web.clinic.selectors.patient_rows import patient_rows
from backhome.web.config import throttle
from backhome.web.errors import Invalid, NotFound
from backhome.web.fhir.bundle import person_bundle
from backhome.web.patient.services import LockError
from backhome.web.progress import selectors as progress_selectors
from backhome.web.progress import services as progress_services

DESCRIPTION = """The JSON API of backhome: the exercise library, triage (`backhome.intake/1` in,
`backhome.decision/1` out), a person's plan, sessions, check-ins and history, and a clinic's patients,
programmes and alerts. Authenticate with the browser session (writes need the CSRF token in
`X-CSRFToken`) or a personal access token (`Authorization: Bearer <token>`, made at /account/tokens/).
Every error is `{"error": {"code", "message", "fields"}}`. See docs/api.md."""

api = NinjaAPI(
    title="backhome API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # ninja's docs page loads Swagger UI from a CDN: off. The OpenAPI document is the reference.
    docs_url=None,
)
errors.install_handlers(api)


def fails(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The errors an endpoint documents (and 500 and 503, which any endpoint may answer: a fault of
    ours, a database that is read-only, full or out of reach)."""
    return dict.fromkeys((*statuses, 500, 503), ErrorOut)


def replayed(response: HttpResponse, created: bool) -> None:
    """A retried write (same client id, same values) answers as the first time, and says so."""
    if not created:
        response["Idempotent-Replayed"] = "true"


# --------------------------------------------------------------------------- library (public)

library = Router(tags=["library"])


@library.get("/library", response={200: schemas.LibraryOut, **fails()}, summary="The exercise library")
def library_list(request: HttpRequest) -> dict[str, Any]:
    """Every exercise: its steps, what you may feel, when to stop, its dose range and sources."""
    return selectors.library_json()


@library.get(
    "/library/{exercise_id}", response={200: schemas.ExerciseOut, **fails(404)}, summary="One exercise"
)
def library_one(request: HttpRequest, exercise_id: str) -> dict[str, Any]:
    exercise = default_library().get(exercise_id)
    if exercise is None:
        raise NotFound("There is no exercise with this id.")
    return selectors.exercise_json(exercise)


# --------------------------------------------------------------------------- triage (public, rate limited)


class PerAddress(SimpleRateThrottle):
    """``BACKHOME_API_TRIAGE_RATE`` requests per client address (the socket's, or behind a proxy of
    ``BACKHOME_TRUSTED_PROXIES`` the address it forwarded for: ``throttle.client_address``), counted in
    the cache all worker processes share."""

    scope = "triage"
    # The proxy finds the thread's own cache connection on each use, as django.core.cache.cache does.
    cache = cast(BaseCache, ConnectionProxy(caches, "shared"))

    def __init__(self) -> None:
        super().__init__(rate=settings.API_TRIAGE_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        if self.rate != settings.API_TRIAGE_RATE:  # changed in the settings (the tests do)
            self.rate = settings.API_TRIAGE_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return bool(super().allow_request(request))

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": throttle.client_address(request)}


#: The intake's published JSON Schema (generated from the core's model, backhome/core/schemas/), without
#: the keywords that name the schema document itself.
INTAKE_SCHEMA = {k: v for k, v in contract_schemas.load("intake").items() if k not in {"$schema", "$id"}}

triage_router = Router(tags=["triage"])


@triage_router.post(
    "/triage",
    response={200: schemas.DecisionOut, **fails(400, 413, 415, 429)},
    throttle=[PerAddress()],
    by_alias=True,
    summary="Decide on an intake",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": INTAKE_SCHEMA}}}
    },
)
def triage(request: HttpRequest) -> JsonResponse:
    """A `backhome.intake/1` document in, its `backhome.decision/1` out: the same engine and the same
    decision as `backhome triage` and the web screening. Public; stores nothing; rate limited per
    client address. An invalid intake is refused with one entry in `fields` per wrong answer."""
    try:
        intake = parse_intake_json(request.body)
    except IntakeError as error:
        raise Invalid(
            "This is not a valid backhome.intake/1 document; nothing was decided.",
            fields=[("body" if p.field == "(document)" else p.field, p.message) for p in error.problems],
        ) from None
    return JsonResponse(decision_to_json(decide(intake, Context())))


# --------------------------------------------------------------------------- me

me = Router(tags=["me"])


@me.get(
    "/me/plan",
    response={200: schemas.PlanOut, **fails(401, 403, 409)},
    summary="My plan",
    auth=auth.needs("read"),
    openapi_extra={"x-scope": "read"},
)
def my_plan(request: HttpRequest) -> dict[str, Any]:
    """The caller's programme at current doses (suspended exercises marked). Scope `read`."""
    person = auth.me(request)
    if person.locked:
        raise LockError(
            "Your answers showed a warning sign: exercises are stopped until a doctor or physical therapist has seen you."
        )
    programme = progress_selectors.current_programme(person)
    if programme is None:
        raise progress_services.NoProgramme("You have no programme yet: answer the questions first.")
    return selectors.plan_json(programme)


@me.post(
    "/me/check-ins",
    response={201: schemas.CheckInOut, **fails(400, 401, 403, 404, 409, 413, 415)},
    summary="This morning's check-in",
    auth=auth.needs("write"),
    openapi_extra={"x-scope": "write"},
)
def checkin(request: HttpRequest, response: HttpResponse, body: schemas.CheckInIn) -> Status[Any]:
    """This morning's pain and stiffness; the answer holds the core's dose for every exercise from today.
    One check-in a day (`already_checked_in`); the same id again returns the stored one. Scope `write`."""
    record, created = progress_services.checkin_record(
        person=auth.me(request),
        date=timezone.localdate(),
        back=body.back,
        leg=body.leg,
        zone=body.zone,
        stiffness=body.stiffness,
        id=body.id,
    )
    replayed(response, created)
    return Status(201, selectors.checkin_json(record))


@me.get(
    "/me/history",
    response={200: schemas.HistoryOut, **fails(401, 403)},
    summary="My history",
    auth=auth.needs("read"),
    openapi_extra={"x-scope": "read"},
)
def history(request: HttpRequest) -> dict[str, Any]:
    """Pain scores, what changed (OM-01), sessions, doses and stops, as the history page shows them.
    Scope `read`."""
    return selectors.history_json(auth.me(request), today=timezone.localdate())


def _fhir(person: Any, *, for_clinic: bool = False) -> JsonResponse:
    return JsonResponse(person_bundle(person, for_clinic=for_clinic), content_type="application/fhir+json")


def fhir_response() -> dict[str, Any]:
    """The Bundle's documented answer (a new dict each time: ninja merges it into the document)."""
    return {
        "200": {
            "description": "A FHIR R4 Bundle (Patient, CarePlan, Observations, ...)",
            "content": {"application/fhir+json": {"schema": {"type": "object"}}},
        }
    }


@me.get(
    "/me/fhir",
    response=fails(401, 403),
    summary="My record as a FHIR Bundle",
    auth=auth.needs("read"),
    openapi_extra={"responses": fhir_response(), "x-scope": "read"},
)
def my_fhir(request: HttpRequest) -> JsonResponse:
    """Everything backhome keeps about the caller as a FHIR R4 Bundle. Scope `read`."""
    return _fhir(auth.me(request))


# --------------------------------------------------------------------------- clinic

clinic = Router(tags=["clinic"])


class PatientQuery(Schema):
    sort: str = "alerts"
    order: str | None = None
    has_alerts: bool = False
    low_adherence: bool = False
    no_improvement: bool = False
    find: str = ""
    page: int = 1


@clinic.get(
    "/clinic/patients",
    response={200: schemas.PatientListOut, **fails(400, 401, 403)},
    summary="My clinic's patients",
    auth=auth.needs("clinic:read"),
    openapi_extra={"x-scope": "clinic:read"},
)
def patients(request: HttpRequest, query: Query[PatientQuery]) -> dict[str, Any]:
    """The clinic's patients with adherence, back pain and open alerts, sorted and filtered as on the
    patient list page (50 a page). Scope `clinic:read`; audited."""
    membership = auth.clinician(request)
    try:
        asked = clinic_list.list_query(request.GET)
    except ClinicError as error:
        raise Invalid("Some values are missing or wrong.", fields=[(error.field, error.message)]) from None
    listing = clinic_list.patient_list(membership.clinic_id, asked, today=timezone.localdate())
    audit(
        membership=membership,
        person=None,
        action="view",
        what=f"API: patient list, page {listing.page.number}",
    )
    return {
        "patients": [selectors.patient_json(row) for row in listing.page.object_list],
        "page": listing.page.number,
        "pages": listing.page.paginator.num_pages,
        "count": listing.shown,
        "total": listing.total,
    }


@clinic.get(
    "/clinic/patients/{patient_id}",
    response={200: schemas.PatientOut, **fails(401, 403, 404)},
    summary="One patient of my clinic",
    auth=auth.needs("clinic:read"),
    openapi_extra={"x-scope": "clinic:read"},
)
def patient(request: HttpRequest, patient_id: int) -> dict[str, Any]:
    """A patient's row: adherence, back pain against the screening, open alerts. 404 for anyone who is
    not a patient of the caller's clinic. Scope `clinic:read`; audited."""
    membership = auth.clinician(request)
    person = patient_of_clinic(membership, patient_id)
    rows = patient_rows(membership.clinic_id, today=timezone.localdate(), person_id=person.pk)
    audit(membership=membership, person=person, action="view", what="API: patient")
    return selectors.patient_json(rows[0])


@clinic.get(
    "/clinic/patients/{patient_id}/fhir",
    response=fails(401, 403, 404),
    summary="A patient's record as a FHIR Bundle",
    auth=auth.needs("clinic:read"),
    openapi_extra={"responses": fhir_response(), "x-scope": "clinic:read"},
)
def patient_fhir(request: HttpRequest, patient_id: int) -> JsonResponse:
    """The patient's record as a FHIR R4 Bundle. Scope `clinic:read`; audited as an export."""
    membership = auth.clinician(request)
    person = patient_of_clinic(membership, patient_id)
    response = _fhir(person, for_clinic=True)
    audit(membership=membership, person=person, action="export", what="API: FHIR bundle")
    return response


class AlertQuery(Schema):
    state: str = "open"
    patient: int | None = None


@clinic.get(
    "/clinic/alerts",
    response={200: schemas.AlertsOut, **fails(400, 401, 403, 404)},
    summary="My clinic's alerts",
    auth=auth.needs("clinic:read"),
    openapi_extra={"x-scope": "clinic:read"},
)
def alerts(request: HttpRequest, query: Query[AlertQuery]) -> dict[str, Any]:
    """Open alerts, newest first (`state=acknowledged`: the latest acknowledged ones), of the whole
    clinic or of one patient. Scope `clinic:read`; audited."""
    membership = auth.clinician(request)
    if query.state not in ("open", "acknowledged"):
        raise Invalid("Some values are missing or wrong.", fields=[("state", "Give open or acknowledged.")])
    person = patient_of_clinic(membership, query.patient) if query.patient is not None else None
    lines = clinic_alerts.alerts_inbox(
        membership.clinic_id,
        acknowledged=query.state == "acknowledged",
        person_id=person.pk if person is not None else None,
    )
    what = "API: alerts" + (", acknowledged" if query.state == "acknowledged" else "")
    audit(membership=membership, person=person, action="view", what=what)
    return {"alerts": [selectors.alert_json(line) for line in lines]}


@clinic.post(
    "/clinic/alerts/{alert_id}/acknowledge",
    response={200: schemas.AlertOut, **fails(400, 401, 403, 404, 413, 415)},
    summary="Acknowledge an alert",
    auth=auth.needs("clinic:write"),
    openapi_extra={"x-scope": "clinic:write"},
)
def acknowledge(request: HttpRequest, alert_id: int, body: schemas.AcknowledgeIn) -> dict[str, Any]:
    """Acknowledge an alert of the caller's clinic with a note (who and when are stored and audited).
    Acknowledging again returns it unchanged. Scope `clinic:write`."""
    membership = auth.clinician(request)
    try:
        alert = clinic_alerts.alert_acknowledge(membership=membership, alert_id=alert_id, note=body.note)
    except NotAtClinic:
        raise NotFound("There is no such alert.") from None
    except ClinicError as problem:
        raise Invalid(
            "Some values are missing or wrong.", fields=[(problem.field, problem.message)]
        ) from None
    return selectors.alert_json(selectors.alert_line(alert))


api.add_router("", library)
api.add_router("", triage_router)
api.add_router("", me)
api.add_router("", me_sessions.router)
clinic_programme.register_patient_create(clinic)
api.add_router("", clinic)
api.add_router("", clinic_programme.router)
