"""The FHIR export through the API: my record, and a patient's for their clinician (audited as an
export). The Bundle itself is ``backhome.web.fhir.bundle.person_bundle`` (issue 6 item 2)."""

from __future__ import annotations

import pytest
from django.test import Client

from backhome.web.clinic.models import AuditEvent
from tests.integration.api_helpers import account_for, assert_envelope, bearer, token_for
from tests.integration.clinic_people import cast

pytestmark = pytest.mark.django_db


def test_dana_downloads_her_record_as_a_fhir_bundle_with_a_token() -> None:
    people = cast()
    token = token_for(account_for(people.dana, "dana@example.org"), "read")
    response = Client().get("/api/v1/me/fhir", **bearer(token))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = response.json()
    assert bundle["resourceType"] == "Bundle"
    assert "Patient" in {entry["resource"]["resourceType"] for entry in bundle["entry"]}


def test_cleo_exports_dana_s_bundle_and_the_export_is_audited_yusuf_gets_404() -> None:
    people = cast()
    cleo = bearer(token_for(people.cleo, "clinic:read", clinician=True))
    response = Client().get(f"/api/v1/clinic/patients/{people.dana.pk}/fhir", **cleo)
    assert response.status_code == 200 and response.json()["resourceType"] == "Bundle"
    assert (
        AuditEvent.objects.filter(person=people.dana, action="export", what="API: FHIR bundle").count() == 1
    )
    yusuf = bearer(token_for(people.yusuf, "clinic:read", clinician=True))
    assert_envelope(Client().get(f"/api/v1/clinic/patients/{people.dana.pk}/fhir", **yusuf), 404)


def test_a_token_without_read_cannot_download_the_record() -> None:
    people = cast()
    token = token_for(account_for(people.dana, "dana@example.org"), "write")
    assert_envelope(Client().get("/api/v1/me/fhir", **bearer(token)), 403, "forbidden")
