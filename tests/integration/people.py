"""People with a decided screening, made through the services (as the web makes them), for tests that
start after the screening. The personas are the shared ones: Dana (disc herniation, extension plan) and
Walt (spinal stenosis, flexion plan)."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from backhome.web.patient import services
from backhome.web.patient.models import Person, Screening
from tests.integration.screening_helpers import DANA_WEB, WALT_WEB, flat

__all__ = ["DANA_WEB", "WALT_WEB", "browser_session", "client_for", "person_with_plan"]


def person_with_plan(doc: dict[str, Any] = DANA_WEB) -> tuple[Person, Screening]:
    """A guest person whose screening ``doc`` has been answered and decided."""
    person = Person.objects.create()
    answers = flat(doc)
    services.screening_save_answers(person=person, step_id=_first_step(), answers=answers)
    screening, _ = services.screening_submit(person=person)
    return person, screening


def _first_step() -> str:
    from backhome.web.patient import questions

    return questions.step_ids()[0]


def browser_session(person: Person) -> str:
    """A saved Django session for this guest person; its key is the ``sessionid`` cookie's value."""
    session = SessionStore()
    session[services.SESSION_KEY] = person.pk
    session.save()
    assert session.session_key is not None
    return session.session_key


def client_for(person: Person) -> Client:
    """A test client that is this guest person (their browser session)."""
    client = Client()
    client.cookies["sessionid"] = browser_session(person)
    return client
