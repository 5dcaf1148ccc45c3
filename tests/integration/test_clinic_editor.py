"""The programme editor: Cleo (Riverside) adjusts Dana's programme within safe bounds, gives clearances,
switches monitoring and lifts a lock; every refusal changes nothing; Yusuf (Hilltop) gets 404."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from backhome.core.contract import parse_intake
from backhome.core.engine import decide
from backhome.core.library.load import default_library
from backhome.core.model import Context, Monitoring, PainCheck
from backhome.web.clinic.editor import services
from backhome.web.clinic.editor.changes import PatientChange, changes_unseen
from backhome.web.clinic.editor.page import editor_page
from backhome.web.clinic.models import AuditEvent, CareSettings, Enrolment, ProgrammeChange
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import EmergencyLockClearance, Person, PlanItem, Screening
from backhome.web.practice.services import session_start
from backhome.web.progress.models import DoseChange
from backhome.web.progress.selectors import current_programme
from tests.integration.clinic_people import Cast, cast
from tests.integration.people import DANA_WEB, client_for, person_with_plan
from tests.integration.screening_helpers import flat

pytestmark = pytest.mark.django_db

CAT = default_library()["cat-camel"].name
WHY = "Holds of 10 seconds are easy for you now; 20 seconds gives the stretch time to work."


@pytest.fixture
def people() -> Cast:
    return cast()


def logged_in(people: Cast, persona: str = "cleo") -> Client:
    return people.client(persona)


def url(person: Person, action: str = "") -> str:
    return f"/clinic/patients/{person.pk}/programme/" + (f"{action}/" if action else "")


def item(person: Person, exercise_id: str) -> Any:
    programme = current_programme(person)
    assert programme is not None
    return next(i for i in programme.items if exercise_id in (i.exercise_id, i.plan_exercise_id))


def enrolled(people: Cast, doc: dict[str, Any]) -> Person:
    """A new Riverside patient whose screening ``doc`` has been decided."""
    person, _ = person_with_plan(doc)
    Enrolment.objects.create(person=person, clinic=people.riverside, label="Dana B.")
    return person


def dana_with(**history: Any) -> dict[str, Any]:
    return {**DANA_WEB, "history": {**DANA_WEB["history"], **history}}


def nothing_written(person: Person) -> None:
    assert not ProgrammeChange.objects.filter(person=person).exists()
    assert not DoseChange.objects.filter(person=person).exists()
    assert not AuditEvent.objects.filter(person=person, action="change").exists()


# --------------------------------------------------------------------------- the page


def test_cleo_sees_danas_programme_with_doses_ranges_and_what_is_held_back(people: Cast) -> None:
    response = logged_in(people).get(url(people.dana))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Programme of Dana" in page
    assert "Prone press-up" in page and "10 times, hold each 10 seconds" in page
    assert 'min="10" max="30"' in page  # the press-up's hold range from its envelope
    assert "Held back by the result" in page and "Single knee to chest" in page and "DPT-20" in page
    assert 'id="give-' not in page  # Dana's blocks are not a clinician's to lift
    assert AuditEvent.objects.filter(person=people.dana, action="view", what="programme editor").exists()


def test_the_editor_offers_only_exercises_the_decision_does_not_block(people: Cast) -> None:
    page = editor_page(people_membership(people), people.dana)
    addable = {a.exercise_id for a in page.addable}
    assert addable == {"prone-lying", "prone-on-elbows"}
    held = {name for group in page.blocked for name in group.names}
    assert "Single knee to chest" in held and "Prone press-up" not in held


def people_membership(people: Cast, persona: str = "cleo") -> Any:
    from backhome.web.clinic.models import Membership

    return Membership.objects.select_related("clinic", "user").get(user=getattr(people, persona))


# --------------------------------------------------------------------------- dose


def test_cleo_sets_danas_press_up_hold_to_20_seconds_with_a_why(people: Cast) -> None:
    response = logged_in(people).post(
        url(people.dana, "dose"),
        {"exercise": "prone-press-up", "sets": "1", "reps": "10", "hold_s": "20", "why": WHY},
    )
    assert response.status_code == 302
    assert response.url.startswith(url(people.dana) + "?saved=")
    press_up = item(people.dana, "prone-press-up")
    assert (press_up.dose.sets, press_up.dose.reps, press_up.dose.hold_s) == (1, 10, 20)
    change = DoseChange.objects.get(person=people.dana)
    assert change.action == "hold" and change.rules == ["clinician"]
    assert change.reasons == [{"rule": "clinician", "text": WHY}]
    recorded = ProgrammeChange.objects.get(person=people.dana)
    assert recorded.kind == "dose" and recorded.changed_by == people.cleo and recorded.why == WHY
    assert recorded.before["hold_s"] == 10 and recorded.after["hold_s"] == 20
    assert AuditEvent.objects.filter(person=people.dana, action="change", user=people.cleo).count() == 1
    page = logged_in(people).get(response.url).content.decode()
    assert "Saved." in page and "hold each 20 seconds" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hold_s", "45", "Hold: choose from 10 to 30 seconds for Prone press-up."),
        ("hold_s", "5", "Hold: choose from 10 to 30 seconds for Prone press-up."),
        ("reps", "12", "Repetitions: choose from 5 to 10 for Prone press-up."),
        ("sets", "4", "Sets: choose from 1 to 3 for Prone press-up."),
        ("sets", "two", "Sets: give a whole number."),
        ("hold_s", "-5", "Hold: choose from 10 to 30 seconds for Prone press-up."),
        ("reps", "10000", "Repetitions: choose from 5 to 10 for Prone press-up."),
        ("sets", "", "Sets: give a whole number."),
    ],
)
def test_a_dose_outside_the_envelope_is_refused_naming_the_allowed_range(
    people: Cast, field: str, value: str, message: str
) -> None:
    data = {"exercise": "prone-press-up", "sets": "1", "reps": "10", "hold_s": "20", "why": WHY, field: value}
    response = logged_in(people).post(url(people.dana, "dose"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Nothing was changed" in page
    assert f'href="#dose-prone-press-up-{field}"' in page
    assert item(people.dana, "prone-press-up").dose.hold_s == 10
    nothing_written(people.dana)


def test_the_same_dose_again_is_not_a_change(people: Cast) -> None:
    data = {"exercise": "prone-press-up", "sets": "1", "reps": "10", "hold_s": "10", "why": WHY}
    response = logged_in(people).post(url(people.dana, "dose"), data)
    assert response.status_code == 400
    nothing_written(people.dana)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("dose", {"exercise": "prone-press-up", "sets": "1", "reps": "10", "hold_s": "20"}),
        ("remove", {"exercise": "cat-camel"}),
        ("add", {"exercise": "prone-on-elbows"}),
        ("monitoring", {"monitoring": "monitored"}),
    ],
)
def test_a_change_without_a_why_is_refused_and_changes_nothing(
    people: Cast, action: str, data: dict[str, str]
) -> None:
    for why in ("", "   "):
        response = logged_in(people).post(url(people.dana, action), {**data, "why": why})
        assert response.status_code == 400
        assert "Say why you are making this change" in response.content.decode()
    nothing_written(people.dana)
    assert not CareSettings.objects.filter(person=people.dana, monitoring="monitored").exists()
    assert not PlanItem.objects.filter(screening__person=people.dana, exercise_id="prone-on-elbows").exists()


def test_a_dose_for_an_exercise_not_in_the_programme_is_refused(people: Cast) -> None:
    data = {"exercise": "childs-pose", "sets": "1", "reps": "2", "hold_s": "20", "why": WHY}
    response = logged_in(people).post(url(people.dana, "dose"), data)
    assert response.status_code == 400
    assert "This exercise is not in the patient" in response.content.decode()
    nothing_written(people.dana)


# --------------------------------------------------------------------------- add and remove


def test_cleo_removes_cat_camel_and_puts_it_back(people: Cast) -> None:
    client = logged_in(people)
    response = client.post(
        url(people.dana, "remove"), {"exercise": "cat-camel", "why": "It flares your back."}
    )
    assert response.status_code == 302
    assert item(people.dana, "cat-camel").suspended
    programme = current_programme(people.dana)
    assert programme is not None and "cat-camel" not in {i.exercise_id for i in programme.active}
    stopped = DoseChange.objects.get(person=people.dana)
    assert stopped.action == "suspend" and stopped.rules == ["clinician"]

    page = client.get(url(people.dana)).content.decode()
    assert "Stopped for now" in page and f"Put {CAT} back" in page

    response = client.post(
        url(people.dana, "add"),
        {"exercise": "cat-camel", "why": "Your back has settled.", "form": "put-back"},
    )
    assert response.status_code == 302
    back = item(people.dana, "cat-camel")
    assert not back.suspended and back.dose == stopped_dose(stopped)
    kinds = list(
        ProgrammeChange.objects.filter(person=people.dana)
        .order_by("created_at")
        .values_list("kind", flat=True)
    )
    assert kinds == ["remove", "add"]


def stopped_dose(change: DoseChange) -> Any:
    from backhome.core.model import Dose

    return Dose(change.sets, change.reps, change.hold_s, change.per_side, change.mode or None)  # type: ignore[arg-type]


def test_removing_an_exercise_twice_is_refused(people: Cast) -> None:
    client = logged_in(people)
    client.post(url(people.dana, "remove"), {"exercise": "cat-camel", "why": "It flares your back."})
    response = client.post(url(people.dana, "remove"), {"exercise": "cat-camel", "why": "Again."})
    assert response.status_code == 400
    assert ProgrammeChange.objects.filter(person=people.dana).count() == 1


def test_cleo_adds_prone_on_elbows_at_its_starting_dose_and_dana_sees_it(people: Cast) -> None:
    response = logged_in(people).post(
        url(people.dana, "add"), {"exercise": "prone-on-elbows", "why": "A gentler start each morning."}
    )
    assert response.status_code == 302
    added = item(people.dana, "prone-on-elbows")
    assert added.rules == ("clinician",) and added.change is None
    assert added.dose == default_library()["prone-on-elbows"].envelope.start_dose()
    plan = client_for(people.dana).get("/plan/").content.decode()
    assert default_library()["prone-on-elbows"].name in plan


def test_the_glide_added_by_a_clinician_starts_as_a_slider(people: Cast) -> None:
    person = enrolled(people, {**DANA_WEB, "distal_zone": 1, "pain": {"back": 5, "leg": 0}})
    programme = current_programme(person)
    assert programme is not None and "sciatic-nerve-glide" not in {i.exercise_id for i in programme.items}
    response = logged_in(people).post(
        url(person, "add"), {"exercise": "sciatic-nerve-glide", "why": "Leg ache at night."}
    )
    assert response.status_code == 302
    assert item(person, "sciatic-nerve-glide").dose.mode == "slider"


def test_the_glide_dose_reads_the_same_in_the_editor_and_in_the_patients_change_card(people: Cast) -> None:
    person = enrolled(people, {**DANA_WEB, "distal_zone": 1, "pain": {"back": 5, "leg": 0}})
    logged_in(people).post(
        url(person, "add"), {"exercise": "sciatic-nerve-glide", "why": "Leg ache at night."}
    )
    glide = item(person, "sciatic-nerve-glide").dose
    assert glide.hold_s == 0  # the glide moves and never holds
    words = f"{glide.reps} times on each side – slider (gentlest)"
    assert words in logged_in(people).get(url(person)).content.decode()
    assert [c.text for c in changes_unseen(person)] == [f"Added Sciatic nerve glide: {words}"]


def test_a_blocked_exercise_cannot_be_added_and_the_block_is_named(people: Cast) -> None:
    response = logged_in(people).post(
        url(people.dana, "add"), {"exercise": "single-knee-to-chest", "why": "Tight lower back muscles."}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Single knee to chest is held back (DPT-20)" in page
    assert not PlanItem.objects.filter(
        screening__person=people.dana, exercise_id="single-knee-to-chest"
    ).exists()
    nothing_written(people.dana)


def test_an_exercise_already_in_the_programme_or_unknown_cannot_be_added(people: Cast) -> None:
    client = logged_in(people)
    assert client.post(url(people.dana, "add"), {"exercise": "prone-press-up", "why": "x"}).status_code == 400
    assert client.post(url(people.dana, "add"), {"exercise": "handstand", "why": "x"}).status_code == 400
    nothing_written(people.dana)


# --------------------------------------------------------------------------- another clinic


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("", None),
        ("dose", {"exercise": "prone-press-up", "sets": "1", "reps": "10", "hold_s": "20", "why": WHY}),
        ("add", {"exercise": "prone-on-elbows", "why": WHY}),
        ("remove", {"exercise": "cat-camel", "why": WHY}),
        ("monitoring", {"monitoring": "monitored", "why": WHY}),
        ("clearance", {"rule": "EL-04", "cleared": "yes", "why": WHY}),
        ("unlock", {"why": WHY}),
    ],
)
def test_yusuf_of_another_clinic_gets_404_and_changes_nothing(
    people: Cast, action: str, data: dict[str, str] | None
) -> None:
    client = logged_in(people, "yusuf")
    response = client.get(url(people.dana)) if data is None else client.post(url(people.dana, action), data)
    assert response.status_code == 404
    nothing_written(people.dana)
    assert not CareSettings.objects.filter(person=people.dana).exists()


# --------------------------------------------------------------------------- clearances


def test_a_clearance_unlocks_what_the_core_says(people: Cast) -> None:
    fracture = dana_with(vertebral_fracture=True)
    person = enrolled(people, fracture)
    assert current_programme(person) is not None
    assert "prone-press-up" not in {i.exercise_id for i in current_programme(person).items}  # type: ignore[union-attr]
    page = logged_in(people).get(url(person)).content.decode()
    assert 'id="give-EL-04"' in page

    response = logged_in(people).post(
        url(person, "clearance"),
        {"rule": "EL-04", "cleared": "yes", "why": "The fracture healed: the scan of March shows it."},
    )
    assert response.status_code == 302
    screenings = Screening.objects.filter(person=person, decided_at__isnull=False).order_by(
        "decided_at", "pk"
    )
    assert screenings.count() == 2
    latest = screenings.last()
    assert latest is not None and latest.answers == screenings.first().answers  # type: ignore[union-attr]
    expected = decide(parse_intake(fracture_intake(fracture)), Context(clearances=frozenset({"EL-04"})))
    programme = current_programme(person)
    assert programme is not None and programme.screening == latest
    assert [i.exercise_id for i in programme.items] == [p.exercise_id for p in expected.exercises]
    assert "prone-press-up" in {i.exercise_id for i in programme.items}
    assert CareSettings.objects.get(person=person).clearances == ["EL-04"]
    change = ProgrammeChange.objects.get(person=person)
    assert change.kind == "clearance" and change.before == [] and change.after == ["EL-04"]
    page = logged_in(people).get(url(person)).content.decode()
    assert "Withdraw clearance EL-04" in page


def fracture_intake(doc: dict[str, Any]) -> dict[str, Any]:
    from backhome.web.patient import questions

    return questions.intake_document(flat(doc))


def test_withdrawing_a_clearance_holds_the_exercises_back_again(people: Cast) -> None:
    person = enrolled(people, dana_with(vertebral_fracture=True))
    client = logged_in(people)
    client.post(url(person, "clearance"), {"rule": "EL-04", "cleared": "yes", "why": "Healed."})
    response = client.post(
        url(person, "clearance"), {"rule": "EL-04", "cleared": "no", "why": "A new scan shows a crack."}
    )
    assert response.status_code == 302
    programme = current_programme(person)
    assert programme is not None and "prone-press-up" not in {i.exercise_id for i in programme.items}
    assert CareSettings.objects.get(person=person).clearances == []


def test_a_clearance_for_a_block_that_does_not_apply_is_refused(people: Cast) -> None:
    response = logged_in(people).post(
        url(people.dana, "clearance"), {"rule": "EL-04", "cleared": "yes", "why": "x"}
    )
    assert response.status_code == 400
    assert "EL-04 does not apply" in response.content.decode()
    assert Screening.objects.filter(person=people.dana).count() == 1
    nothing_written(people.dana)


def test_only_the_clearances_reserved_to_a_clinician_can_be_given(people: Cast) -> None:
    response = logged_in(people).post(
        url(people.dana, "clearance"), {"rule": "EL-06", "cleared": "yes", "why": "x"}
    )
    assert response.status_code == 400
    assert "Choose one of the clearances" in response.content.decode()


def test_pregnancy_waits_for_a_clearance_then_the_core_gives_the_programme(people: Cast) -> None:
    person = enrolled(people, {**DANA_WEB, "pregnant": True})
    assert current_programme(person) is None
    client = logged_in(people)
    page = client.get(url(person)).content.decode()
    assert "No programme now" in page and 'id="give-EL-02"' in page
    response = client.post(url(person, "add"), {"exercise": "prone-lying", "why": "x"})
    assert response.status_code == 400 and "gives no exercises now" in response.content.decode()

    client.post(url(person, "clearance"), {"rule": "EL-02", "cleared": "yes", "why": "Your midwife agrees."})
    programme = current_programme(person)
    assert programme is not None and programme.active


def test_a_new_screening_keeps_the_clinicians_clearances_and_monitoring(people: Cast) -> None:
    person = enrolled(people, dana_with(vertebral_fracture=True))
    client = logged_in(people)
    client.post(url(person, "clearance"), {"rule": "EL-04", "cleared": "yes", "why": "Healed."})
    client.post(url(person, "monitoring"), {"monitoring": "monitored", "why": "You know your pain well."})
    patient_services.screening_save_answers(
        person=person, step_id=first_step(), answers=flat(dana_with(vertebral_fracture=True))
    )
    _, decision = patient_services.screening_submit(person=person)
    assert decision.monitoring is Monitoring.MONITORED
    assert "prone-press-up" in {p.exercise_id for p in decision.exercises}


def first_step() -> str:
    from backhome.web.patient import questions

    return questions.step_ids()[0]


# --------------------------------------------------------------------------- monitoring


def test_switching_to_monitored_changes_the_mode_the_sessions_use(people: Cast) -> None:
    response = logged_in(people).post(
        url(people.dana, "monitoring"),
        {"monitoring": "monitored", "why": "Small flare-ups settle quickly for you."},
    )
    assert response.status_code == 302
    latest = Screening.objects.filter(person=people.dana).order_by("-decided_at", "-pk").first()
    assert latest is not None and latest.decision["monitoring"] == "monitored"
    session, _ = session_start(person=people.dana, id=uuid.uuid4(), before=PainCheck(3, 2, 2, False))
    assert session.monitoring == "monitored"
    change = ProgrammeChange.objects.get(person=people.dana)
    assert (change.kind, change.before, change.after) == ("monitoring", "strict", "monitored")


def test_switching_to_the_mode_in_force_or_an_unknown_mode_is_refused(people: Cast) -> None:
    client = logged_in(people)
    assert (
        client.post(url(people.dana, "monitoring"), {"monitoring": "strict", "why": "x"}).status_code == 400
    )
    assert (
        client.post(url(people.dana, "monitoring"), {"monitoring": "relaxed", "why": "x"}).status_code == 400
    )
    nothing_written(people.dana)


# --------------------------------------------------------------------------- lock


def locked_patient(people: Cast) -> Person:
    person = Person.objects.create()
    patient_services.screening_save_answers(
        person=person, step_id=first_step(), answers={**flat(DANA_WEB), "symptoms.saddle_numbness": True}
    )
    person.refresh_from_db()
    assert person.locked
    Enrolment.objects.create(person=person, clinic=people.riverside, label="Locked L.")
    return person


def test_cleo_lifts_an_emergency_lock_after_checking(people: Cast) -> None:
    person = locked_patient(people)
    client = logged_in(people)
    page = client.get(url(person)).content.decode()
    assert "Lift the lock" in page
    response = client.post(url(person, "unlock"), {"why": "Seen in clinic today: no nerve compression."})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.locked
    clearance = EmergencyLockClearance.objects.get(person=person)
    assert (
        clearance.cleared_by == people.cleo
        and clearance.note == "Seen in clinic today: no nerve compression."
    )
    assert ProgrammeChange.objects.get(person=person).kind == "unlock"


def test_a_lock_is_not_lifted_without_a_why_or_when_there_is_none(people: Cast) -> None:
    person = locked_patient(people)
    client = logged_in(people)
    assert client.post(url(person, "unlock"), {"why": ""}).status_code == 400
    person.refresh_from_db()
    assert person.locked
    assert client.post(url(people.dana, "unlock"), {"why": "x"}).status_code == 400
    nothing_written(people.dana)


# --------------------------------------------------------------------------- the patient sees it


def test_dana_sees_what_cleo_changed_once(people: Cast) -> None:
    logged_in(people).post(
        url(people.dana, "dose"),
        {"exercise": "prone-press-up", "sets": "1", "reps": "10", "hold_s": "20", "why": WHY},
    )
    unseen = changes_unseen(people.dana)
    assert [c.text for c in unseen] == [
        "Prone press-up: now 10 times, hold each 20 seconds (before: 10 times, hold each 10 seconds)"
    ]
    assert unseen[0].why == WHY
    dana = client_for(people.dana)
    page = dana.get("/clinic/changes/").content.decode()
    assert "Your physical therapist changed your programme" in page and WHY in page
    assert changes_unseen(people.dana) == []
    again = dana.get("/clinic/changes/").content.decode()
    assert "Your physical therapist changed your programme" not in again
    assert "Earlier changes" in again and WHY in again


def test_walt_does_not_see_danas_changes(people: Cast) -> None:
    logged_in(people).post(url(people.dana, "remove"), {"exercise": "cat-camel", "why": "Private reason."})
    page = client_for(people.walt).get("/clinic/changes/").content.decode()
    assert "Private reason." not in page
    assert len(changes_unseen(people.dana)) == 1


def test_the_include_shows_each_change_with_its_reason() -> None:
    import datetime as dt

    changes = [PatientChange("Stopped Cat-camel for now", "It flares your back.", dt.datetime(2026, 3, 2))]
    html = render_to_string("clinic/_changes_for_patient.html", {"clinician_changes": changes})
    assert "Your physical therapist changed your programme" in html
    assert "Stopped Cat-camel for now." in html and "Why: It flares your back." in html
    assert render_to_string("clinic/_changes_for_patient.html", {"clinician_changes": []}).strip() == ""


def test_changes_mark_seen_counts_what_it_marked(people: Cast) -> None:
    logged_in(people).post(url(people.dana, "remove"), {"exercise": "cat-camel", "why": "Flares."})
    assert services.changes_mark_seen(person=people.dana) == 1
    assert services.changes_mark_seen(person=people.dana) == 0
