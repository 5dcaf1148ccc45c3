"""The person's language: chosen with the footer's control, kept for them, used for what is sent to them.

A guest's choice lives in the language cookie (Django's ``set_language``); a person (guest with a
record, or account) also keeps it in ``Person.language``, so emails, reminders and handouts that are
made without their browser use it too. The browser's Accept-Language decides until they choose.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from backhome.web.patient.models import Person
from backhome.web.patient.services import SESSION_KEY


def offered(code: str | None) -> bool:
    return bool(code) and code in {c for c, _ in settings.LANGUAGES}


def person_language(person: Person | None) -> str:
    """The language to write to ``person`` in when their browser is not there (emails, reminders, handouts)."""
    if person is not None and offered(person.language):
        return person.language
    return str(settings.LANGUAGE_CODE)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie, the redirect back), and the choice kept on the person.

    A language the site does not offer is refused with a page that says so (400), nothing changed.
    """
    code = request.POST.get("language", "")
    if not offered(code) or len(request.POST.getlist("language")) != 1:
        return render(request, "patient/language_problem.html", status=400)
    response = django_set_language(request)
    person_id = request.session.get(SESSION_KEY)
    if person_id is not None:
        Person.objects.filter(pk=person_id).update(language=code)
    translation.activate(code)
    return response
