"""Issue 15 on the web: emergency advice for everyone (B31), a warning sign re-screens at once (B25, B31,
PM-14), a red stop is kept (B30), long-standing stenosis in both legs (B23), and the prescribed mode on
the handout. Each rule with a case that fires and one that does not."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from backhome.core.model import PainCheck
from backhome.web.handouts.render import handout_html
from backhome.web.patient import questions
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import Person
from backhome.web.practice import services
from backhome.web.practice.models import ExerciseStop
from backhome.web.practice.stops import stop_clear
from backhome.web.progress.selectors import current_programme
from tests.builders import intake_doc
from tests.integration.people import DANA_WEB, WALT_WEB, client_for, person_with_plan
from tests.integration.screening_helpers import CALM, flat, step_data, step_url, walk

pytestmark = pytest.mark.django_db

GLIDE = "sciatic-nerve-glide"
#: Dana before a session: back 3, leg 2, pain into the thigh (zone 3).
BEFORE = PainCheck(back=3, leg=2, zone=3, numbness=False)
SAME = PainCheck(back=3, leg=2, zone=3, numbness=False)
#: The pain spread down the leg, to below the knee (PM-10).
SPREAD = PainCheck(back=3, leg=2, zone=4, numbness=False)
WARNING = PainCheck(back=3, leg=2, zone=3, numbness=False, red_flag=True)
TODAY = dt.date(2026, 3, 2)


def start(person: Person, *, before: PainCheck = BEFORE, day: dt.date = TODAY) -> Any:
    session, _ = services.session_start(person=person, id=uuid.uuid4(), before=before, today=day)
    return session


def log(person: Person, session: Any, position: int, after: PainCheck) -> Any:
    entry, _ = services.log_record(
        person=person,
        session_id=session.pk,
        id=uuid.uuid4(),
        position=position,
        sets_done=1,
        skipped=False,
        it_hurts=False,
        after=after,
    )
    return entry


def session_exercises(session: Any) -> list[str]:
    return [row["exercise_id"] for row in session.programme]


# --------------------------------------------------------------------------- B31: emergency advice


def test_the_emergency_page_opens_for_a_guest_a_person_with_a_plan_and_a_locked_person() -> None:
    guest = Client().get(reverse("patient:emergency"))
    dana, _ = person_with_plan()
    with_plan = client_for(dana).get(reverse("patient:emergency"))
    locked = Person.objects.create(emergency_locked_at=timezone.now())
    locked_page = client_for(locked).get(reverse("patient:emergency"))
    for response in (guest, with_plan, locked_page):
        assert response.status_code == 200
        assert "What to do now" in response.content.decode()
    assert "locked" in locked_page.content.decode()
    # The person with a plan keeps it: the emergency advice changes nothing.
    assert client_for(dana).get(reverse("patient:plan")).status_code == 200


def test_every_page_has_a_tap_to_call_button_for_the_emergency_number() -> None:
    dana, _ = person_with_plan()
    for url in (reverse("patient:home"), reverse("patient:plan"), reverse("patient:gallery")):
        page = client_for(dana).get(url).content.decode()
        assert 'href="tel:112"' in page and "call-emergency" in page
    with override_settings(EMERGENCY_NUMBER="911"):
        page = Client().get(reverse("patient:home")).content.decode()
    assert 'href="tel:911"' in page and 'href="tel:112"' not in page


# --------------------------------------------------------------------------- B25/B31: a warning sign


def test_a_warning_sign_before_a_session_stops_it_and_holds_exercise_until_the_questions_are_answered() -> (
    None
):
    dana, _ = person_with_plan()
    session = start(dana, before=WARNING)
    assert session.status == "stopped" and "PM-14" in session.stop_rules
    dana.refresh_from_db()
    assert dana.needs_rescreen
    plan = client_for(dana).get(reverse("patient:plan")).content.decode()
    assert "Answer the safety questions again first" in plan
    assert "You can start" not in plan and "Start today&#x27;s session" not in plan
    with pytest.raises(services.Conflict) as refused:
        start(dana)
    assert refused.value.code == "rescreen"
    # The player page and the questions lead straight to the red-flag questions.
    assert client_for(dana).get(reverse("practice:player")).url == reverse("patient:screening_start")
    first = questions.step_ids()[0]
    assert client_for(dana).get(reverse("patient:screening_start")).url == step_url(first)


def test_a_warning_sign_after_an_exercise_opens_the_red_flag_questions_again() -> None:
    dana, _ = person_with_plan()
    session = start(dana)
    entry = log(dana, session, 1, WARNING)
    assert entry.end_session and "PM-14" in entry.rules
    dana.refresh_from_db()
    assert dana.needs_rescreen
    opened = dana.screenings.get(decided_at__isnull=True)
    assert opened.rescreen
    # Only the red-flag questions are unanswered: the rest are kept from the earlier screening.
    warning_fields = {q.field for s in questions.screening().steps if s.warning_signs for q in s.questions}
    assert not warning_fields & set(opened.answers) and "pain.back" in opened.answers


def test_answering_the_red_flag_questions_again_with_no_sign_gives_the_plan_back_with_rf21() -> None:
    dana, _ = person_with_plan()
    start(dana, before=WARNING)
    client = client_for(dana)
    response = walk(client, DANA_WEB)
    assert response.url == reverse("patient:plan")
    dana.refresh_from_db()
    assert not dana.needs_rescreen
    latest = dana.screenings.filter(decided_at__isnull=False).order_by("-decided_at").first()
    assert latest is not None and latest.rescreen and "RF-21" in latest.decision["rules"]
    assert latest.tier == "proceed"
    assert "You can start your programme" in client.get(reverse("patient:plan")).content.decode()
    start(dana, day=TODAY + dt.timedelta(days=1))  # exercise is allowed again


def test_a_red_flag_found_in_the_new_questions_goes_straight_to_the_emergency_page() -> None:
    dana, _ = person_with_plan()
    start(dana, before=WARNING)
    client = client_for(dana)
    first = questions.get_step(questions.step_ids()[0])
    assert first is not None
    answers = {q.field: q.field == "symptoms.bladder_change" for q in first.questions}
    response = client.post(step_url(first.id), step_data(first, answers))
    assert response.url == reverse("patient:emergency")
    dana.refresh_from_db()
    assert dana.locked


def test_a_session_without_a_warning_sign_asks_for_no_new_screening() -> None:
    dana, _ = person_with_plan()
    session = start(dana)
    log(dana, session, 1, SAME)
    dana.refresh_from_db()
    assert not dana.needs_rescreen
    assert (
        "Answer the safety questions again first"
        not in client_for(dana).get(reverse("patient:plan")).content.decode()
    )


# --------------------------------------------------------------------------- B30: a red stop is kept


def test_a_red_stop_on_the_nerve_glide_keeps_it_out_of_the_next_days_session() -> None:
    dana, _ = person_with_plan()
    session = start(dana)
    assert session_exercises(session)[0] == GLIDE
    entry = log(dana, session, 1, SPREAD)
    assert entry.light == "red" and "PM-10" in entry.rules
    stop = ExerciseStop.objects.get(person=dana)
    assert (stop.exercise_id, stop.rule, stop.day, stop.log_id) == (GLIDE, "PM-10", TODAY, entry.pk)
    for later in (1, 3, 20):  # no check-in in between: the stop is kept by itself
        assert GLIDE not in session_exercises(start(dana, day=TODAY + dt.timedelta(days=later)))


def test_a_red_stop_is_shown_apart_on_the_plan_and_left_out_of_the_handout_and_the_api() -> None:
    dana, _ = person_with_plan()
    log(dana, start(dana), 1, SPREAD)
    client = client_for(dana)
    plan = client.get(reverse("patient:plan")).content.decode()
    stopped_card = plan.split('id="red-stops"')[1].split("</section>")[0]
    assert "nerve glide" in stopped_card.lower() and "spread down your leg" in stopped_card
    assert f'id="exercise-{GLIDE}"' not in plan and 'id="exercise-prone-press-up"' in plan
    html = handout_html(dana, plan_url="https://example.org/plan/")
    assert "press-up" in html.lower() and "nerve glide" not in html.lower()
    items = client.get("/api/v1/me/plan").json()
    glide = [e for e in items["exercises"] if e["exercise_id"] == GLIDE]
    assert [e["suspended"] for e in glide] == [True]


def test_a_green_nerve_glide_stays_in_the_next_days_session() -> None:
    dana, _ = person_with_plan()
    log(dana, start(dana), 1, SAME)
    assert not ExerciseStop.objects.exists()
    assert GLIDE in session_exercises(start(dana, day=TODAY + dt.timedelta(days=1)))


def test_a_clinicians_clearance_lets_a_stopped_exercise_back() -> None:
    dana, _ = person_with_plan()
    log(dana, start(dana), 1, SPREAD)
    programme = current_programme(dana)
    assert programme is not None and GLIDE not in [i.exercise_id for i in programme.active]
    assert (
        stop_clear(person_id=dana.pk, exercise_id=GLIDE, cleared_by=None, note="Checked: no nerve signs.")
        == 1
    )
    programme = current_programme(dana)
    assert programme is not None and GLIDE in [i.exercise_id for i in programme.active]


def test_a_stop_for_pain_going_up_lasts_only_the_day() -> None:
    dana, _ = person_with_plan()
    session = start(dana)
    entry = log(dana, session, 1, PainCheck(back=3, leg=6, zone=3, numbness=False))
    if entry.needs_recheck:
        entry, _ = services.log_recheck(person=dana, session_id=session.pk, log_id=entry.pk, settled=False)
    assert entry.light == "red"
    stop = ExerciseStop.objects.get(person=dana)
    assert stop.rule in ("PM-12", "PM-13")
    today = current_programme(dana, today=TODAY)
    assert today is not None and GLIDE not in [i.exercise_id for i in today.active]
    tomorrow = current_programme(dana, today=TODAY + dt.timedelta(days=1))
    assert tomorrow is not None and GLIDE in [i.exercise_id for i in tomorrow.active]


# --------------------------------------------------------------------------- B23: both legs


def walt71(**symptoms: Any) -> dict[str, Any]:
    return intake_doc(
        WALT_WEB, age=71, symptoms={"eased_by_bending_forward": True, **symptoms}, startback=CALM
    )


def test_long_standing_stenosis_in_both_legs_is_soon_with_the_safety_card_not_emergency() -> None:
    client = Client()
    response = walk(client, walt71(both_legs=True, both_legs_new_or_worse=False))
    assert response.url == reverse("patient:soon")
    person = Person.objects.get()
    assert not person.locked
    screening = person.screenings.get()
    assert screening.tier == "soon" and "RF-22" in screening.decision["rules"]
    assert screening.answers["symptoms.both_legs_new_or_worse"] is False


def test_both_legs_new_or_getting_worse_goes_to_the_emergency_page_at_once() -> None:
    client = Client()
    response = walk(client, walt71(both_legs=True, both_legs_new_or_worse=True), stop_after="legs-change")
    assert response.url == reverse("patient:emergency")
    assert Person.objects.get().locked


def test_the_follow_up_is_not_asked_after_a_no_to_both_legs() -> None:
    client = Client()
    answers = flat(walt71())
    legs = questions.get_step("legs")
    assert legs is not None
    for step_id in questions.step_ids()[: questions.step_number("legs")]:
        step = questions.get_step(step_id)
        assert step is not None
        response = client.post(step_url(step_id), step_data(step, answers))
    assert response.url == step_url("injury")


def test_a_71_year_old_with_long_standing_stenosis_gets_a_flexion_plan_whose_cat_camel_is_flexion_only() -> (
    None
):
    _walt, screening = person_with_plan(walt71())
    modes = {item.exercise_id: item.mode for item in screening.items.all()}
    assert modes["cat-camel"] == "flexion_only" and "prone-press-up" not in modes


def test_without_known_stenosis_both_legs_stays_an_emergency_at_the_end() -> None:
    doc = intake_doc(
        WALT_WEB,
        age=71,
        history={"spinal_stenosis": False},
        symptoms={"eased_by_bending_forward": True, "both_legs": True, "both_legs_new_or_worse": False},
        startback=CALM,
    )
    response = walk(Client(), doc)
    assert response.url == reverse("patient:emergency")


# --------------------------------------------------------------------------- the prescribed mode


def test_the_handout_shows_the_steps_of_the_prescribed_mode() -> None:
    from backhome.core.library.load import default_library

    dana, _ = person_with_plan()
    html = handout_html(dana, plan_url="https://example.org/plan/")
    cat_camel = default_library()["cat-camel"]
    own = cat_camel.steps_for("extension_only")
    assert own != cat_camel.steps
    assert "Do not round your back upwards" in html and "round your back up towards the ceiling" not in html
    assert len(own) == 4
    glide = default_library()[GLIDE]
    assert glide.steps_for("slider") != glide.steps_for("tensioner")


def test_a_rescreen_is_opened_once_however_often_it_is_asked_for() -> None:
    dana, _ = person_with_plan()
    patient_services.person_require_rescreen(person=dana)
    patient_services.person_require_rescreen(person=dana)
    assert dana.screenings.filter(decided_at__isnull=True, rescreen=True).count() == 1


def test_stored_nerve_glide_doses_with_a_two_second_hold_lose_it_and_other_holds_stay() -> None:
    import importlib

    from django.apps import apps

    from backhome.web.patient.models import PlanItem

    migration = importlib.import_module("backhome.web.practice.migrations.0005_nerve_glide_no_hold")
    _dana, screening = person_with_plan()
    PlanItem.objects.filter(screening=screening, exercise_id=GLIDE).update(hold_s=2)
    press_up = PlanItem.objects.get(screening=screening, exercise_id="prone-press-up")
    migration.no_hold(apps, None)
    assert PlanItem.objects.get(screening=screening, exercise_id=GLIDE).hold_s == 0
    assert PlanItem.objects.get(pk=press_up.pk).hold_s == press_up.hold_s == 10


# --------------------------------------------------------------------------- RF-21 and SB-13


def test_something_new_before_a_session_opens_the_red_flag_questions_first() -> None:
    dana, _ = person_with_plan()
    client = client_for(dana)
    assert (
        "is anything new, or different from your usual back pain?"
        in client.get(reverse("patient:plan")).content.decode()
    )
    response = client.post(reverse("patient:before_session"), {"new_or_different": "yes"})
    assert response.url == reverse("patient:screening_start")
    dana.refresh_from_db()
    assert dana.needs_rescreen
    with pytest.raises(services.Conflict):
        start(dana)
    walk(client, DANA_WEB)
    latest = dana.screenings.filter(decided_at__isnull=False).order_by("-decided_at").first()
    assert latest is not None and "RF-21" in latest.decision["rules"]


def test_nothing_new_before_a_session_goes_to_the_player() -> None:
    dana, _ = person_with_plan()
    response = client_for(dana).post(reverse("patient:before_session"), {"new_or_different": "no"})
    assert response.url == reverse("practice:player")
    dana.refresh_from_db()
    assert not dana.needs_rescreen


def test_startback_is_asked_again_from_four_weeks_and_only_startback() -> None:
    dana, screening = person_with_plan()
    client = client_for(dana)
    assert 'id="startback-again"' not in client.get(reverse("patient:plan")).content.decode()
    type(screening).objects.filter(pk=screening.pk).update(decided_at=timezone.now() - dt.timedelta(days=28))
    page = client.get(reverse("patient:plan")).content.decode()
    assert 'id="startback-again"' in page and "four weeks into your programme" in page
    response = client.post(reverse("patient:startback_again"))
    assert response.url == reverse("patient:screening_start")
    first_missing = client.get(reverse("patient:screening_start")).url
    startback_step = next(
        s for s in questions.screening().steps if s.questions[0].field.startswith("startback")
    )
    assert first_missing == step_url(startback_step.id)
    walk(client, DANA_WEB)
    latest = dana.screenings.filter(decided_at__isnull=False).order_by("-decided_at").first()
    assert latest is not None and latest.pk != screening.pk and "RF-21" not in latest.decision["rules"]
    assert 'id="startback-again"' not in client.get(reverse("patient:plan")).content.decode()


def test_a_clinician_putting_the_stopped_glide_back_releases_its_red_stop() -> None:
    from tests.integration.clinic_people import cast

    people = cast()
    dana = people.dana
    log(dana, start(dana), 1, SPREAD)
    response = people.client("cleo").post(
        f"/clinic/patients/{dana.pk}/programme/add/",
        {"exercise": GLIDE, "why": "Checked her leg: no nerve signs, glide back at the slider."},
    )
    assert response.status_code == 302, response.content
    stop = ExerciseStop.objects.get(person=dana)
    assert stop.released_at is not None and stop.released_by == people.cleo and "no nerve signs" in stop.note
    assert GLIDE in session_exercises(start(dana, day=TODAY + dt.timedelta(days=1)))
