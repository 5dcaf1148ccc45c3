"""The clinic's audit log (``/clinic/audit/``, for a clinic admin): who looked at or changed what, when."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator

from backhome.web.clinic.models import AuditEvent, Enrolment

#: The log shows this many events a page.
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    who: str
    patient: str  # the clinic's label, or a note that the person left
    person_id: int | None


@dataclass(frozen=True)
class AuditLog:
    page: Page[AuditEvent]
    rows: tuple[AuditRow, ...]
    clinicians: tuple[tuple[int, str], ...]
    user_id: int | None
    person_id: int | None
    patient_label: str  # the label of ``person_id`` at this clinic ("" if none)
    find: str


def audit_log(
    clinic_id: int, *, user_id: int | None, person_id: int | None, find: str = "", page: int = 1
) -> AuditLog:
    """The clinic's audit events, newest first, 50 a page, filtered by clinician, by one patient
    (``person_id``, from a patient's page) and/or by the text of the patients' labels (``find``).

    Queries, whatever the size of the log: the count, the page (with the user and the person's
    enrolment), the clinicians for the filter, and the chosen patient's label. A person who left the
    clinic keeps their rows but not a label.
    """
    events = AuditEvent.objects.filter(clinic_id=clinic_id)
    if user_id is not None:
        events = events.filter(user_id=user_id)
    if person_id is not None:
        events = events.filter(person_id=person_id)
    if find:
        events = events.filter(
            person__enrolment__clinic_id=clinic_id, person__enrolment__label__icontains=find
        )
    paginator = Paginator(
        events.select_related("user", "person__enrolment").order_by("-at", "-pk"), PAGE_SIZE
    )
    current = paginator.get_page(page)
    rows = []
    for event in current.object_list:
        patient = ""
        if event.person_id is not None:
            enrolment = getattr(event.person, "enrolment", None) if event.person is not None else None
            if enrolment is not None and enrolment.clinic_id == clinic_id:
                patient = enrolment.label
            else:
                patient = f"patient no. {event.person_id} (no longer at this clinic)"
        who = event.user.get_username() if event.user is not None else "the patient"
        rows.append(AuditRow(event, who, patient, event.person_id))
    user_model = get_user_model()
    clinicians = tuple(
        (int(pk), str(name))
        for pk, name in user_model._default_manager.filter(memberships__clinic_id=clinic_id)
        .order_by("username")
        .values_list("pk", "username")
    )
    label = ""
    if person_id is not None:
        label = (
            Enrolment.objects.filter(clinic_id=clinic_id, person_id=person_id)
            .values_list("label", flat=True)
            .first()
            or f"patient no. {person_id}"
        )
    return AuditLog(current, tuple(rows), clinicians, user_id, person_id, label, find)
