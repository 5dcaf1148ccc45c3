"""Invitations: a clinician makes one (a link and a short code); a patient, as a guest or with an
account, joins with it; used, expired and unknown ones change nothing; a patient can leave."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from backhome.web.clinic import services
from backhome.web.clinic.models import Enrolment, Invitation, Membership
from backhome.web.patient.models import Person
from tests.integration.clinic_people import cast
from tests.integration.people import client_for, person_with_plan

pytestmark = pytest.mark.django_db

AMBIGUOUS = set("01IOL")


def make_invitation(people: object, label: str = "Erin") -> Invitation:
    membership = Membership.objects.get(user=people.cleo)  # type: ignore[attr-defined]
    return services.invitation_create(membership=membership, label=label)


def test_a_clinician_makes_an_invitation_with_a_link_and_an_8_letter_code_for_14_days() -> None:
    people = cast()
    cleo = people.client("cleo")
    response = cleo.post("/clinic/invitations/", {"label": "Erin, Tuesday 3 pm"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert response.url == f"/clinic/invitations/{invitation.pk}/"
    assert len(invitation.code) == 8 and not set(invitation.code) & AMBIGUOUS
    assert invitation.code == invitation.code.upper()
    assert len(invitation.token) >= 40
    assert abs(invitation.expires_at - (timezone.now() + dt.timedelta(days=14))) < dt.timedelta(minutes=1)
    assert (invitation.clinic, invitation.created_by, invitation.label) == (
        people.riverside,
        people.cleo,
        "Erin, Tuesday 3 pm",
    )
    page = cleo.get(response.url).content.decode()
    shown = f"{invitation.code[:4]}-{invitation.code[4:]}"
    assert f'<p class="code" id="invitation-code" aria-label="Code {shown}">{shown}</p>' in page
    assert f"http://testserver/clinic/join/{invitation.token}/" in page
    assert "http://testserver/clinic/join/" in page


def test_codes_never_repeat_and_use_no_letters_that_look_alike() -> None:
    codes = {services.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert not set("".join(codes)) & AMBIGUOUS


def test_a_label_longer_than_200_characters_is_refused() -> None:
    people = cast()
    response = people.client("cleo").post("/clinic/invitations/", {"label": "x" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_guest_joins_with_the_code_typed_in_small_letters_and_keeps_everything() -> None:
    people = cast()
    erin, screening = person_with_plan()
    invitation = make_invitation(people)
    browser = client_for(erin)
    typed = f" {invitation.code[:4].lower()} - {invitation.code[4:].lower()} "
    response = browser.post("/clinic/join/", {"code": typed})
    assert response.status_code == 302
    assert response.url == f"/clinic/join/{invitation.token}/"
    page = browser.get(response.url).content.decode()
    assert "Join Riverside Physio?" in page
    for shared in (
        "your answers to the screening questions",
        "your plan",
        "your sessions",
        "your pain scores",
    ):
        assert shared in page
    assert not Enrolment.objects.filter(person=erin).exists()  # looking changes nothing
    response = browser.post(f"/clinic/join/{invitation.token}/")
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(person=erin)
    assert (enrolment.clinic, enrolment.label, enrolment.invitation) == (people.riverside, "Erin", invitation)
    invitation.refresh_from_db()
    assert invitation.used_by == erin and invitation.used_at is not None
    assert erin.screenings.get() == screening  # her data is kept
    done = browser.get(response.url).content.decode()
    assert "You have joined Riverside Physio." in done
    # and Cleo now sees her
    assert "Erin" in people.client("cleo").get("/clinic/").content.decode()


def test_a_person_with_an_account_joins_with_the_link() -> None:
    from backhome.web.accounts.services import account_create

    people = cast()
    erin, _ = person_with_plan()
    user, person = account_create(email="erin@example.org", password="another long password 7", guest=erin)
    invitation = make_invitation(people)
    browser = Client()
    browser.force_login(user)
    assert browser.get(f"/clinic/join/{invitation.token}/").status_code == 200
    browser.post(f"/clinic/join/{invitation.token}/")
    assert Enrolment.objects.get(person=person).clinic == people.riverside


def test_someone_with_no_answers_yet_can_join_and_a_person_is_made_for_their_browser() -> None:
    people = cast()
    invitation = make_invitation(people, label="")
    before = Person.objects.count()
    browser = Client()
    browser.post(f"/clinic/join/{invitation.token}/")
    assert Person.objects.count() == before + 1
    enrolment = Enrolment.objects.get(invitation=invitation)
    assert enrolment.label == f"Patient {invitation.code[:4]}-{invitation.code[4:]}"


@pytest.mark.parametrize("state", ["used", "expired"])
def test_a_used_or_expired_invitation_says_so_and_changes_nothing(state: str) -> None:
    people = cast()
    invitation = make_invitation(people)
    if state == "used":
        services.enrolment_join(person=Person.objects.create(), token=invitation.token)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
    erin, _ = person_with_plan()
    browser = client_for(erin)
    for response in (
        browser.get(f"/clinic/join/{invitation.token}/"),
        browser.post(f"/clinic/join/{invitation.token}/"),
    ):
        assert response.status_code == 410
        assert (
            f"This invitation has {'already been used' if state == 'used' else 'expired'}"
            in response.content.decode()
        )
    response = browser.post("/clinic/join/", {"code": invitation.code})
    assert response.status_code == 400
    assert not Enrolment.objects.filter(person=erin).exists()


def test_an_unknown_code_or_link_says_so_and_changes_nothing() -> None:
    people = cast()
    browser = client_for(people.dana)
    response = browser.post("/clinic/join/", {"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not find this invitation." in page
    assert 'aria-invalid="true"' in page and 'id="code-error"' in page
    assert browser.post("/clinic/join/", {"code": ""}).status_code == 400
    assert browser.get("/clinic/join/not-a-token/").status_code == 404
    assert browser.post("/clinic/join/not-a-token/").status_code == 404
    assert Enrolment.objects.get(person=people.dana).clinic == people.riverside


def test_joining_another_clinic_moves_the_patient_and_the_page_says_so_first() -> None:
    people = cast()
    yusuf = Membership.objects.get(user=people.yusuf)
    invitation = services.invitation_create(membership=yusuf, label="Dana at Hilltop")
    browser = client_for(people.dana)
    page = browser.get(f"/clinic/join/{invitation.token}/").content.decode()
    assert "You are a patient of <strong>Riverside Physio</strong> now." in page
    assert "Riverside Physio will no longer see your data" in page
    browser.post(f"/clinic/join/{invitation.token}/")
    assert Enrolment.objects.get(person=people.dana).clinic == people.hilltop
    assert people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").status_code == 404
    assert people.client("yusuf").get(f"/clinic/patients/{people.dana.pk}/").status_code == 200


def test_joining_the_clinic_one_is_already_at_changes_nothing_and_keeps_the_invitation() -> None:
    people = cast()
    invitation = make_invitation(people)
    browser = client_for(people.dana)
    page = browser.get(f"/clinic/join/{invitation.token}/").content.decode()
    assert "You are already a patient of Riverside Physio." in page
    assert 'id="join-clinic"' not in page
    browser.post(f"/clinic/join/{invitation.token}/")
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert Enrolment.objects.get(person=people.dana).label == "Dana"


def test_a_patient_leaves_the_clinic_from_the_join_page() -> None:
    people = cast()
    browser = client_for(people.dana)
    page = browser.get("/clinic/join/").content.decode()
    assert "You are a patient of <strong>Riverside Physio</strong>" in page
    response = browser.post("/clinic/join/leave/")
    assert response.status_code == 302
    assert not Enrolment.objects.filter(person=people.dana).exists()
    assert "You have left the clinic." in browser.get(response.url).content.decode()
    assert people.dana.screenings.exists()  # their own data stays theirs
    assert people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").status_code == 404
    # leaving with no clinic (or no person) is harmless
    assert Client().post("/clinic/join/leave/").status_code == 302


def test_a_clinician_withdraws_an_open_invitation() -> None:
    people = cast()
    invitation = make_invitation(people)
    cleo = people.client("cleo")
    assert "Withdraw" in cleo.get("/clinic/invitations/").content.decode()
    cleo.post(f"/clinic/invitations/{invitation.pk}/withdraw/")
    invitation.refresh_from_db()
    assert invitation.expires_at <= timezone.now()
    assert client_for(person_with_plan()[0]).get(f"/clinic/join/{invitation.token}/").status_code == 410
    page = cleo.get(f"/clinic/invitations/{invitation.pk}/").content.decode()
    assert "can no longer be used" in page
    assert not re.search(r'class="code"', page)


def test_the_invitations_page_lists_the_clinics_own_invitations_only() -> None:
    people = cast()
    make_invitation(people, label="Erin")
    services.invitation_create(membership=Membership.objects.get(user=people.yusuf), label="Hilltop patient")
    page = people.client("cleo").get("/clinic/invitations/").content.decode()
    assert "Erin" in page and "Hilltop patient" not in page
