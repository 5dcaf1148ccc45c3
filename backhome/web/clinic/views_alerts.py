"""The alerts inbox (thin: ``alerts.py`` reads and writes; looking at the inbox is audited)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from backhome.web.clinic import alerts
from backhome.web.clinic.errors import ClinicError, NotAtClinic
from backhome.web.clinic.models import Alert, Membership
from backhome.web.clinic.permissions import audit, membership_of, patient_of_clinic, require_clinician
from backhome.web.patient.models import Person


def _inbox(
    request: HttpRequest,
    membership: Membership,
    *,
    acknowledged: bool,
    person: Person | None,
    severity: int | None = None,
    error: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    lines = alerts.alerts_inbox(
        membership.clinic_id,
        acknowledged=acknowledged,
        person_id=person.pk if person is not None else None,
        severity=severity,
    )
    what = "alerts inbox" + (", acknowledged" if acknowledged else "")
    audit(membership=membership, person=person, action="view", what=what)
    return render(
        request,
        "clinic/alerts_inbox.html",
        {
            "nav": "alerts",
            "lines": lines,
            "acknowledged": acknowledged,
            "person": person,
            "severity": severity,
            "severities": [(s.value, alerts.SEVERITY_WORDS[s]) for s in Alert.Severity],
            "label": next((line.label for line in lines), "") if person is not None else "",
            "error": error,
            "done": request.GET.get("done", "").isdigit(),
        },
        status=status,
    )


def _filters(request: HttpRequest, membership: Membership) -> tuple[bool, Person | None, int | None]:
    """``?state=acknowledged``, ``?patient=<id>`` (a patient of this clinic, or 404) and
    ``?severity=3|2|1`` (anything else: every severity)."""
    source = request.POST if request.method == "POST" else request.GET
    acknowledged = source.get("state") == "acknowledged"
    patient = source.get("patient", "")
    person = patient_of_clinic(membership, patient) if patient else None
    value = source.get("severity", "")
    severity = int(value) if value.isdigit() and int(value) in Alert.Severity.values else None
    return acknowledged, person, severity


@require_GET
@require_clinician
def inbox(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    acknowledged, person, severity = _filters(request, membership)
    return _inbox(request, membership, acknowledged=acknowledged, person=person, severity=severity)


@require_POST
@require_clinician
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    membership = membership_of(request)
    _, person, _ = _filters(request, membership)
    try:
        alerts.alert_acknowledge(membership=membership, alert_id=alert_id, note=request.POST.get("note", ""))
    except NotAtClinic:
        raise Http404("no such alert") from None
    except ClinicError as problem:
        error = {"alert": alert_id, "field": problem.field, "message": problem.message}
        return _inbox(request, membership, acknowledged=False, person=person, error=error, status=400)
    url = reverse("clinic:alerts") + "?done=1"
    if person is not None:
        url += f"&patient={person.pk}"
    return redirect(url)
