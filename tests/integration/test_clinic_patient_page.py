"""A patient's page /clinic/patients/<id>/: the timeline, the charts, the programme, the handout, the
label, and a fixed number of queries whatever the length of the history."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from backhome.web.clinic.models import AuditEvent, Enrolment, ProgrammeChange
from backhome.web.practice.models import ExerciseSession
from tests.integration.clinic_builders import count_queries, joined_days_ago, practised
from tests.integration.clinic_people import cast
from tests.integration.history_builders import checkin_on, dose_change, log_in, session_on

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def timeline(html: str) -> list[str]:
    """The timeline's entries, top to bottom, as '<kind>: <title>'."""
    section = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    return [
        f"{kind}: {title}"
        for kind, title in re.findall(
            r'<span class="kind">([^<]+)</span>.*?<p class="entry-title">([^<]+)</p>', section, re.S
        )
    ]


def test_the_timeline_shows_sessions_with_lights_and_stops_check_ins_doses_and_clinician_changes_newest_first() -> (
    None
):
    people = cast()
    dana = people.dana
    today = timezone.localdate()
    screening = dana.screenings.get()
    dana.screenings.update(decided_at=timezone.now() - dt.timedelta(days=6))
    joined_days_ago(dana, 5)
    good = session_on(dana, today - dt.timedelta(days=3), screening=screening, back=5, leg=3)
    log_in(good, 1, "prone-press-up", light="green")
    log_in(
        good, 2, "cat-camel", light="amber", reasons=[{"rule": "PM-20", "text": "Back pain went up by 1."}]
    )
    checkin_on(dana, today - dt.timedelta(days=2), back=4, leg=2)
    dose_change(
        dana,
        screening,
        "prone-press-up",
        on=today - dt.timedelta(days=2),
        hold_s=15,
        reasons=[{"rule": "DS-03", "text": "Two good days in a row: one step up."}],
    )
    stopped = session_on(
        dana,
        today - dt.timedelta(days=1),
        screening=screening,
        back=4,
        leg=2,
        status=ExerciseSession.Status.STOPPED,
        stop_rules=["PM-10"],
        stop_advice="Stop for today: the pain spread further down your leg.",
    )
    log_in(
        stopped,
        1,
        "prone-press-up",
        light="red",
        rules=["PM-10"],
        reasons=[{"rule": "PM-10", "text": "The pain spread further down the leg."}],
    )
    ProgrammeChange.objects.create(
        person=dana,
        clinic=people.riverside,
        changed_by=people.cleo,
        kind=ProgrammeChange.Kind.DOSE,
        exercise_id="prone-press-up",
        before={"sets": 1, "reps": 10, "hold_s": 15, "per_side": False, "mode": None},
        after={"sets": 1, "reps": 8, "hold_s": 10, "per_side": False, "mode": None},
        why="Gentler after the stop.",
    )
    html = people.client("cleo").get(f"/clinic/patients/{dana.pk}/").content.decode()
    entries = timeline(html)
    assert entries[:5] == [
        "Clinician: cleo@riverside.example: dose changed – Prone press-up",
        "Session: Session stopped early",
        "Check-in: Morning check-in",
        "Dose: Prone press-up: one step up",
        "Session: Session finished",
    ]
    assert entries[5:] == ["Clinic: Joined the clinic", "Screening: Screening: You can start your programme"]
    words = text(html)
    assert "Prone press-up: red" in words and "Cat-camel: amber" in words
    assert "The pain spread further down the leg. PM-10" in words
    assert "Advice given: Stop for today: the pain spread further down your leg." in words
    assert "Back pain went up by 1. PM-20" in words
    assert "Back 4, leg 2 out of 10." in words
    assert "Two good days in a row: one step up. DS-03" in words
    assert "Why: Gentler after the stop." in words
    assert "Before: 10 times, hold each 15 seconds. After: 8 times, hold each 10 seconds." in words


def test_the_screening_entry_gives_the_result_and_its_reasons_with_rule_ids() -> None:
    people = cast()
    html = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").content.decode()
    words = text(html)
    assert "Screening: " in words
    assert "Result: proceed." in words
    assert "Programme: Sciatic nerve glide" in words or "Programme: Sciatic nerve stretch" in words
    assert "Reasons (" in words
    assert "PM-00" in words


def test_the_page_shows_the_current_programme_with_its_doses_and_what_is_held_back() -> None:
    people = cast()
    html = people.client("cleo").get(f"/clinic/patients/{people.walt.pk}/")
    assert html.status_code == 404  # Walt is Hilltop's
    page = text(people.client("yusuf").get(f"/clinic/patients/{people.walt.pk}/").content.decode())
    assert "Single knee to chest" in page
    assert "2 times on each side, hold each 15 seconds" in page
    assert "starting dose" in page
    assert "Held back (" in page and "EL-06" in page
    assert "Result: " in page and "monitoring: strict" in page


def test_the_pain_chart_and_the_sessions_per_week_chart_are_svg_with_words() -> None:
    people = cast()
    joined_days_ago(people.dana, 20)
    practised(people.dana, days=range(1, 15), back=4, leg=2)
    html = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart"' in html
    assert (
        "Back pain is the solid line with round dots; leg pain is the dashed line with square dots." in html
    )
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart"' in html
    assert "7 of 7 days in the week to" in html  # the full week before today
    assert "style=" not in html.split("<main", 1)[1]  # nothing the Content-Security-Policy would refuse


def test_the_header_numbers_match_the_list() -> None:
    people = cast()
    joined_days_ago(people.dana, 30)
    practised(people.dana, days=[0, 1, 2], back=2)
    words = text(people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").content.decode())
    assert "3 of 14" in words and "21 %" in words and "low" in words
    assert "5 → 2" in words and "a real improvement (OM-01)" in words


def test_the_timeline_pages_back_four_weeks_at_a_time() -> None:
    people = cast()
    dana = people.dana
    joined_days_ago(dana, 60)
    practised(dana, days=[1, 40])
    today = timezone.localdate()
    cleo = people.client("cleo")
    now = cleo.get(f"/clinic/patients/{dana.pk}/").content.decode()
    assert len([e for e in timeline(now) if e.startswith("Session")]) == 1
    older = (today - dt.timedelta(days=28)).isoformat()
    assert f'href="?until={older}"' in now
    before = cleo.get(f"/clinic/patients/{dana.pk}/?until={older}").content.decode()
    assert len([e for e in timeline(before) if e.startswith("Session")]) == 1
    assert "Later →" in before
    assert AuditEvent.objects.filter(what=f"patient page, to {older}").exists()


def test_a_bad_until_date_is_a_400_naming_it() -> None:
    people = cast()
    response = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/?until=yesterday")
    assert response.status_code == 400
    assert response.content.decode().startswith("until:")


def test_viewing_a_patient_is_audited() -> None:
    people = cast()
    people.client("ada").get(f"/clinic/patients/{people.dana.pk}/")
    event = AuditEvent.objects.get(action="view")  # logging in is audited too
    assert (event.user, event.person, event.action, event.what) == (
        people.ada,
        people.dana,
        "view",
        "patient page",
    )


def test_the_page_runs_the_same_number_of_queries_for_a_short_and_a_long_history() -> None:
    people = cast()
    dana = people.dana
    screening = dana.screenings.get()
    cleo = people.client("cleo")
    cleo.get(f"/clinic/patients/{dana.pk}/")
    joined_days_ago(dana, 90)
    practised(dana, days=[1, 2], checkin_back=3)
    short = count_queries(lambda: cleo.get(f"/clinic/patients/{dana.pk}/"))
    practised(dana, days=range(3, 80), checkin_back=3)
    today = timezone.localdate()
    for ago in (5, 12, 19):
        dose_change(dana, screening, "prone-press-up", on=today - dt.timedelta(days=ago), hold_s=15)
    ProgrammeChange.objects.create(
        person=dana,
        clinic=people.riverside,
        changed_by=people.cleo,
        kind="dose",
        exercise_id="cat-camel",
        why="x",
    )
    long = count_queries(lambda: cleo.get(f"/clinic/patients/{dana.pk}/"))
    assert short == long
    assert long <= 26


def test_the_handout_is_a_pdf_in_a4_or_letter_and_its_export_is_audited() -> None:
    people = cast()
    cleo = people.client("cleo")
    response = cleo.get(f"/clinic/patients/{people.dana.pk}/handout.pdf?paper=letter")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="export")
    assert (event.person, event.what) == (people.dana, "handout PDF (letter)")


def test_a_handout_in_an_unknown_paper_size_is_a_400_and_nothing_is_audited() -> None:
    people = cast()
    response = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/handout.pdf?paper=a3")
    assert response.status_code == 400
    assert b"paper" in response.content
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_patient_without_a_programme_has_nothing_to_print() -> None:
    people = cast()
    people.dana.emergency_locked_at = timezone.now()
    people.dana.save()
    cleo = people.client("cleo")
    page = cleo.get(f"/clinic/patients/{people.dana.pk}/").content.decode()
    assert "print-handout" not in page
    assert "Locked:" in page
    response = cleo.get(f"/clinic/patients/{people.dana.pk}/handout.pdf")
    assert response.status_code == 409
    assert "Nothing to print" in response.content.decode()


def test_the_clinic_can_rename_its_patient_and_the_change_is_audited() -> None:
    people = cast()
    cleo = people.client("cleo")
    response = cleo.post(f"/clinic/patients/{people.dana.pk}/label/", {"label": "  Dana   Rivers "})
    assert response.status_code == 302
    assert Enrolment.objects.get(person=people.dana).label == "Dana Rivers"
    assert AuditEvent.objects.filter(action="change", person=people.dana, what="the patient's label").exists()


def test_an_empty_name_is_refused_and_changes_nothing() -> None:
    people = cast()
    response = people.client("cleo").post(f"/clinic/patients/{people.dana.pk}/label/", {"label": "  "})
    assert response.status_code == 400
    assert "label" in response.content.decode()
    assert Enrolment.objects.get(person=people.dana).label == "Dana"


def test_the_page_links_to_the_programme_editor_and_prints_in_both_sizes() -> None:
    people = cast()
    html = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").content.decode()
    assert f'href="/clinic/patients/{people.dana.pk}/programme/"' in html
    assert f'action="/clinic/patients/{people.dana.pk}/handout.pdf"' in html
    assert 'value="a4" checked' in html and 'value="letter"' in html
