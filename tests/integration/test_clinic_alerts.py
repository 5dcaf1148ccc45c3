"""Alerts: derived from stored data once however often scanned, only for enrolled people; the inbox and
acknowledging with a note."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from backhome.web.clinic.alerts import alerts_scan
from backhome.web.clinic.models import Alert, AuditEvent, Enrolment
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import Person, Screening
from backhome.web.progress.models import DoseChange
from tests.integration.clinic_people import Cast, cast
from tests.integration.history_builders import checkin_on, dose_change, log_in, session_on
from tests.integration.people import DANA_WEB, person_with_plan
from tests.integration.screening_helpers import flat

pytestmark = pytest.mark.django_db

RED_REASON = {"rule": "PM-12", "text": "Your leg pain went up during the exercise."}


@pytest.fixture
def people() -> Cast:
    return cast()


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate()


def red_log(person: Person, *, rules: tuple[str, ...] = ("PM-12",), **extra: object) -> object:
    session = session_on(person, today(), status="stopped", stop_rules=rules)
    return log_in(session, 1, "prone-press-up", light="red", rules=rules, reasons=[RED_REASON], **extra)  # type: ignore[arg-type]


def keys(person: Person) -> list[str]:
    return sorted(Alert.objects.filter(person=person).values_list("key", flat=True))


def first_step() -> str:
    from backhome.web.patient import questions

    return questions.step_ids()[0]


# --------------------------------------------------------------------------- deriving


def test_a_red_stop_raises_one_alert_however_often_scanned(people: Cast) -> None:
    log = red_log(people.dana)
    raised = alerts_scan(person=people.dana, now=now())
    assert [(a.kind, a.key) for a in raised] == [("red_stop", f"red_stop:{log.pk}")]  # type: ignore[attr-defined]
    alert = raised[0]
    assert alert.clinic == people.riverside and alert.rules == ["PM-12"]
    assert alert.text == "Prone press-up: Your leg pain went up during the exercise."
    for _ in range(3):
        assert alerts_scan(person=people.dana, now=now()) == []
    assert Alert.objects.filter(person=people.dana).count() == 1


def test_symptoms_spreading_down_the_leg_raise_a_peripheralization_alert(people: Cast) -> None:
    log = red_log(people.dana, rules=("PM-10",))
    alerts_scan(person=people.dana, now=now())
    assert keys(people.dana) == [f"peripheralization:{log.pk}"]  # type: ignore[attr-defined]
    assert Alert.objects.get(person=people.dana).kind == "peripheralization"


def test_a_warning_sign_after_an_exercise_or_before_a_session_raises_a_red_flag(people: Cast) -> None:
    log = red_log(people.dana, rules=("PM-14",), back=None)
    log.after_red_flag = True  # type: ignore[attr-defined]
    log.save()  # type: ignore[attr-defined]
    before = session_on(
        people.dana, today(), status="stopped", stop_rules=("PM-14",), stop_advice="Get help now."
    )
    before.before_red_flag = True
    before.save()
    alerts_scan(person=people.dana, now=now())
    assert keys(people.dana) == sorted([f"red_flag:log:{log.pk}", f"red_flag:session:{before.pk}"])  # type: ignore[attr-defined]
    assert set(Alert.objects.filter(person=people.dana).values_list("kind", flat=True)) == {"red_flag"}


def test_an_urgent_screening_raises_a_red_flag_once(people: Cast) -> None:
    answers = {**flat(DANA_WEB), "symptoms.fever": True}
    patient_services.screening_save_answers(person=people.dana, step_id=first_step(), answers=answers)
    screening, decision = patient_services.screening_submit(person=people.dana)
    assert decision.tier.value in ("urgent", "soon")
    alerts_scan(person=people.dana, now=now())
    alert = Alert.objects.get(person=people.dana)
    assert alert.key == f"red_flag:screening:{screening.pk}" and alert.kind == "red_flag"
    assert alert.text.startswith("Screening result:") and "RF-10" in alert.rules
    # The same answers decided again (a clearance, a self-check) are the same report, not a new alert.
    patient_services.screening_redecide_with_context(
        person=people.dana, context=patient_services.care_context(people.dana)
    )
    assert alerts_scan(person=people.dana, now=now()) == []


def test_a_proceed_or_refer_screening_raises_nothing(people: Cast) -> None:
    assert alerts_scan(person=people.dana, now=now()) == []


def test_an_exercise_stopped_as_not_tolerated_raises_an_alert_but_a_clinicians_removal_does_not(
    people: Cast,
) -> None:
    screening = Screening.objects.get(person=people.dana)
    reason = {"rule": "PM-41", "text": "Two mornings in a row it did not agree with you."}
    suspended = dose_change(
        people.dana,
        screening,
        "cat-camel",
        on=today(),
        action="suspend",
        rules=("PM-41", "DS-07"),
        reasons=(reason,),
    )
    dose_change(people.dana, screening, "prone-press-up", on=today(), action="suspend", rules=("clinician",))
    alerts_scan(person=people.dana, now=now())
    alert = Alert.objects.get(person=people.dana)
    assert alert.key == f"not_tolerated:{suspended.pk}" and alert.kind == "not_tolerated"
    assert alert.text == "Cat-camel was stopped: Two mornings in a row it did not agree with you."
    assert DoseChange.objects.filter(person=people.dana).count() == 2


def test_no_real_improvement_at_four_weeks_raises_the_cores_rf_17(people: Cast) -> None:
    started = now() - dt.timedelta(days=30)
    Screening.objects.filter(person=people.dana).update(decided_at=started)
    Enrolment.objects.filter(person=people.dana).update(joined_at=started)
    checkin_on(people.dana, today(), back=5, leg=3)  # Dana's screening back pain was 5: no change
    alerts_scan(person=people.dana, now=now())
    alert = Alert.objects.get(person=people.dana, kind="no_improvement")
    screening = Screening.objects.get(person=people.dana)
    assert alert.key == f"no_improvement:{screening.pk}" and "RF-17" in alert.rules
    assert "back pain was 5 at the screening and 5 on" in alert.text
    # Worded for the clinician who reads it, not for the patient.
    assert "your" not in alert.text.lower() and "book" not in alert.text.lower()
    assert alert.severity == Alert.Severity.ROUTINE and alert.happened_at is not None


def test_pain_that_fell_enough_by_four_weeks_raises_no_improvement_alert(people: Cast) -> None:
    started = now() - dt.timedelta(days=30)
    Screening.objects.filter(person=people.dana).update(decided_at=started)
    Enrolment.objects.filter(person=people.dana).update(joined_at=started)
    checkin_on(people.dana, today(), back=2, leg=1)
    alerts_scan(person=people.dana, now=now())
    assert not Alert.objects.filter(person=people.dana, kind="no_improvement").exists()


def test_seven_days_without_a_session_or_check_in_raise_inactive_once_per_stretch(people: Cast) -> None:
    started = now() - dt.timedelta(days=20)
    Screening.objects.filter(person=people.dana).update(decided_at=started)
    Enrolment.objects.filter(person=people.dana).update(joined_at=started)
    last = today() - dt.timedelta(days=8)
    checkin_on(people.dana, last, back=4, leg=2)
    alerts_scan(person=people.dana, now=now())
    assert keys(people.dana) == [f"inactive:{last.isoformat()}"]
    assert alerts_scan(person=people.dana, now=now()) == []
    # Active again yesterday: nothing new until seven more quiet days.
    checkin_on(people.dana, today() - dt.timedelta(days=1), back=4, leg=2)
    assert alerts_scan(person=people.dana, now=now()) == []
    later = now() + dt.timedelta(days=7)
    raised = alerts_scan(person=people.dana, now=later)
    assert [a.key for a in raised] == [f"inactive:{(today() - dt.timedelta(days=1)).isoformat()}"]


def test_a_person_without_a_clinic_gets_no_alerts() -> None:
    person, _ = person_with_plan()
    red_log(person)
    assert alerts_scan(person=person, now=now()) == []
    assert not Alert.objects.exists()


def test_events_long_before_joining_raise_nothing(people: Cast) -> None:
    red_log(people.dana)
    Enrolment.objects.filter(person=people.dana).update(joined_at=now() + dt.timedelta(days=8))
    assert alerts_scan(person=people.dana, now=now() + dt.timedelta(days=8)) == []


def test_the_scan_alerts_command_scans_every_enrolled_person(people: Cast) -> None:
    red_log(people.dana)
    red_log(people.walt)
    out = StringIO()
    call_command("scan_alerts", stdout=out)
    assert out.getvalue().strip() == "2 new alerts"
    assert Alert.objects.get(person=people.walt).clinic == people.hilltop
    out = StringIO()
    call_command("scan_alerts", stdout=out)
    assert out.getvalue().strip() == "0 new alerts"


# --------------------------------------------------------------------------- the inbox


def test_cleo_sees_her_clinics_open_alerts_newest_first_with_patient_reason_and_time(people: Cast) -> None:
    red_log(people.dana)
    red_log(people.walt)
    alerts_scan(person=people.dana, now=now())
    alerts_scan(person=people.walt, now=now())
    older = Alert.objects.get(person=people.dana)
    second = red_log(people.dana, rules=("PM-10",))
    alerts_scan(person=people.dana, now=now())
    response = people.client("cleo").get("/clinic/alerts/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(
        f'id="alert-{Alert.objects.get(key=f"peripheralization:{second.pk}").pk}"'
    ) < page.index(  # type: ignore[attr-defined]
        f'id="alert-{older.pk}"'
    )
    assert "Dana" in page and "Your leg pain went up during the exercise." in page and "<time" in page
    assert "Walt" not in page
    assert AuditEvent.objects.filter(user=people.cleo, what="alerts inbox").exists()


def test_cleo_acknowledges_an_alert_with_a_note(people: Cast) -> None:
    red_log(people.dana)
    alert = alerts_scan(person=people.dana, now=now())[0]
    client = people.client("cleo")
    response = client.post(
        f"/clinic/alerts/{alert.pk}/acknowledge/", {"note": "Phoned Dana: settled after rest."}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == people.cleo and alert.acknowledged_at is not None
    assert alert.note == "Phoned Dana: settled after rest."
    assert AuditEvent.objects.filter(
        person=people.dana, action="change", what="alert acknowledged: red_stop"
    ).exists()
    assert f'id="alert-{alert.pk}"' not in client.get("/clinic/alerts/").content.decode()
    done = client.get("/clinic/alerts/?state=acknowledged").content.decode()
    assert "Phoned Dana: settled after rest." in done and "cleo@riverside.example" in done
    # Acknowledging again (a double submit) changes nothing.
    again = client.post(f"/clinic/alerts/{alert.pk}/acknowledge/", {"note": "Another note."})
    assert again.status_code == 302
    alert.refresh_from_db()
    assert alert.note == "Phoned Dana: settled after rest."


def test_an_alert_is_not_acknowledged_without_a_note(people: Cast) -> None:
    red_log(people.dana)
    alert = alerts_scan(person=people.dana, now=now())[0]
    response = people.client("cleo").post(f"/clinic/alerts/{alert.pk}/acknowledge/", {"note": "  "})
    assert response.status_code == 400
    assert "Write a note" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_yusuf_can_neither_see_nor_acknowledge_riversides_alerts(people: Cast) -> None:
    red_log(people.dana)
    alert = alerts_scan(person=people.dana, now=now())[0]
    yusuf = people.client("yusuf")
    assert "Dana" not in yusuf.get("/clinic/alerts/").content.decode()
    assert yusuf.get(f"/clinic/alerts/?patient={people.dana.pk}").status_code == 404
    assert yusuf.post(f"/clinic/alerts/{alert.pk}/acknowledge/", {"note": "Mine now"}).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_inbox_shows_one_patients_alerts(people: Cast) -> None:
    red_log(people.dana)
    alerts_scan(person=people.dana, now=now())
    page = people.client("cleo").get(f"/clinic/alerts/?patient={people.dana.pk}").content.decode()
    assert "Alerts of Dana" in page and "Your leg pain went up" in page
