"""B26 overrides from the editor: Yusuf (Hilltop) overrides the block on Walt's press-up (stenosis, EL-06
with DPT-21) after assessing him, with a private clinical note and a reason for Walt: the press-up is
prescribed at its starting dose, audited, in the clinic's CSV and FHIR export; Walt reads only his
reason. No override gives exercises to a result that prescribes none."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from backhome.core.library.load import default_library
from backhome.web.clinic.editor import services
from backhome.web.clinic.editor.changes import changes_unseen
from backhome.web.clinic.models import AuditEvent, Membership, ProgrammeChange
from backhome.web.fhir.bundle import person_bundle
from backhome.web.patient.models import Screening
from backhome.web.progress.selectors import current_programme
from tests.integration.clinic_people import Cast, cast
from tests.integration.fhir_checks import validated

pytestmark = pytest.mark.django_db

NOTE = "Assessed in clinic: extension in lying eases his leg symptoms; no neurological deficit."
WHY = "After our assessment, lying face down and pressing up gently is safe for you."


@pytest.fixture
def people() -> Cast:
    return cast()


def url(people: Cast, action: str = "") -> str:
    return f"/clinic/patients/{people.walt.pk}/programme/" + (f"{action}/" if action else "")


def walts_exercises(people: Cast) -> dict[str, Any]:
    programme = current_programme(people.walt)
    assert programme is not None
    return {i.exercise_id: i for i in programme.items}


def override(people: Cast, **data: str) -> Any:
    return people.client("yusuf").post(
        url(people, "override"), {"exercise": "prone-press-up", "note": NOTE, "why": WHY, **data}
    )


def test_the_editor_offers_an_override_of_walts_held_back_press_up(people: Cast) -> None:
    page = people.client("yusuf").get(url(people)).content.decode()
    assert 'id="override"' in page and 'value="prone-press-up"' in page
    assert "EL-06" in page and "Clinical reason" in page


def test_yusuf_overrides_el_06_for_walt_and_the_press_up_is_prescribed_audited_and_exported(
    people: Cast,
) -> None:
    assert "prone-press-up" not in walts_exercises(people)
    response = override(people)
    assert response.status_code == 302, response.content.decode()[:2000]

    press_up = walts_exercises(people)["prone-press-up"]
    assert press_up.dose == default_library()["prone-press-up"].envelope.start_dose(None)
    assert list(press_up.rules) == ["EL-06"]  # the rule whose override gave it back last
    change = ProgrammeChange.objects.get(person=people.walt, kind="override")
    assert change.note == NOTE and change.why == WHY and change.changed_by == people.yusuf
    assert change.before["rules"] == ["DPT-21", "EL-06"] and change.after["prescribed"] is True
    assert AuditEvent.objects.filter(
        person=people.walt,
        user=people.yusuf,
        action="change",
        what="override: DPT-21, EL-06 on prone-press-up",
    ).exists()

    page = people.client("yusuf").get(url(people)).content.decode()
    assert NOTE in page and "Clinical note (only the clinic sees it)" in page

    told = changes_unseen(people.walt)
    assert [c.why for c in told] == [WHY] and NOTE not in told[0].text

    rows = list(csv.reader(io.StringIO(people.client("yusuf").get("/clinic/export.csv").content.decode())))
    column = rows[0].index("Clinician overrides (B26)")
    walt_row = next(r for r in rows[1:] if r[0] == "Walt")
    assert "prone-press-up (DPT-21, EL-06)" in walt_row[column] and NOTE in walt_row[column]

    bundle = validated(person_bundle(people.walt, for_clinic=True))
    resources = [e["resource"] for e in bundle["entry"]]
    issues = [r for r in resources if r["resourceType"] == "DetectedIssue"]
    assert len(issues) == 1
    assert NOTE in issues[0]["mitigation"][0]["action"]["text"] and "EL-06" in issues[0]["code"]["text"]
    plan = next(r for r in resources if r["resourceType"] == "CarePlan")
    assert {"reference": f"urn:uuid:{issues[0]['id']}"} in plan["supportingInfo"]
    assert any(a["detail"]["code"]["coding"][0]["code"] == "prone-press-up" for a in plan["activity"])
    own = json.dumps(person_bundle(people.walt))
    assert NOTE not in own and WHY in own


def test_an_override_needs_a_clinical_note_and_a_reason_for_the_patient(people: Cast) -> None:
    assert override(people, note="  ").status_code == 400
    assert override(people, why="").status_code == 400
    assert not ProgrammeChange.objects.filter(person=people.walt).exists()
    assert "prone-press-up" not in walts_exercises(people)


def test_the_override_is_kept_when_the_programme_is_decided_again_for_a_monitoring_change(
    people: Cast,
) -> None:
    override(people)
    membership = Membership.objects.get(user=people.yusuf)
    services.care_monitoring_set(
        membership=membership, person=people.walt, monitoring="monitored", why="You know your pain well."
    )
    assert "prone-press-up" in walts_exercises(people)


def test_an_exercise_not_held_back_cannot_be_overridden(people: Cast) -> None:
    response = override(people, exercise="cat-camel")
    assert response.status_code == 400
    assert "Choose an exercise that is held back now." in response.content.decode()


def test_no_override_gives_exercises_to_a_result_that_prescribes_none(people: Cast) -> None:
    latest = Screening.objects.filter(person=people.walt).latest("decided_at")
    latest.tier = "urgent"
    latest.save(update_fields=["tier"])
    response = override(people)
    assert response.status_code == 400
    assert "only a new screen can" in response.content.decode()
    assert not ProgrammeChange.objects.filter(person=people.walt).exists()


def test_walts_override_is_kept_when_he_answers_the_questions_again(people: Cast) -> None:
    from backhome.web.patient import services as patient_services
    from tests.integration.people import WALT_WEB
    from tests.integration.screening_helpers import flat

    override(people)
    Screening.objects.create(person=people.walt, answers=flat(WALT_WEB))  # a new screening, same answers
    screening, _ = patient_services.screening_submit(person=people.walt)
    assert "prone-press-up" in {i.exercise_id for i in screening.items.all()}
    assert "prone-press-up" in walts_exercises(people)
