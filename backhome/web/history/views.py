"""The history page: thin, it reads with the selector and shows what the core and the other apps stored."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backhome.web.history import selectors
from backhome.web.patient.selectors import person_for_session


@never_cache
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Pain over time, sessions done, doses reached, stops and flags: of the browser's own person only."""
    person = person_for_session(request.session)
    history = selectors.history_for_person(person, today=timezone.localdate())
    return render(request, "history/index.html", {"history": history, "weekdays": WEEKDAYS})


WEEKDAYS = (
    ("Mon", "Monday"),
    ("Tue", "Tuesday"),
    ("Wed", "Wednesday"),
    ("Thu", "Thursday"),
    ("Fri", "Friday"),
    ("Sat", "Saturday"),
    ("Sun", "Sunday"),
)
