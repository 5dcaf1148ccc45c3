"""The FHIR downloads in a browser: Dana, a guest with a plan, downloads her record from her data page;
Cleo downloads Dana's from the clinic's patient page. On a phone and on a laptop; the pages stay
accessible and load only our own files. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.e2e import web_fixtures
from tests.e2e.a11y import assert_accessible
from tests.e2e.web_fixtures import Visit, sign_in_as_guest
from tests.integration.fhir_checks import of_type, validated
from tests.integration.people import person_with_plan

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLEO = "cleo@riverside.example"
PASSWORD = "correct horse battery"


def downloaded(page: Any, link: str, tmp_path: Path) -> dict[str, Any]:
    with page.expect_download() as download:
        page.get_by_role("link", name=link).click()
    assert download.value.suggested_filename.endswith(".fhir.json")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return validated(json.loads(saved.read_text("utf-8")))


def test_dana_downloads_her_record_as_fhir_from_her_data_page(visit: Visit, tmp_path: Path) -> None:
    dana, _ = person_with_plan()
    sign_in_as_guest(visit, dana)
    visit.go("/account/")
    assert visit.foreign_requests() == [] and visit.console_errors == []
    assert_accessible(visit)
    visit.shot("account-fhir")
    bundle = downloaded(visit.page, "Download as FHIR (for health records)", tmp_path)
    assert of_type(bundle, "Patient")[0]["identifier"][0]["value"] == str(dana.pk)


def test_cleo_downloads_danas_record_from_the_patient_page(visit: Visit, tmp_path: Path) -> None:
    from backhome.web.clinic.models import Clinic, Enrolment, Membership, Role

    riverside = Clinic.objects.create(name="Riverside Physio", phone="+44 20 7946 0001")
    cleo = get_user_model().objects.create_user(username=CLEO, email=CLEO, password=PASSWORD)
    Membership.objects.create(clinic=riverside, user=cleo, role=Role.CLINICIAN)
    dana, _ = person_with_plan()
    Enrolment.objects.create(person=dana, clinic=riverside, label="Dana R.")
    page = visit.page
    visit.go(f"/account/login/?next=/clinic/patients/{dana.pk}/")
    page.fill("#id_email", CLEO)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/clinic/patients/{dana.pk}/")
    assert visit.foreign_requests() == [] and visit.console_errors == []
    assert_accessible(visit)
    visit.shot("clinic-patient-fhir")
    bundle = downloaded(page, "Download record (FHIR)", tmp_path)
    assert of_type(bundle, "Organization")[0]["name"] == "Riverside Physio"
