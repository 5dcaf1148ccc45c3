"""A patient the clinic creates (the clinician authors the programme): their name, date of birth, the clinic's own
patient identifier and an optional contact, and an invitation whose code or QR code the patient joins
with. Whoever joins with it becomes that patient and finds what the clinic prepared for them
(``patient_claim``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backhome.core.contract import IntakeError
from backhome.web.clinic import services as clinic_services
from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.models import Enrolment, Invitation, Membership
from backhome.web.clinic.permissions import audit
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import Person, Screening

NAME_MAX = 200
REF_MAX = 64
CONTACT_MAX = 200
#: The oldest date of birth accepted (a typing mistake otherwise) and the youngest age (NG59: over 16s).
OLDEST = dt.date(1900, 1, 1)
YOUNGEST_YEARS = 16


def _text(value: str, *, field: str, limit: int, label: str, required: bool) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ClinicError(field, f"Give the patient's {label}.")
    if len(text) > limit:
        raise ClinicError(field, f"The {label} can be at most {limit} characters long.")
    if "\x00" in text:
        raise ClinicError(field, f"The {label} has a character that cannot be stored (NUL): type it again.")
    return text


def patient_create(
    *,
    membership: Membership,
    name: str,
    birth_date: dt.date | None,
    clinic_ref: str,
    contact: str = "",
    now: dt.datetime | None = None,
) -> tuple[Person, Invitation]:
    """A new patient of the membership's clinic and the invitation they join with (14 days). The
    clinic's identifier is unique within the clinic. Audited as a change."""
    name = _text(name, field="name", limit=NAME_MAX, label="name", required=True)
    clinic_ref = _text(
        clinic_ref, field="clinic_ref", limit=REF_MAX, label="patient identifier", required=True
    )
    contact = _text(contact, field="contact", limit=CONTACT_MAX, label="contact", required=False)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if birth_date is None:
        raise ClinicError("birth_date", "Give the patient's date of birth.")
    if not OLDEST <= birth_date <= today.replace(year=today.year - YOUNGEST_YEARS):
        raise ClinicError(
            "birth_date",
            f"Give a date of birth from 1900 on; backhome is for people aged {YOUNGEST_YEARS} or over.",
        )
    with transaction.atomic():
        if Enrolment.objects.filter(clinic_id=membership.clinic_id, clinic_ref=clinic_ref).exists():
            raise ClinicError("clinic_ref", "Another patient of your clinic has this identifier.")
        person = Person.objects.create()
        try:
            with transaction.atomic():
                Enrolment.objects.create(
                    person=person,
                    clinic_id=membership.clinic_id,
                    label=name,
                    name=name,
                    birth_date=birth_date,
                    clinic_ref=clinic_ref,
                    contact=contact,
                )
        except IntegrityError:  # the same identifier saved a moment ago
            raise ClinicError("clinic_ref", "Another patient of your clinic has this identifier.") from None
        invitation = clinic_services.invitation_create(membership=membership, label=name, now=now)
        invitation.patient = person
        invitation.save(update_fields=["patient"])
        audit(membership=membership, person=person, action="change", what="patient created by the clinic")
        return person, invitation


def patient_claim(*, token: str, now: dt.datetime | None = None) -> Person | None:
    """The patient a clinic created for this invitation, now joined (the invitation is used up); None
    for an invitation without one (the ordinary join). ``InvitationError`` when it cannot be used."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = clinic_services.invitation_check(
            Invitation.objects.select_for_update().filter(token=token).first() if token else None, now=now
        )
        if invitation.patient_id is None:
            return None
        invitation.used_at = now
        invitation.used_by_id = invitation.patient_id
        invitation.save(update_fields=["used_at", "used_by"])
        Enrolment.objects.filter(person_id=invitation.patient_id).update(invitation=invitation)
        return Person.objects.get(pk=invitation.patient_id)


def screening_in_clinic(
    *, membership: Membership, person: Person, steps: list[tuple[str, dict[str, Any]]]
) -> Screening:
    """The red-flag screen a clinician records in clinic: the same questions as the self-screen, saved
    step by step and decided by the core exactly as the patient's own (an emergency sign stops at its
    step and locks the programme; an emergency, urgent or soon result prescribes nothing). Audited."""
    with transaction.atomic():
        try:
            screening: Screening | None = None
            for step_id, given in steps:
                screening = patient_services.screening_save_answers(
                    person=person, step_id=step_id, answers=given
                )
                if screening.tier == "emergency":
                    break
            else:
                screening, _ = patient_services.screening_submit(person=person)
        except patient_services.LockError:
            raise ClinicError(
                "screen", "This patient's programme is locked after an emergency result: lift the lock first."
            ) from None
        except IntakeError as error:
            raise ClinicError("screen", "; ".join(str(p) for p in error.problems)) from None
        assert screening is not None
        audit(
            membership=membership,
            person=person,
            action="change",
            what=f"screening in clinic: {screening.tier}",
        )
        return screening
