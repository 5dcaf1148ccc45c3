"""The screening, step by step, and the result pages (issue 3, items 2 and 3)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from backhome.core.contract import decision_to_json, parse_intake
from backhome.core.engine import decide
from backhome.web.errors import Invalid
from backhome.web.patient import questions, services
from backhome.web.patient.models import EmergencyLockClearance, Person, PlanItem, Screening
from tests.builders import intake_doc
from tests.integration.screening_helpers import (
    CALM,
    DANA_WEB,
    WALT_WEB,
    flat,
    step_data,
    step_url,
    walk,
)

pytestmark = pytest.mark.django_db

FIRST = questions.screening().steps[0]
NOTHING_WRONG = intake_doc(startback=CALM)


def _person(client: Client) -> Person:
    return Person.objects.get(pk=client.session[services.SESSION_KEY])


# --------------------------------------------------------------------------- emergency first


def test_saddle_numbness_yes_goes_straight_to_the_emergency_page_and_locks(client: Client) -> None:
    answers = flat(NOTHING_WRONG)
    client.post(step_url("bladder-bowel"), step_data(FIRST, answers))
    # Yes to saddle numbness, the other question of the page left unanswered: emergency at once.
    response = client.post(step_url("saddle"), {"symptoms__saddle_numbness": "yes"})
    assert response.status_code == 302
    assert response.url == reverse("patient:emergency")
    person = _person(client)
    assert person.locked
    screening = Screening.objects.get(person=person)
    assert screening.tier == "emergency"
    assert "RF-03" in screening.decision["rules"]
    assert screening.answers == {
        "symptoms.bladder_change": False,
        "symptoms.bowel_change": False,
        "symptoms.saddle_numbness": True,
    }
    assert screening.intake is None  # nothing else was asked
    page = client.get(response.url).content.decode()
    assert "Get emergency help now" in page
    assert "What to do now, in this order" in page
    assert "numbness or tingling between your legs" in page
    assert "locked" in page


def test_a_locked_person_sees_the_emergency_page_instead_of_a_plan_or_questions(client: Client) -> None:
    client.post(step_url("bladder-bowel"), {"symptoms__bladder_change": "yes"})
    for url in (reverse("patient:plan"), step_url("legs"), reverse("patient:screening_start")):
        assert client.get(url).url == reverse("patient:emergency")
    page = client.get(reverse("patient:emergency")).content.decode()
    assert "Prone press-up" not in page and "exercise-" not in page
    response = client.post(step_url("bladder-bowel"), {"symptoms__bladder_change": "no"})
    assert response.url == reverse("patient:emergency")
    assert _person(client).locked


def test_a_clinician_clears_the_emergency_lock_with_a_note(client: Client) -> None:
    client.post(step_url("bladder-bowel"), {"symptoms__bowel_change": "yes"})
    person = _person(client)
    cleo = User.objects.create_user("cleo")
    clearance = services.person_clear_emergency_lock(
        person=person, cleared_by=cleo, note="Seen in clinic; no cauda equina."
    )
    person.refresh_from_db()
    assert not person.locked
    assert clearance.cleared_by == cleo and clearance.screening is not None
    assert EmergencyLockClearance.objects.filter(person=person).count() == 1
    assert client.get(step_url("bladder-bowel")).status_code == 200
    with pytest.raises(services.LockError):
        services.person_clear_emergency_lock(person=person, cleared_by=cleo, note="again")


def test_clearing_a_lock_needs_a_note(client: Client) -> None:
    client.post(step_url("bladder-bowel"), {"symptoms__bowel_change": "yes"})
    with pytest.raises(Invalid) as refused:
        services.person_clear_emergency_lock(
            person=_person(client), cleared_by=User.objects.create_user("cleo"), note="  "
        )
    assert [name for name, _ in refused.value.fields] == ["note"]
    assert _person(client).locked


# --------------------------------------------------------------------------- urgent and soon


def test_fever_gives_the_urgent_page_with_no_exercise(client: Client) -> None:
    response = walk(client, intake_doc(NOTHING_WRONG, symptoms={"fever": True}))
    assert response.url == reverse("patient:urgent")
    page = client.get(response.url).content.decode()
    assert "Get checked today" in page and "RF-10" in page
    assert "exercise-" not in page
    assert "a licensed physical therapist near you" in page
    assert client.get(reverse("patient:plan")).url == reverse("patient:urgent")
    assert not _person(client).locked


def test_night_pain_gives_the_soon_page(client: Client) -> None:
    response = walk(client, intake_doc(NOTHING_WRONG, symptoms={"night_pain": True}))
    assert response.url == reverse("patient:soon")
    page = client.get(response.url).content.decode()
    assert "See a doctor or physical therapist soon" in page and "RF-18" in page
    assert "exercise-" not in page


# --------------------------------------------------------------------------- the plan


def test_dana_gets_the_extension_plan_with_the_press_up_and_the_nerve_glide_as_a_slider(
    client: Client,
) -> None:
    response = walk(client, DANA_WEB)
    assert response.url == reverse("patient:plan")
    page = client.get(response.url).content.decode()
    assert "Prone press-up" in page and "10 times, hold each 10 seconds" in page
    assert "Sciatic nerve glide" in page and "slider (gentlest)" in page
    assert "so your programme leans that way" in page  # why the press-up: DPT-20's reason
    assert "Held back for now, and why" in page and "Single knee to chest" in page
    assert "Stop at once if your back pain gets worse" in page
    items = list(PlanItem.objects.values_list("exercise_id", "mode"))
    assert ("prone-press-up", "") in items and ("sciatic-nerve-glide", "slider") in items


def test_walt_gets_no_press_up_and_is_told_why(client: Client) -> None:
    walk(client, WALT_WEB)
    page = client.get(reverse("patient:plan")).content.decode()
    assert 'id="exercise-prone-press-up"' not in page
    assert 'id="exercise-single-knee-to-chest"' in page
    held = page.split("Held back for now, and why")[1]
    assert "Prone press-up" in held and "narrow the spinal canal" in held


def test_the_referral_card_shows_the_clinics_contact(client: Client, settings: object) -> None:
    settings.CLINIC = {"name": "Riverside Physio", "phone": "+1 555 0100", "url": "https://riverside.example"}
    walk(client, DANA_WEB)
    page = client.get(reverse("patient:plan")).content.decode()
    assert "Riverside Physio" in page and 'href="tel:+1 555 0100"' in page


@pytest.mark.parametrize("doc", [DANA_WEB, WALT_WEB, NOTHING_WRONG, intake_doc(DANA_WEB, pregnant=True)])
def test_the_web_decision_equals_the_engines_for_the_same_answers(client: Client, doc: dict) -> None:
    walk(client, doc)
    screening = Screening.objects.get()
    assert screening.intake == doc
    assert screening.decision == decision_to_json(decide(parse_intake(doc)))


def test_every_answer_and_the_decision_are_stored(client: Client) -> None:
    walk(client, DANA_WEB)
    screening = Screening.objects.get()
    assert screening.answers == flat(DANA_WEB)
    # B23's follow-up is asked only after a yes to "both legs".
    not_asked = {"symptoms.both_legs_new_or_worse"}
    assert len(screening.answers) == len(set(questions.asked_fields()) - not_asked)
    assert screening.tier == "proceed" and screening.decided_at is not None
    assert screening.decision["schema"] == "backhome.decision/1"
    stored = list(screening.items.values("exercise_id", "sets", "reps", "hold_s", "per_side"))
    assert stored == [
        {k: e[k if k != "exercise_id" else "id"] for k in stored[0]} for e in screening.decision["exercises"]
    ]


def test_a_second_screening_gives_the_new_plan(client: Client) -> None:
    walk(client, WALT_WEB)
    walk(client, DANA_WEB)
    assert Screening.objects.count() == 2
    assert 'id="exercise-prone-press-up"' in client.get(reverse("patient:plan")).content.decode()


def test_the_plan_page_uses_a_constant_number_of_queries(client: Client, django_assert_num_queries) -> None:
    walk(client, DANA_WEB)
    # the session is in the cache: person, clinicians' unseen changes, screening, items, doses, clinic
    for _ in range(2):
        with django_assert_num_queries(7):  # 7: the red stops still open (B30) are read too
            assert client.get(reverse("patient:plan")).status_code == 200
    walk(client, WALT_WEB)
    with django_assert_num_queries(7):
        assert client.get(reverse("patient:plan")).status_code == 200


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"symptoms__bladder_change": "no"}, "Please choose Yes or No."),  # one missing
        ({}, "Please choose Yes or No."),  # all missing
        ({"symptoms__bladder_change": "maybe", "symptoms__bowel_change": "no"}, "Please choose Yes or No."),
        ({"symptoms__bladder_change": "true", "symptoms__bowel_change": "no"}, "Please choose Yes or No."),
    ],
)
def test_a_bad_answer_gets_a_clear_message_and_stores_nothing(
    client: Client, data: dict, message: str
) -> None:
    response = client.post(step_url("bladder-bowel"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Please check your answers" in response.content.decode()
    assert Screening.objects.count() == 0 and Person.objects.count() == 0


@pytest.mark.parametrize(
    ("age", "problem"),
    [
        ("121", "out of range"),
        ("-1", "out of range"),
        ("forty", "wrong type"),
        ("38.5", "wrong type"),
        ("", "missing"),
    ],
)
def test_a_bad_age_gets_a_clear_message_and_changes_nothing(client: Client, age: str, problem: str) -> None:
    walk(client, DANA_WEB, stop_after="told-about-your-back")
    before = Screening.objects.get().answers
    response = client.post(step_url("about-you"), {"age": age, "pregnant": "no"})
    assert response.status_code == 400, problem
    assert (
        "Please type a whole number from 0 to 120." in response.content.decode()
        or "Please answer" in response.content.decode()
    )
    assert Screening.objects.get().answers == before


def test_a_pain_score_out_of_range_is_refused(client: Client) -> None:
    walk(client, DANA_WEB, stop_after="how-long")
    response = client.post(step_url("pain-now"), {"pain__back": "11", "pain__leg": "3"})
    assert response.status_code == 400
    assert "Please choose a number from 0 to 10." in response.content.decode()
    assert "pain.back" not in Screening.objects.get().answers


def test_a_step_cannot_be_skipped(client: Client) -> None:
    assert client.get(step_url("pain-now")).url == step_url("bladder-bowel")
    assert client.get(reverse("patient:screening_start")).url == step_url("bladder-bowel")


def test_an_unknown_step_is_not_found(client: Client) -> None:
    assert client.get("/screening/no-such-step/").status_code == 404


def test_each_step_shows_a_progress_indicator_and_its_answers_when_you_come_back(client: Client) -> None:
    client.post(step_url("bladder-bowel"), step_data(FIRST, flat(NOTHING_WRONG)))
    page = client.get(step_url("bladder-bowel")).content.decode()
    assert "Step 1 of 18" in page and '<progress max="18" value="1"' in page
    assert 'value="no" checked' in page


def test_the_body_diagram_is_six_real_radio_inputs_with_labels(client: Client) -> None:
    walk(client, DANA_WEB, stop_after="pain-now")
    page = client.get(step_url("how-far")).content.decode()
    for zone in range(6):
        assert f'id="q-distal_zone-{zone}" value="{zone}"' in page
        assert f'for="q-distal_zone-{zone}"' in page
    assert '<svg class="bodymap-figure"' in page and 'aria-hidden="true"' in page


def test_each_response_gets_its_own_style_nonce_and_the_pictures_carry_it(client: Client) -> None:
    first = client.get("/exercises/")
    second = client.get("/exercises/")
    policies = [r.headers["Content-Security-Policy"] for r in (first, second)]
    nonces = [p.split("'nonce-")[1].split("'")[0] for p in policies]
    assert nonces[0] != nonces[1]
    assert all("unsafe-inline" not in p for p in policies)
    page = first.content.decode()
    styles = page.count("<style")
    assert styles >= 9 and page.count(f'<style nonce="{nonces[0]}">') == styles
