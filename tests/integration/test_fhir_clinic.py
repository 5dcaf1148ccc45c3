"""The clinic's FHIR export, for an EHR to match: the Patient with the clinic's name for them and the
clinic's own record number under the clinic's identifier system, the ODI totals and the STarT Back total
as Observations with their LOINC codes; every Bundle validated with fhir.resources (R4B) and every
reference resolved inside it (``fhir_checks.validated``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from backhome.web.clinic.models import Clinic, Enrolment, OutcomeScore
from backhome.web.fhir.bundle import person_bundle
from backhome.web.patient.models import Screening
from tests.integration.clinic_people import Cast, cast
from tests.integration.fhir_checks import validated

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> Cast:
    return cast()


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def download(people: Cast) -> dict[str, Any]:
    response = people.client("cleo").get(reverse("fhir:clinic_patient", args=[people.dana.pk]))
    assert response.status_code == 200, response.status_code
    return validated(json.loads(response.content))


def test_the_clinics_export_names_dana_and_carries_its_record_number_under_its_system(people: Cast) -> None:
    Clinic.objects.filter(pk=people.riverside.pk).update(
        identifier_system="https://records.riverside.example/mrn"
    )
    Enrolment.objects.filter(person=people.dana).update(record_number="RP-00042")
    (patient,) = resources(download(people), "Patient")
    assert patient["name"] == [{"use": "usual", "text": "Dana"}]
    official = [i for i in patient["identifier"] if i.get("use") == "official"]
    assert official[0]["system"] == "https://records.riverside.example/mrn"
    assert official[0]["value"] == "RP-00042"
    # Dana's own download carries the clinic's number but not the clinic's name for her.
    own = validated(person_bundle(people.dana))
    assert "name" not in resources(own, "Patient")[0]


def test_odi_totals_and_the_startback_total_are_loinc_coded_observations(people: Cast) -> None:
    screening = Screening.objects.get(person=people.dana)
    decision = dict(screening.decision or {})
    decision["risk"] = {"tool": "startback", "total": 6, "psychosocial": 4, "category": "high"}
    Screening.objects.filter(pk=screening.pk).update(decision=decision)
    OutcomeScore.objects.create(
        person=people.dana,
        clinic=people.riverside,
        instrument="odi",
        value=38,
        measured_on=timezone.localdate(),
        entered_by_id=people.cleo.pk,
    )
    observations = resources(download(people), "Observation")
    by_code = {o["code"]["coding"][0]["code"]: o for o in observations}
    assert by_code["97908-8"]["valueInteger"] == 38
    assert by_code["97908-8"]["code"]["coding"][0]["system"] == "http://loinc.org"
    assert by_code["91351-7"]["valueInteger"] == 6


def test_the_ids_follow_the_public_address_not_the_requests_port(people: Cast, settings: Any) -> None:
    settings.PUBLIC_URL = "https://backhome.riverside.example"
    (patient,) = resources(download(people), "Patient")
    assert patient["identifier"][0]["system"] == "https://backhome.riverside.example/person"
