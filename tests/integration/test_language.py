"""backhome in Spanish: the language from Accept-Language, the footer's control that keeps a guest's
and an account's choice, the result pages' words and reasons, and a person's emails in their language.

The catalogs are compiled by `make install` (the .mo files are not committed); the fixture compiles
them when a test runs without it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from backhome.web.patient import questions, services
from backhome.web.patient.language import person_language
from backhome.web.patient.models import Person, Screening
from backhome.web.reminders.models import ReminderSettings
from tests.builders import intake_doc
from tests.integration.api_helpers import account_for
from tests.integration.people import DANA_WEB, client_for, person_with_plan
from tests.integration.reminder_helpers import MONDAY, choose, london
from tests.integration.screening_helpers import flat, walk

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "backhome" / "locale"


@pytest.fixture(autouse=True)
def compiled_catalogs() -> None:
    for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)
    translation.trans_real._translations = {}  # a catalog compiled just now is read, not a cached absence
    translation.trans_real._default = None


def html(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_a_browser_that_asks_for_spanish_gets_the_home_page_in_spanish() -> None:
    page = html(Client().get("/", HTTP_ACCEPT_LANGUAGE="es"))
    assert '<html lang="es">' in page
    assert "Ejercicios para la zona lumbar, en casa" in page
    assert "Qué hacer en una urgencia" in page
    assert "Exercises for your low back" not in page


def test_a_browser_that_asks_for_english_or_a_language_not_offered_gets_english() -> None:
    for header in ("en-GB,en;q=0.9", "de-DE", ""):
        page = html(Client().get("/", HTTP_ACCEPT_LANGUAGE=header))
        assert '<html lang="en">' in page
        assert "Exercises for your low back, at home" in page


def test_every_page_of_the_patient_site_offers_the_language_control_in_its_footer() -> None:
    page = html(Client().get("/emergency/"))
    assert 'action="/i18n/setlang/"' in page
    assert '<select id="language-choice" name="language">' in page
    assert '<option value="es" lang="es">Español</option>' in page


def test_the_emergency_page_without_a_result_is_in_spanish_for_a_spanish_browser() -> None:
    page = html(Client().get("/emergency/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9"))
    assert '<html lang="es">' in page
    assert "Busque ayuda urgente ahora" in page
    assert "Vaya ahora a urgencias o llame al número de emergencias de su zona." in page
    assert "Qué hacer ahora, en este orden" in page


def test_a_person_with_an_emergency_answer_reads_their_warning_signs_in_spanish() -> None:
    person = Person.objects.create()
    answers = flat(intake_doc(DANA_WEB, symptoms={"bladder_change": True}))
    services.screening_save_answers(person=person, step_id=questions.step_ids()[0], answers=answers)
    person.refresh_from_db()
    assert person.locked  # a yes to an emergency sign stops the screening there
    client = client_for(person)
    page = html(client.get("/emergency/", HTTP_ACCEPT_LANGUAGE="es"))
    assert "Las señales de alarma que nos ha indicado" in page
    assert "Un cambio nuevo en la forma de orinar" in page
    assert "RF-01" in page  # in the folded detail for the physical therapist
    assert "how you pass urine" not in page
    english = html(client.get("/emergency/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "A new change in how you pass urine" in english


def test_a_guest_who_switches_to_spanish_keeps_it_on_the_next_pages_and_on_their_person() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    answer = client.post("/i18n/setlang/", {"language": "es", "next": "/plan/"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 302
    assert answer["Location"] == "/plan/"
    page = html(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="es">' in page
    person.refresh_from_db()
    assert person.language == "es"
    assert person_language(person) == "es"


def test_a_guest_with_no_person_yet_keeps_the_language_in_their_cookie() -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert '<html lang="es">' in html(client.get("/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in html(client.get("/", HTTP_ACCEPT_LANGUAGE="es"))


def test_an_account_that_switches_keeps_the_language_on_its_person() -> None:
    person, _ = person_with_plan()
    user = account_for(person, "dana@example.org")
    client = Client()
    client.force_login(user)
    client.get("/")  # the account's person is attached to the session
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert Person.objects.get(pk=person.pk).language == "es"


def test_a_language_the_site_does_not_offer_changes_nothing() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    assert client.post("/i18n/setlang/", {"language": "xx", "next": "/"}).status_code == 400
    person.refresh_from_db()
    assert person.language == ""
    assert person_language(person) == "en"


def test_a_person_who_chose_spanish_gets_their_reminder_email_in_spanish() -> None:
    dana, _ = person_with_plan()
    choose(dana, email_on=True, email="dana@example.org")
    Person.objects.filter(pk=dana.pk).update(language="es")
    walt, _ = person_with_plan()
    choose(walt, email_on=True, email="walt@example.org")
    assert ReminderSettings.objects.count() == 2
    call_command("send_reminders", now=london(MONDAY, 18, 5).isoformat())
    by_address = {message.to[0]: message for message in mail.outbox}
    spanish, english = by_address["dana@example.org"], by_address["walt@example.org"]
    assert spanish.subject == "Es la hora de sus ejercicios para la espalda"
    assert "Empiece la sesión de hoy: http://127.0.0.1:8000/session/" in spanish.body
    assert "Dejar de recibir estos correos:" in spanish.body
    assert english.subject == "Time for your back exercises"
    assert "Start today's session:" in english.body
    assert translation.get_language() in {"en", "en-us"}  # the send loop leaves no language behind


def test_the_same_answers_in_spanish_and_in_english_give_the_identical_decision() -> None:
    decisions = []
    for header in ("es", "en"):
        client = Client(HTTP_ACCEPT_LANGUAGE=header)
        client.get("/")
        walk(client, DANA_WEB)
        screening = Screening.objects.filter(decided_at__isnull=False).order_by("-pk").first()
        assert screening is not None
        decisions.append(screening.decision)
    spanish, english = decisions
    assert spanish == english
    assert spanish is not None and spanish["tier"] == "proceed"


def test_an_account_owner_who_chose_spanish_is_told_in_spanish_that_someone_used_their_address() -> None:
    person, _ = person_with_plan()
    account_for(person, "dana@example.org")
    Person.objects.filter(pk=person.pk).update(language="es")
    answer = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/account/signup/", {"email": "dana@example.org", "password": "a long test password 42"}
    )
    assert answer.status_code in {200, 302}
    (message,) = mail.outbox
    assert message.to == ["dana@example.org"]
    assert message.subject == "Alguien ha intentado crear una cuenta de backhome con su dirección"
