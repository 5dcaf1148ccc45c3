"""A clinic's writes of a patient's programme through the API, with HTTP conditional requests: ``GET``
answers the programme with its ``ETag`` (the editor's version), ``PUT`` changes it only with a matching
``If-Match`` (428 without one, 412 when the programme changed since), and ``POST /clinic/patients``
creates a patient with a join code. Thin: the clinic editor's services write (docs/api.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Status
from pydantic import BaseModel, Field

from backhome.web.api import auth, schemas, selectors
from backhome.web.api.errors import ErrorOut
from backhome.web.clinic.editor import patients
from backhome.web.clinic.editor import services as editor
from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.permissions import audit, patient_of_clinic
from backhome.web.clinic.services import display_code
from backhome.web.errors import Invalid

router = Router(tags=["clinic"])


def fails(*statuses: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys((*statuses, 500, 503), ErrorOut)


def etag(version: str) -> str:
    return f'"{version}"'


def if_match(request: HttpRequest) -> str | None:
    """The version the caller changes, from ``If-Match`` (a weak tag is taken as its value; ``*`` is not
    a version: a programme always exists once a patient does)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    if header.startswith("W/"):
        header = header[2:]
    return header.strip().strip('"')


class DoseIn(BaseModel):
    model_config = schemas.StrictInput

    exercise_id: str = Field(max_length=64)
    sets: int = Field(ge=0, le=9999)
    reps: int = Field(ge=0, le=9999)
    hold_s: int = Field(ge=0, le=9999)


class ProgrammeIn(BaseModel):
    """The exercises the patient is to do now, with their doses (each inside its exercise's safe range);
    any exercise of the programme not given is stopped. ``why`` is shown to the patient with the change."""

    model_config = schemas.StrictInput
    exercises: list[DoseIn] = Field(max_length=40)
    why: str = Field(max_length=2000)


class PatientIn(BaseModel):
    model_config = schemas.StrictInput

    name: str = Field(max_length=200)
    birth_date: dt.date
    clinic_ref: str = Field(max_length=64, description="The clinic's own identifier of the patient")
    contact: str = Field(default="", max_length=200)


class PatientCreatedOut(BaseModel):
    id: int
    join_code: str
    join_url: str
    expires_at: dt.datetime


@router.get(
    "/clinic/patients/{patient_id}/programme",
    response={200: schemas.ProgrammeOut, **fails(401, 403, 404)},
    summary="A patient's programme",
    auth=auth.needs("clinic:read"),
    openapi_extra={"x-scope": "clinic:read"},
)
def programme(request: HttpRequest, response: HttpResponse, patient_id: int) -> dict[str, Any]:
    """The patient's programme at current doses and what the core held back, with its version as the
    `ETag` header (send it back in `If-Match` to change it). Scope `clinic:read`; audited."""
    membership = auth.clinician(request)
    person = patient_of_clinic(membership, patient_id)
    version = editor.programme_version(person)
    audit(membership=membership, person=person, action="view", what="API: programme")
    response["ETag"] = etag(version)
    return selectors.programme_json(person)


@router.put(
    "/clinic/patients/{patient_id}/programme",
    response={200: schemas.ProgrammeOut, **fails(400, 401, 403, 404, 412, 413, 415, 428)},
    summary="Change a patient's programme",
    auth=auth.needs("clinic:write"),
    openapi_extra={
        "x-scope": "clinic:write",
        "parameters": [
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "The ETag of the programme as last read (428 without it, 412 when stale).",
            }
        ],
    },
)
def programme_put(
    request: HttpRequest, response: HttpResponse, patient_id: int, body: ProgrammeIn
) -> dict[str, Any]:
    """Make the programme's exercises and doses what the body says, with one reason, only if the
    programme is still the version of `If-Match`: nothing is written otherwise (412, and the message says
    what changed). Each dose inside its exercise's safe range; a held-back exercise cannot be added.
    Answers the programme as it is now with its new `ETag`. Scope `clinic:write`; audited."""
    membership = auth.clinician(request)
    person = patient_of_clinic(membership, patient_id)
    try:
        editor.programme_replace(
            membership=membership,
            person=person,
            version=if_match(request),
            exercises=[(e.exercise_id, e.sets, e.reps, e.hold_s) for e in body.exercises],
            why=body.why,
        )
    except ClinicError as problem:
        raise Invalid(
            "Some values are missing or wrong.", fields=[(problem.field, problem.message)]
        ) from None
    response["ETag"] = etag(editor.programme_version(person))
    return selectors.programme_json(person)


def create_patient(request: HttpRequest, body: PatientIn) -> Status[PatientCreatedOut]:
    """Create a patient of the caller's clinic (name, date of birth, the clinic's own identifier, an
    optional contact) and the invitation they join with: 201 with the patient's id and the join code
    and link. 400 when a value is wrong or the identifier is taken at the clinic. Scope `clinic:write`;
    audited."""
    membership = auth.clinician(request)
    try:
        person, invitation = patients.patient_create(
            membership=membership,
            name=body.name,
            birth_date=body.birth_date,
            clinic_ref=body.clinic_ref,
            contact=body.contact,
        )
    except ClinicError as problem:
        raise Invalid(
            "Some values are missing or wrong.", fields=[(problem.field, problem.message)]
        ) from None
    return Status(
        201,
        PatientCreatedOut(
            id=person.pk,
            join_code=display_code(invitation.code),
            join_url=request.build_absolute_uri(reverse("clinic:join_token", args=[invitation.token])),
            expires_at=invitation.expires_at,
        ),
    )


def register_patient_create(clinic: Router) -> None:
    """``POST /clinic/patients`` on the router that answers ``GET`` at the same path (one path, one
    router, or the second router's method would never be reached)."""
    clinic.post(
        "/clinic/patients",
        response={201: PatientCreatedOut, **fails(400, 401, 403, 413, 415)},
        summary="Create a patient of my clinic",
        auth=auth.needs("clinic:write"),
        openapi_extra={"x-scope": "clinic:write"},
    )(create_patient)
