"""The clinic's people pages (thin: read with selectors, write with services, audit every look at a
patient's data). The patient's side of joining a clinic is ``views_join``.

Clinician pages are wrapped in ``permissions.require_clinician`` (or ``require_clinic_admin``); a
patient is found with ``permissions.patient_of_clinic`` (404 for anyone not enrolled at the clinic).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backhome.web.clinic import audit_trail, charts, services
from backhome.web.clinic.errors import ClinicError, NotAtClinic
from backhome.web.clinic.models import Enrolment, Membership, Role
from backhome.web.clinic.outcomes import odi_record
from backhome.web.clinic.permissions import (
    audit,
    membership_of,
    patient_of_clinic,
    require_clinic_admin,
    require_clinician,
)
from backhome.web.clinic.selectors import clinicians as clinician_selectors
from backhome.web.clinic.selectors import invitations as invitation_selectors
from backhome.web.clinic.selectors.audit_log import audit_log as read_audit_log
from backhome.web.clinic.selectors.patient_list import SORT_FIRST, ListQuery, list_query, patient_list
from backhome.web.clinic.selectors.patient_page import PatientPage, patient_page
from backhome.web.clinic.selectors.patient_rows import ADHERENCE_DAYS
from backhome.web.handouts.pairing import pairing_path
from backhome.web.handouts.render import (
    PAPERS,
    Letterhead,
    NoProgramme,
    Paper,
    Sheet,
    handout_pdf,
    handouts_pdf,
)
from backhome.web.patient.models import Person


def _today() -> dt.date:
    return timezone.localdate()


# --------------------------------------------------------------------------- the patient list


@require_GET
@require_clinician
def patients(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    try:
        query = list_query(request.GET)
    except ClinicError as error:
        context = {"nav": "patients", "error": error, "query": ListQuery()}
        return render(request, "clinic/patients.html", context, status=400)
    listing = patient_list(membership.clinic_id, query, today=_today())
    audit(membership=membership, person=None, action="view", what=f"patient list, page {listing.page.number}")
    return render(
        request,
        "clinic/patients.html",
        {
            "nav": "patients",
            "listing": listing,
            "query": query,
            "columns": _columns(query),
            "filter_params": _params(query, page=None),
            "adherence_days": ADHERENCE_DAYS,
            "sort_choices": SORT_CHOICES,
        },
    )


#: The "Sort by" menu: each sort in the order that shows what needs attention first.
SORT_CHOICES = (
    ("severity", "Red flags first: locked, then the most urgent alerts"),
    ("alerts", "Most open alerts first"),
    ("adherence", "Fewest sessions first"),
    ("pain", "Back pain: least improved first"),
    ("activity", "Quiet for longest first"),
    ("label", "Name, A to Z"),
)
COLUMNS = (
    ("label", "Patient"),
    ("adherence", "Sessions, last 14 days"),
    ("pain", "Back pain, screening → now"),
    ("alerts", "Open alerts"),
    ("activity", "Last activity"),
)


def _params(query: ListQuery, **changes: Any) -> str:
    values = {
        "sort": query.sort,
        "order": query.order,
        "has_alerts": "1" if query.has_alerts else None,
        "low_adherence": "1" if query.low_adherence else None,
        "no_improvement": "1" if query.no_improvement else None,
        "find": query.find or None,
        "page": query.page if query.page != 1 else None,
    }
    values.update(changes)
    params = QueryDict(mutable=True)
    for key, value in values.items():
        if value is not None:
            params[key] = str(value)
    return params.urlencode()


def _columns(query: ListQuery) -> list[dict[str, Any]]:
    """Each column header: its link (the first click sorts the way that shows what needs attention
    first; a second click reverses) and its aria-sort."""
    out = []
    for key, title in COLUMNS:
        active = query.sort == key
        order = ("asc" if query.order == "desc" else "desc") if active else SORT_FIRST[key]
        out.append(
            {
                "key": key,
                "title": title,
                "active": active,
                "aria_sort": ("ascending" if query.order == "asc" else "descending") if active else "",
                "params": _params(query, sort=key, order=order, page=None),
                "arrow": ("↑" if query.order == "asc" else "↓") if active else "",
            }
        )
    return out


# --------------------------------------------------------------------------- a patient's page


#: The earliest ``?until=`` of a patient's page (nobody practised with backhome before it).
EARLIEST_UNTIL = dt.date(2000, 1, 1)


@require_GET
@require_clinician
def patient(request: HttpRequest, person_id: int) -> HttpResponse:
    membership = membership_of(request)
    person = patient_of_clinic(membership, person_id)
    until = None
    if request.GET.get("until"):
        try:
            until = dt.date.fromisoformat(request.GET["until"])
            if until < EARLIEST_UNTIL:  # the charts reach 12 weeks before it: year 1 has no such weeks
                raise ValueError(until)
        except ValueError:
            return HttpResponse(
                f"until: give a date as YYYY-MM-DD, from {EARLIEST_UNTIL.isoformat()}.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
    try:
        page = patient_page(membership.clinic_id, person, today=_today(), until=until)
    except NotAtClinic:  # left the clinic a moment ago
        raise Http404("no such patient") from None
    what = "patient page" if page.until == page.today else f"patient page, to {page.until.isoformat()}"
    audit(membership=membership, person=person, action="view", what=what)
    return render(request, "clinic/patient.html", _patient_context(page))


def _patient_context(page: PatientPage) -> dict[str, Any]:
    return {
        "nav": "patients",
        "page": page,
        "row": page.row,
        "pain_chart": charts.pain_chart(page.pain_days, since=page.chart_since, until=page.until),
        "weeks_chart": charts.weeks_chart(page.weeks),
        "pain_key": charts.pain_key(),
        "label_error": None,
    }


@require_POST
@require_clinician
def patient_label(request: HttpRequest, person_id: int) -> HttpResponse:
    membership = membership_of(request)
    person = patient_of_clinic(membership, person_id)
    try:
        services.enrolment_relabel(
            membership=membership,
            person=person,
            label=request.POST.get("label", ""),
            record_number=request.POST.get("record_number"),
        )
    except ClinicError as error:
        return render(
            request,
            "clinic/error.html",
            {
                "title": "The name was not changed",
                "error": error,
                "back": reverse("clinic:patient", args=[person.pk]),
            },
            status=400,
        )
    return redirect("clinic:patient", person_id=person.pk)


@require_GET
@require_clinician
def patient_handout(request: HttpRequest, person_id: int) -> HttpResponse:
    membership = membership_of(request)
    person = patient_of_clinic(membership, person_id)
    paper = request.GET.get("paper", "a4")
    if paper not in PAPERS:
        return HttpResponse(
            "paper: choose paper=a4 or paper=letter.", status=400, content_type="text/plain; charset=utf-8"
        )
    try:
        sheet = _sheet(request, membership, person)
        pdf = handout_pdf(
            person, plan_url=sheet.plan_url, paper=cast(Paper, paper), letterhead=sheet.letterhead
        )
    except NoProgramme:
        return render(
            request,
            "clinic/error.html",
            {
                "title": "Nothing to print",
                "message": "This patient has no programme to print: no result yet, a locked programme, "
                "or a result that gives no exercises.",
                "back": reverse("clinic:patient", args=[person.pk]),
            },
            status=409,
        )
    audit(membership=membership, person=person, action="export", what=f"handout PDF ({PAPERS[paper]})")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="backhome-handout-{person.pk}-{paper}.pdf"'
    return response


def _sheet(request: HttpRequest, membership: Membership, person: Person) -> Sheet:
    """A patient's handout as the clinic prints it: their name as the clinic knows them, the clinician's
    name, the clinic's logo, and a QR code with a new single-use link that pairs a phone with them."""
    label = Enrolment.objects.filter(person=person).values_list("label", flat=True).first() or ""
    user = request.user
    clinician = (user.get_full_name() or user.get_username()) if user.is_authenticated else ""
    return Sheet(
        person=person,
        plan_url=request.build_absolute_uri(pairing_path(person)),
        letterhead=Letterhead(
            patient_name=label, clinician_name=clinician, logo=bytes(membership.clinic.logo or b"") or None
        ),
    )


#: At most this many handouts in one PDF (one page of the patient list).
HANDOUTS_MAX = 50


@require_POST
@require_clinician
def patients_handouts(request: HttpRequest) -> HttpResponse:
    """The handouts of the patients ticked on the list, in one PDF (each one audited)."""
    membership = membership_of(request)
    paper = request.POST.get("paper", "a4")
    ids = list(dict.fromkeys(request.POST.getlist("patient")))
    problem = ""
    if paper not in PAPERS:
        problem = "Choose A4 or US Letter paper."
    elif not ids:
        problem = "Tick the patients whose handouts you want to print."
    elif len(ids) > HANDOUTS_MAX:
        problem = f"Print at most {HANDOUTS_MAX} handouts at once."
    elif not all(i.isascii() and i.isdigit() and len(i) <= 18 for i in ids):
        problem = "The ticked patients were not sent right: tick them again."  # a broken or forged form
    if problem:
        return render(
            request,
            "clinic/error.html",
            {"title": "Nothing to print", "message": problem, "back": reverse("clinic:patients")},
            status=400,
        )
    people = [patient_of_clinic(membership, pk) for pk in ids]
    try:
        pdf = handouts_pdf([_sheet(request, membership, p) for p in people], paper=cast(Paper, paper))
    except NoProgramme:
        return render(
            request,
            "clinic/error.html",
            {
                "title": "Nothing to print",
                "message": "One of these patients has no programme to print (no result yet, a locked "
                "programme, or a result that gives no exercises). Untick them and print again.",
                "back": reverse("clinic:patients"),
            },
            status=409,
        )
    for person in people:
        audit(membership=membership, person=person, action="export", what=f"handout PDF ({PAPERS[paper]})")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="backhome-handouts-{len(people)}-{paper}.pdf"'
    return response


@require_POST
@require_clinician
def patient_odi(request: HttpRequest, person_id: int) -> HttpResponse:
    """A clinician enters an ODI total they measured (OM-02, the score only)."""
    membership = membership_of(request)
    person = patient_of_clinic(membership, person_id)
    try:
        odi_record(
            membership=membership,
            person=person,
            value=request.POST.get("odi", ""),
            measured_on=request.POST.get("odi_on", ""),
            today=_today(),
        )
    except ClinicError as error:
        page = patient_page(membership.clinic_id, person, today=_today())
        context = {**_patient_context(page), "odi_error": error}
        return render(request, "clinic/patient.html", context, status=400)
    return redirect(reverse("clinic:patient", args=[person.pk]) + "#outcomes")


# --------------------------------------------------------------------------- invitations


@require_http_methods(["GET", "POST"])
@require_clinician
def invitations(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    error = None
    if request.method == "POST":
        try:
            invitation = services.invitation_create(
                membership=membership, label=request.POST.get("label", "")
            )
        except ClinicError as problem:
            error = problem
        else:
            return redirect("clinic:invitation", invitation_id=invitation.pk)
    return render(
        request,
        "clinic/invitations.html",
        {
            "nav": "invitations",
            "invitations": invitation_selectors.invitations_recent(membership.clinic_id, now=timezone.now()),
            "error": error,
            "label": request.POST.get("label", "") if error else "",
            "days": services.INVITATION_DAYS,
        },
        status=400 if error else 200,
    )


@require_GET
@require_clinician
def invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    membership = membership_of(request)
    found = invitation_selectors.invitation_of_clinic(membership.clinic_id, invitation_id)
    if found is None:
        raise Http404("no such invitation")
    view = invitation_selectors.invitation_view(found, timezone.now())
    link = request.build_absolute_uri(reverse("clinic:join_token", args=[found.token]))
    return render(
        request,
        "clinic/invitation.html",
        {
            "nav": "invitations",
            "view": view,
            "link": link,
            "qr": charts.qr_code(link) if view.state == "open" else "",
            "join_url": request.build_absolute_uri(reverse("clinic:join")),
        },
    )


@require_POST
@require_clinician
def invitation_withdraw(request: HttpRequest, invitation_id: int) -> HttpResponse:
    membership = membership_of(request)
    try:
        services.invitation_withdraw(membership=membership, invitation_id=invitation_id)
    except NotAtClinic:
        raise Http404("no such invitation") from None
    return redirect("clinic:invitations")


# --------------------------------------------------------------------------- clinicians (clinic admin)


@require_http_methods(["GET", "POST"])
@require_clinic_admin
def clinicians(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    error = None
    added = None
    if request.method == "POST":
        role = request.POST.get("role") or Role.CLINICIAN
        try:
            added_membership, created = services.clinician_add(
                clinic=membership.clinic, email=request.POST.get("email", ""), role=role, by=membership
            )
        except ClinicError as problem:
            error = problem
        else:
            added = {
                "membership": added_membership,
                "created": created,
                "link": request.build_absolute_uri(services.password_set_path(added_membership.user))
                if created or not added_membership.user.has_usable_password()
                else "",
            }
    return render(
        request,
        "clinic/clinicians.html",
        {
            "nav": "clinicians",
            "memberships": clinician_selectors.memberships_of_clinic(membership.clinic_id),
            "error": error,
            "added": added,
            "email": request.POST.get("email", "") if error else "",
            "roles": Role.choices,
        },
        status=400 if error else 200,
    )


@require_POST
@require_clinic_admin
def clinician_update(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = membership_of(request)
    target = clinician_selectors.membership_of_clinic(membership.clinic_id, membership_id)
    if target is None:
        raise Http404("no such clinician")
    action = request.POST.get("action", "")
    try:
        if action == "role":
            services.membership_set_role(membership=target, role=request.POST.get("role", ""), by=membership)
        elif action in ("deactivate", "activate"):
            services.membership_set_active(membership=target, active=action == "activate", by=membership)
        else:
            raise ClinicError("action", "Choose what to change: role, deactivate or activate.")
    except ClinicError as error:
        return render(
            request,
            "clinic/error.html",
            {
                "title": "Nothing was changed",
                "error": error,
                "back": reverse("clinic:clinicians"),
                "nav": "clinicians",
            },
            status=400,
        )
    return redirect("clinic:clinicians")


# --------------------------------------------------------------------------- audit log (clinic admin)


def _optional_int(params: QueryDict, name: str) -> int | None:
    value = params.get(name, "")
    if value == "":
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 18:  # "²" and 20,000 digits: not ids
        raise ClinicError(name, f"{name} is a number.")
    return int(value)


@require_GET
@require_clinic_admin
def audit_log(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    try:
        user_id = _optional_int(request.GET, "clinician")
        person_id = _optional_int(request.GET, "patient")
        page = _optional_int(request.GET, "page") or 1
        if "\x00" in request.GET.get("find", ""):  # PostgreSQL cannot compare text with a NUL in it
            raise ClinicError("find", "find has a character that cannot be searched for (NUL).")
    except ClinicError as error:
        return render(
            request, "clinic/error.html", {"title": "Check the filters", "error": error}, status=400
        )
    find = " ".join(request.GET.get("find", "").split())[:100]
    log = read_audit_log(membership.clinic_id, user_id=user_id, person_id=person_id, find=find, page=page)
    params = QueryDict(mutable=True)
    for key, value in (("clinician", user_id), ("patient", person_id), ("find", find or None)):
        if value is not None:
            params[key] = str(value)
    return render(request, "clinic/audit.html", {"nav": "audit", "log": log, "params": params.urlencode()})


#: The audit CSV covers at most this many days at once.
AUDIT_CSV_MAX_DAYS = 366


@require_GET
@require_clinic_admin
def audit_csv(request: HttpRequest) -> HttpResponse:
    """The clinic's audit log from ``from`` to ``to`` (dates, both included) as CSV; the download is
    itself audited."""
    membership = membership_of(request)
    today = _today()
    try:
        since = dt.date.fromisoformat(request.GET.get("from") or (today - dt.timedelta(days=30)).isoformat())
        until = dt.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        error = ClinicError("from", "Give the dates as YYYY-MM-DD.")
        return render(request, "clinic/error.html", {"title": "Check the dates", "error": error}, status=400)
    if until < since or (until - since).days >= AUDIT_CSV_MAX_DAYS:
        error = ClinicError("to", f"Choose a start before the end, at most {AUDIT_CSV_MAX_DAYS} days apart.")
        return render(request, "clinic/error.html", {"title": "Check the dates", "error": error}, status=400)
    audit(
        membership=membership,
        person=None,
        action="export",
        what=f"audit log CSV, {since.isoformat()} to {until.isoformat()}",
    )
    # Written as it is read (rows in chunks); a year of a busy clinic is a few megabytes.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    for line in audit_trail.csv_lines(
        audit_trail.audit_csv_rows(membership.clinic_id, since=since, until=until)
    ):
        response.write(line)
    response["Content-Disposition"] = f'attachment; filename="backhome-audit-{since}-to-{until}.csv"'
    response["Cache-Control"] = "no-store"
    return response
