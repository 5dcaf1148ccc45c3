"""What one clinic may read of another's work, the audit of every look at a patient, and the alerts of a
patient who left (issue 17 items 1, 2, 10 and 11's clinic pages).

Dana was Riverside's patient: Cleo changed her monitoring and lifted her lock, each with a note. Then Dana
moved to Hilltop. Yusuf (Hilltop) sees what changed in Dana's programme, in the words Dana read, but not
who at Riverside did it nor the notes they wrote; Cleo's own clinic still would.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from backhome.web.clinic import services as clinic_services
from backhome.web.clinic.editor import services as editor_services
from backhome.web.clinic.models import AuditEvent, Membership
from backhome.web.patient.models import Person
from tests.integration.clinic_builders import alert_for
from tests.integration.clinic_people import Cast, cast

pytestmark = pytest.mark.django_db

WHY_MONITORED = "She keeps a pain diary with me every week, so monitored mode is fine."
WHY_UNLOCKED = "Saw her in clinic today: no numbness, walking well, the lock can go."


def membership(people: Cast, persona: str) -> Membership:
    return Membership.objects.select_related("clinic", "user").get(user=getattr(people, persona))


def moves_to_hilltop(people: Cast, person: Person) -> None:
    invitation = clinic_services.invitation_create(membership=membership(people, "yusuf"), label="Dana H.")
    clinic_services.enrolment_join(person=person, token=invitation.token)


def cleo_wrote_notes_then_dana_moved(people: Cast) -> None:
    cleo = membership(people, "cleo")
    editor_services.care_monitoring_set(
        membership=cleo, person=people.dana, monitoring="monitored", why=WHY_MONITORED
    )
    Person.objects.filter(pk=people.dana.pk).update(emergency_locked_at=timezone.now())
    people.dana.refresh_from_db()
    editor_services.person_lock_lift(membership=cleo, person=people.dana, why=WHY_UNLOCKED)
    moves_to_hilltop(people, people.dana)


# --------------------------------------------------------------------------- item 1


@pytest.mark.parametrize("page", ["", "programme/"])
def test_a_clinic_does_not_read_another_clinics_notes_or_clinicians_after_the_patient_moves(
    page: str,
) -> None:
    people = cast()
    cleo_wrote_notes_then_dana_moved(people)
    response = people.client("yusuf").get(f"/clinic/patients/{people.dana.pk}/{page}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "cleo@riverside.example" not in text
    assert WHY_MONITORED not in text
    assert WHY_UNLOCKED not in text
    assert "A clinician at another clinic" in text  # what changed is still there, without who or why


def test_a_clinic_still_reads_its_own_clinicians_notes() -> None:
    people = cast()
    cleo = membership(people, "cleo")
    editor_services.care_monitoring_set(
        membership=cleo, person=people.dana, monitoring="monitored", why=WHY_MONITORED
    )
    for page in ("", "programme/"):
        text = people.client("ada").get(f"/clinic/patients/{people.dana.pk}/{page}").content.decode()
        assert "cleo@riverside.example" in text and WHY_MONITORED in text


# --------------------------------------------------------------------------- item 2


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("monitoring", {"monitoring": "bogus", "why": "x"}),
        ("dose", {"exercise": "prone-press-up", "sets": "9", "reps": "10", "hold_s": "10", "why": "x"}),
        ("add", {"exercise": "no-such-exercise", "why": "x"}),
        ("unlock", {"why": "not locked"}),
    ],
)
def test_a_refused_editor_form_that_shows_the_page_again_is_audited(
    action: str, data: dict[str, str]
) -> None:
    people = cast()
    response = people.client("cleo").post(f"/clinic/patients/{people.dana.pk}/programme/{action}/", data)
    assert response.status_code == 400
    assert "Programme of Dana" in response.content.decode()  # the patient's data, shown again
    event = AuditEvent.objects.get(person=people.dana)
    assert (event.user, event.action) == (people.cleo, "view")
    assert "programme" in event.what and "400" in event.what


def test_a_page_that_shows_a_patient_writes_one_audit_row_not_two() -> None:
    people = cast()
    people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/programme/")
    views = AuditEvent.objects.filter(action="view")  # logging in is audited too
    assert list(views.values_list("what", flat=True)) == ["programme editor"]


# --------------------------------------------------------------------------- item 10


def test_a_clinic_no_longer_sees_the_alerts_of_a_patient_who_left() -> None:
    people = cast()
    alert_for(people.dana, people.riverside, "before-she-left")
    cleo = people.client("cleo")
    assert "A session was stopped." in cleo.get("/clinic/alerts/").content.decode()
    assert len(cleo.get("/api/v1/clinic/alerts").json()["alerts"]) == 1
    moves_to_hilltop(people, people.dana)
    assert "A session was stopped." not in cleo.get("/clinic/alerts/").content.decode()
    assert cleo.get("/api/v1/clinic/alerts").json()["alerts"] == []
    assert cleo.get("/api/v1/clinic/alerts?state=acknowledged").json()["alerts"] == []
    # nor can it acknowledge one: it names nobody of the clinic's
    alert_id = people.dana.alerts.get().pk
    response = cleo.post(f"/clinic/alerts/{alert_id}/acknowledge/", {"note": "called her"})
    assert response.status_code == 404


# --------------------------------------------------------------------------- item 11 (the two 500s)


@pytest.mark.parametrize("until", ["0001-01-01", "0001-01-28", "1899-12-31", "9999-12-31"])
def test_a_patient_page_until_a_date_out_of_reach_is_not_a_500(until: str) -> None:
    people = cast()
    response = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/?until={until}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.content.decode().startswith("until:")


@pytest.mark.parametrize("saved", ["²", "３", "9" * 40, "-1"])
def test_the_editor_ignores_a_saved_change_that_is_not_an_id(saved: str) -> None:
    people = cast()
    response = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/programme/", {"saved": saved})
    assert response.status_code == 200
