"""Thin views of the morning check-in: read with selectors, write with the service, show the core's answer.

The check-in is a plain HTML form (no JavaScript talks to the server here); a refusal of the service
gets its kind's status (``status_of``), the same as the API's ``/api/v1/me/check-ins``.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from backhome.web.errors import status_of
from backhome.web.patient.selectors import person_for_session
from backhome.web.progress import selectors, services
from backhome.web.progress.forms import CheckInForm
from backhome.web.progress.models import CheckIn


def _notice(
    request: HttpRequest, kind: str, checkin: CheckIn | None = None, status: int = 200
) -> HttpResponse:
    return render(request, "progress/notice.html", {"kind": kind, "checkin": checkin}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    person = person_for_session(request.session)
    if person is not None and person.locked:
        return redirect("patient:emergency")
    if person is None or selectors.current_programme(person) is None:
        return _notice(request, "nothing", status=200 if request.method == "GET" else 409)
    today = timezone.localdate()
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record, _ = services.checkin_record(
                    person=person,
                    date=today,
                    back=data["back"],
                    leg=data["leg"],
                    zone=data["zone"],
                    stiffness=data["stiffness"],
                    id=data["id"],
                )
            except services.AlreadyCheckedIn as done:
                return _notice(request, "done", done.existing, status=status_of(done))
            except services.NoProgramme as nothing:
                return _notice(request, "nothing", status=status_of(nothing))
            except services.NotYours as error:
                raise Http404("no such check-in") from error
            return redirect("progress:result", checkin_id=record.pk)
        form_id = str(form["id"].value() or "") if not form.has_error("id") else str(uuid4())
        status = 400
    else:
        existing = selectors.checkin_on(person, today)
        if existing is not None:
            return _notice(request, "done", existing)
        form = CheckInForm()
        form_id = str(uuid4())
        status = 200
    return render(
        request,
        "progress/checkin.html",
        {"form": form, "rows": form.rows(), "form_id": form_id, "today": today},
        status=status,
    )


@never_cache
@require_GET
def result(request: HttpRequest, checkin_id: UUID) -> HttpResponse:
    """What changes today, and why: only ever the person's own check-in."""
    person = person_for_session(request.session)
    found = selectors.checkin_get(person, checkin_id) if person is not None else None
    if found is None:
        raise Http404("no such check-in")
    return render(request, "progress/result.html", {"result": selectors.checkin_result(found)})
