"""Who may open the programme editor, alerts and screen request pages: every URL pattern of
``clinic/urls_actions.py`` × the seven personas (anonymous, Dana, Walt, Cleo, Yusuf, Ada, Sam).

Outcomes: "login" (a redirect to the login page), "ok" (200), "redirect" (a 302 elsewhere: a form that did
its work), 403, 404. Clinician pages send anonymous visitors and patients (guests) to the login page, give
Sam (site admin, no clinic) 403, and Yusuf (Hilltop) 404 for anything of Riverside's. The patient's pages
are open to anyone and act only on the browser's own person.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.utils import timezone

from backhome.web.clinic.alerts import alerts_scan
from backhome.web.clinic.models import Alert, CareSettings, Enrolment, ProgrammeChange, ScreenRequest
from backhome.web.clinic.urls_actions import ACTION_NAMES
from backhome.web.patient import questions
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import Person
from tests.integration.clinic_people import PERSONAS, Cast, cast
from tests.integration.history_builders import log_in, session_on
from tests.integration.people import DANA_WEB, person_with_plan
from tests.integration.permission_matrix import Row, clinician_page, everyone, outcome
from tests.integration.screening_helpers import flat

pytestmark = pytest.mark.django_db


@dataclass
class World:
    cast: Cast
    fern: Person  # Riverside, a known vertebral fracture (EL-04 applies)
    lou: Person  # Riverside, locked after an emergency answer
    alert: Alert
    request: ScreenRequest

    @property
    def dana(self) -> int:
        return self.cast.dana.pk


def world() -> World:
    people = cast()
    fern, _ = person_with_plan({**DANA_WEB, "history": {**DANA_WEB["history"], "vertebral_fracture": True}})
    Enrolment.objects.create(person=fern, clinic=people.riverside, label="Fern")
    lou = Person.objects.create()
    first = questions.step_ids()[0]
    patient_services.screening_save_answers(
        person=lou, step_id=first, answers={**flat(DANA_WEB), "symptoms.saddle_numbness": True}
    )
    Enrolment.objects.create(person=lou, clinic=people.riverside, label="Lou")
    session = session_on(people.dana, timezone.localdate(), status="stopped")
    log_in(session, 1, "prone-press-up", light="red", rules=["PM-12"])
    alert = alerts_scan(person=people.dana, now=timezone.now())[0]
    request = ScreenRequest.objects.create(
        id=uuid.uuid4(), clinic=people.riverside, person=people.dana, name="Dana Reyes", phone="07700 900123"
    )
    return World(people, fern, lou, alert, request)


WHY = {"why": "Checked in clinic today."}

MATRIX: dict[str, Row] = {
    "patient_new": Row(
        "GET",
        lambda w: "/clinic/patients/new/",
        clinician_page(cleo="ok", yusuf="ok", ada="ok"),
    ),
    "patient_screen": Row(
        "GET",
        lambda w: f"/clinic/patients/{w.dana}/screen/",
        clinician_page(cleo="ok", yusuf=404, ada="ok"),
    ),
    "programme": Row(
        "GET",
        lambda w: f"/clinic/patients/{w.dana}/programme/",
        clinician_page(cleo="ok", yusuf=404, ada="ok"),
    ),
    "programme_dose": Row(
        "POST",
        lambda w: f"/clinic/patients/{w.dana}/programme/dose/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"exercise": "prone-press-up", "sets": "1", "reps": "10", "hold_s": "20", **WHY},
    ),
    "programme_add": Row(
        "POST",
        lambda w: f"/clinic/patients/{w.dana}/programme/add/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"exercise": "prone-on-elbows", **WHY},
    ),
    "programme_remove": Row(
        "POST",
        lambda w: f"/clinic/patients/{w.dana}/programme/remove/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"exercise": "cat-camel", **WHY},
    ),
    "programme_monitoring": Row(
        "POST",
        lambda w: f"/clinic/patients/{w.dana}/programme/monitoring/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"monitoring": "monitored", **WHY},
    ),
    "programme_clearance": Row(
        "POST",
        lambda w: f"/clinic/patients/{w.fern.pk}/programme/clearance/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"rule": "EL-04", "cleared": "yes", **WHY},
    ),
    "programme_override": Row(
        "POST",
        lambda w: f"/clinic/patients/{w.dana}/programme/override/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"exercise": "single-knee-to-chest", "note": "Assessed: flexion eases it.", **WHY},
    ),
    "programme_unlock": Row(
        "POST",
        lambda w: f"/clinic/patients/{w.lou.pk}/programme/unlock/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: WHY,
    ),
    "alerts": Row("GET", lambda w: "/clinic/alerts/", clinician_page(cleo="ok", yusuf="ok", ada="ok")),
    "alert_acknowledge": Row(
        "POST",
        lambda w: f"/clinic/alerts/{w.alert.pk}/acknowledge/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"note": "Phoned: settled."},
    ),
    "requests": Row("GET", lambda w: "/clinic/requests/", clinician_page(cleo="ok", yusuf="ok", ada="ok")),
    "request_status": Row(
        "POST",
        lambda w: f"/clinic/requests/{w.request.pk}/status/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"status": "booked"},
    ),
    # The patient's pages: open to anyone, about the browser's own person only.
    "request_screen": Row("GET", lambda w: "/clinic/request-screen/", everyone("ok")),
    "request_screen_sent": Row("GET", lambda w: "/clinic/request-screen/sent/", everyone("redirect")),
    "my_changes": Row("GET", lambda w: "/clinic/changes/", everyone("ok")),
}


def test_every_action_url_pattern_has_a_row_in_the_matrix() -> None:
    assert sorted(set(ACTION_NAMES) - set(MATRIX)) == []
    assert sorted(set(MATRIX) - set(ACTION_NAMES)) == []


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_what_the_matrix_says(name: str, persona: str) -> None:
    w = world()
    row = MATRIX[name]
    client = w.cast.client(persona)
    path = row.path(w)
    data = row.data(w) if row.data else {}
    response = client.get(path) if row.method == "GET" else client.post(path, data)
    assert outcome(response) == row.expect[persona], (name, persona, response.status_code)


def test_a_refused_persona_changes_nothing() -> None:
    w = world()
    for persona in ("anonymous", "dana", "walt", "yusuf", "sam"):
        client = w.cast.client(persona)
        for name, row in MATRIX.items():
            if row.method == "POST" and name.startswith(("programme", "alert", "request_status")):
                client.post(row.path(w), row.data(w) if row.data else {})
    w.alert.refresh_from_db()
    w.request.refresh_from_db()
    w.lou.refresh_from_db()
    assert w.alert.acknowledged_at is None and w.request.status == "new" and w.lou.locked
    assert not ProgrammeChange.objects.exists() and not CareSettings.objects.exists()
