"""The person's language: chosen with the footer's control, kept for them, used for what is sent to them.

A guest's choice lives in the language cookie (Django's ``set_language``); a person (guest with a
record, or account) also keeps it in ``Person.language``, so emails, reminders and handouts that are
made without their browser use it too. The browser's Accept-Language decides until they choose.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
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


# No CSRF token in the footer's form: a token on every page would set a cookie and make every page's HTML
# differ per request. A forged cross-site post can only change the display language: the session cookie
# is SameSite=Lax, so such a post reaches no person and changes no one's emails.
@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie, the redirect back), and the choice kept on the person."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    person_id = request.session.get(SESSION_KEY)
    if offered(code) and person_id is not None:
        Person.objects.filter(pk=person_id).update(language=code)
    if offered(code):
        translation.activate(code)
    return response
