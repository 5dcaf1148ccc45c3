"""Asking for a screen (issue 5): "speak to our licensed physical therapist and receive a screen".

A person (with or without a clinic, with or without a result) asks a clinic to contact them. The request
lands in the clinic's inbox (``/clinic/requests/``) and an email tells the clinic's address that one
arrived; the clinic marks it contacted or booked. The client's UUID makes a retried submit return the
stored request instead of a second one (and no second email).

If the person ticks "Send my screening result with my request", a summary of their latest decision is
stored with the request: tier, reasons, programme and what is held back, as it was decided (never decided
again here). The email carries no health information: only who asks and how to reach them; the summary is
read in the inbox.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from backhome.core.dose import describe_dose
from backhome.core.model import Tier
from backhome.core.words import tier_text
from backhome.web.clinic.errors import ClinicError, NotAtClinic
from backhome.web.clinic.models import Clinic, Enrolment, Membership, ScreenRequest
from backhome.web.clinic.permissions import audit
from backhome.web.clinic.words import exercise_name
from backhome.web.errors import Invalid
from backhome.web.patient.models import Person
from backhome.web.patient.selectors import screening_latest_decided
from backhome.web.progress.selectors import current_programme

log = logging.getLogger(__name__)

NAME_MAX = 200
PHONE_MAX = 40
EMAIL_MAX = 254
TIMES_MAX = 300
#: A phone number: digits with spaces, +, -, dots and brackets; at least 6 digits.
PHONE_CHARS = re.compile(r"^[0-9+()\-. ]+$")
SUMMARY_SCHEMA = "backhome.screen-request-summary/1"

STATUS_WORDS = {
    ScreenRequest.Status.NEW: "New",
    ScreenRequest.Status.CONTACTED: "Contacted",
    ScreenRequest.Status.BOOKED: "Booked",
}


class RequestInvalid(Invalid):
    """The form has mistakes: ``errors`` maps each field to a plain message. Nothing was stored."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors.items())
        self.errors = dict(errors)


# --------------------------------------------------------------------------- reads


def clinics_to_choose() -> list[Clinic]:
    """The clinics a person without a clinic may ask, by name."""
    return list(Clinic.objects.order_by("name", "pk"))


def clinic_of(person: Person | None) -> Clinic | None:
    """The clinic the person is a patient of, if any."""
    if person is None:
        return None
    enrolment = Enrolment.objects.filter(person=person).select_related("clinic").first()
    return enrolment.clinic if enrolment is not None else None


def has_result(person: Person | None) -> bool:
    return person is not None and screening_latest_decided(person) is not None


def result_summary(person: Person) -> dict[str, Any] | None:
    """The person's latest decision as a clinic reads it (None without one): tier, reasons, the programme
    at its current doses, and what is held back with why."""
    screening = person.emergency_screening if person.locked else screening_latest_decided(person)
    if screening is None or screening.decided_at is None:
        return None
    decision = screening.decision or {}
    tier = Tier.EMERGENCY if person.locked else Tier(screening.tier or Tier.EMERGENCY.value)
    programme = None if person.locked else current_programme(person)
    return {
        "schema": SUMMARY_SCHEMA,
        "tier": tier.value,
        "tier_title": tier_text(tier).title,
        "decided_at": screening.decided_at.isoformat(),
        "reasons": [
            {"rule": str(r.get("rule", "")), "text": str(r.get("text", ""))}
            for r in decision.get("reasons", []) or ()
            if isinstance(r, dict)
        ],
        "programme": [
            {
                "exercise_id": item.exercise_id,
                "name": exercise_name(item.exercise_id),
                "dose": describe_dose(item.dose, with_mode=True),
                "suspended": item.suspended,
            }
            for item in (programme.items if programme is not None else ())
        ],
        "held_back": [
            {
                "exercise_id": str(b.get("id", "")),
                "name": exercise_name(str(b.get("id", ""))),
                "rules": list(b.get("rules", [])),
                "reason": str(b.get("reason", "")),
            }
            for b in decision.get("blocked", []) or ()
            if isinstance(b, dict)
        ],
    }


@dataclass(frozen=True)
class RequestLine:
    request: ScreenRequest
    status_words: str
    #: The patient's label at this clinic when the requester is already its patient.
    patient_label: str


def requests_inbox(clinic_id: int, *, status: str | None = None, limit: int = 200) -> list[RequestLine]:
    """The clinic's screen requests, newest first; ``status`` keeps one status only (two queries)."""
    rows = ScreenRequest.objects.filter(clinic_id=clinic_id)
    if status:
        rows = rows.filter(status=status)
    found = list(rows.order_by("-created_at")[:limit])
    labels = dict(
        Enrolment.objects.filter(
            clinic_id=clinic_id, person_id__in={r.person_id for r in found if r.person_id}
        ).values_list("person_id", "label")
    )
    return [
        RequestLine(
            request=r,
            status_words=STATUS_WORDS.get(ScreenRequest.Status(r.status), r.status)
            if r.status in ScreenRequest.Status.values
            else r.status,
            patient_label=(labels.get(r.person_id) or f"Patient {r.person_id}")
            if r.person_id in labels
            else "",
        )
        for r in found
    ]


def new_count(clinic_id: int) -> int:
    return ScreenRequest.objects.filter(clinic_id=clinic_id, status=ScreenRequest.Status.NEW).count()


def request_of_person(person: Person | None, request_id: str | None) -> ScreenRequest | None:
    """A request this browser sent (its id kept in the session), with its clinic; None for any other."""
    if not request_id:
        return None
    try:
        pk = uuid.UUID(str(request_id))
    except ValueError:
        return None
    found = ScreenRequest.objects.filter(pk=pk).select_related("clinic").first()
    if found is None or found.person_id != (person.pk if person is not None else None):
        return None
    return found


# --------------------------------------------------------------------------- writes


def _text(value: object, limit: int) -> str:
    return " ".join(str(value or "").split())[: limit + 1]


def _validate(
    *, name: object, phone: object, email: object, preferred_times: object
) -> tuple[str, str, str, str, dict[str, str]]:
    errors: dict[str, str] = {}
    clean_name = _text(name, NAME_MAX)
    clean_phone = _text(phone, PHONE_MAX)
    clean_email = str(email or "").strip().lower()
    times = _text(preferred_times, TIMES_MAX)
    if not clean_name:
        errors["name"] = "Name: tell us your name, so the clinic knows who to ask for."
    elif len(clean_name) > NAME_MAX:
        errors["name"] = f"Name: at most {NAME_MAX} characters."
    if clean_phone:
        digits = sum(ch.isdigit() for ch in clean_phone)
        if len(clean_phone) > PHONE_MAX or not PHONE_CHARS.match(clean_phone) or digits < 6:
            errors["phone"] = "Phone: give a phone number with at least 6 digits, like 020 7946 0000."
    if clean_email:
        try:
            if len(clean_email) > EMAIL_MAX:
                raise ValidationError("too long")
            validate_email(clean_email)
        except ValidationError:
            errors["email"] = "Email: give an email address like name@example.com."
    if not clean_phone and not clean_email:
        errors["phone"] = "Phone or email: give at least one, so the clinic can reach you."
    if len(times) > TIMES_MAX:
        errors["preferred_times"] = f"Best times: at most {TIMES_MAX} characters."
    for field, value in (("name", name), ("phone", phone), ("email", email), ("preferred_times", times)):
        if "\x00" in str(value or "") and field not in errors:
            errors[field] = "This has a character that cannot be stored (NUL): type it again."
    return clean_name, clean_phone, clean_email, times, errors


def screen_request_submit(
    *,
    person: Person | None,
    id: object,
    clinic_id: object,
    name: object,
    phone: object = "",
    email: object = "",
    preferred_times: object = "",
    share_summary: bool = False,
    inbox_url: str = "",
) -> tuple[ScreenRequest, bool]:
    """Store a request for a screen and email the clinic; returns (request, created).

    The clinic is the person's own when they have one (whatever was posted), else the one chosen.
    The same ``id`` again returns the stored request unchanged (a retried submit: no second email);
    an ``id`` of someone else's request, or any mistake, raises ``RequestInvalid`` and stores nothing.
    """
    try:
        request_id = uuid.UUID(str(id))
    except ValueError:
        raise RequestInvalid(
            {"request_id": "The form is out of date: reload the page and send it again."}
        ) from None
    owner = person.pk if person is not None else None
    existing = ScreenRequest.objects.filter(pk=request_id).first()
    if existing is not None:
        if existing.person_id != owner:
            raise RequestInvalid(
                {"request_id": "The form is out of date: reload the page and send it again."}
            )
        return existing, False

    clean_name, clean_phone, clean_email, times, errors = _validate(
        name=name, phone=phone, email=email, preferred_times=preferred_times
    )
    clinic = clinic_of(person)
    if clinic is None:
        text = str(clinic_id or "").strip()
        known = text.isascii() and text.isdigit() and len(text) <= 18
        clinic = Clinic.objects.filter(pk=int(text)).first() if known else None
        if clinic is None:
            errors["clinic"] = "Clinic: choose the clinic you would like to hear from."
    if errors:
        raise RequestInvalid(errors)
    assert clinic is not None
    summary = result_summary(person) if share_summary and person is not None else None
    try:
        with transaction.atomic():
            created = ScreenRequest.objects.create(
                id=request_id,
                clinic=clinic,
                person=person,
                name=clean_name,
                phone=clean_phone,
                email=clean_email,
                preferred_times=times,
                share_summary=summary is not None,
                summary=summary,
            )
    except IntegrityError:  # the same id sent twice at the same moment: the first one stands
        existing = ScreenRequest.objects.filter(pk=request_id, person=person).first()
        if existing is None:
            raise RequestInvalid(
                {"request_id": "The form is out of date: reload the page and send it again."}
            ) from None
        return existing, False
    _email_clinic(created, clinic, inbox_url=inbox_url)
    return created, True


def _email_clinic(request: ScreenRequest, clinic: Clinic, *, inbox_url: str) -> None:
    """Tell the clinic's address that a request arrived (no health information in the email). A failure to
    send is logged: the request is stored and in the inbox whatever happens to the email."""
    if not clinic.email:
        return
    lines = [
        f"{request.name} asks {clinic.name} for a screen with a physical therapist.",
        "",
        f"Phone: {request.phone or '(not given)'}",
        f"Email: {request.email or '(not given)'}",
        f"Best times: {request.preferred_times or '(not given)'}",
        "",
        "They sent their screening result with the request: read it in the inbox."
        if request.share_summary
        else "They did not send their screening result.",
    ]
    if inbox_url:
        lines += ["", f"Screen requests: {inbox_url}"]
    try:
        send_mail(
            subject=f"backhome: {request.name} asks for a screen",
            message="\n".join(lines) + "\n",
            from_email=None,
            recipient_list=[clinic.email],
        )
    except Exception:  # any mail failure leaves the stored request as it is
        log.exception("could not email screen request %s to clinic %s", request.pk, clinic.pk)


def screen_request_set_status(*, membership: Membership, request_id: object, status: str) -> ScreenRequest:
    """Mark a request of the membership's clinic new, contacted or booked (audited).
    ``NotAtClinic`` for any other clinic's request."""
    if status not in ScreenRequest.Status.values:
        raise ClinicError("status", "Choose new, contacted or booked.")
    try:
        pk = uuid.UUID(str(request_id))
    except ValueError:
        raise NotAtClinic("There is no such request.") from None
    with transaction.atomic():
        found = (
            ScreenRequest.objects.select_for_update().filter(pk=pk, clinic_id=membership.clinic_id).first()
        )
        if found is None:
            raise NotAtClinic("There is no such request.")
        if found.status != status:
            found.status = status
            found.status_changed_by_id = membership.user_id
            found.save(update_fields=["status", "status_changed_by", "updated_at"])
            audit(
                membership=membership,
                person=found.person,
                action="change",
                what=f"screen request of {found.name[:80]}: {status}",
            )
        return found
