"""Every write of the clinic's people side (house style: ``<entity>_<action>``, keyword-only, atomic):
clinics, their clinicians, invitations, patients joining and leaving, the clinic's label of a patient.

The programme editor, clearances, alerts and screen requests write in their own modules (``editor.py``,
``alerts.py``, ``requests.py``). Nothing here decides a clinical rule.

Errors a person can fix are ``ClinicError`` (``clinic.errors``, a domain ``Invalid``) with the form
``field`` they concern and a plain ``message``; nothing is written when one is raised.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from backhome.web.clinic.audit_trail import record
from backhome.web.clinic.errors import ClinicError, InvitationError, NotAtClinic
from backhome.web.clinic.models import Clinic, Enrolment, Invitation, Membership, Role
from backhome.web.clinic.permissions import audit
from backhome.web.patient.models import Person

#: An invitation works for this long after it is made.
INVITATION_DAYS = 14
#: The letters of an invitation code: no 0/O, 1/I/L, so it can be read out and typed without doubt.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LABEL_MAX = 200


# --------------------------------------------------------------------------- clinics and clinicians


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _clean_text(value: str, *, field: str, limit: int, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ClinicError(field, f"Please give the {field}.")
    if "\x00" in text:
        raise ClinicError(field, f"The {field} has a character that cannot be stored (NUL): type it again.")
    if len(text) > limit:
        raise ClinicError(field, f"The {field} can be at most {limit} characters long.")
    return text


def clinic_create(*, name: str, phone: str = "", email: str = "", url: str = "") -> Clinic:
    """A new clinic. Its name is required; email and web address are checked when given."""
    name = _clean_text(name, field="name", limit=200, required=True)
    phone = _clean_text(phone, field="phone", limit=40)
    email = normalise_email(email or "")
    url = (url or "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ClinicError("email", f"{email!r} is not an email address.") from None
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ClinicError("url", f"{url!r} is not a web address (it starts with https://).") from None
    with transaction.atomic():
        return Clinic.objects.create(name=name, phone=phone, email=email, url=url)


def clinician_add(
    *, clinic: Clinic, email: str, role: str = Role.CLINICIAN, by: Membership | None = None
) -> tuple[Membership, bool]:
    """Make the person with this email address a clinician (or admin) of ``clinic``.

    Returns the membership and whether a new user was made; a new user has no password yet, and sets
    one through ``password_set_path``. A user who is an active clinician of another clinic is refused
    (one clinic per clinician in this version). An inactive membership of this clinic is made active
    again with the role given.
    """
    email = normalise_email(email)
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        EmailValidator()(email)
    except ValidationError:
        raise ClinicError(
            "email", "Please give the clinician's email address, like name@clinic.example."
        ) from None
    if role not in Role.values:
        raise ClinicError("role", "Choose a role: clinician or admin.")
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model._default_manager.filter(username__iexact=email).first()
        created = user is None
        if user is None:
            user = user_model._default_manager.create_user(username=email, email=email, password=None)
        elif not user.is_active:
            raise ClinicError("email", "This account is switched off; it cannot be made a clinician.")
        other = (
            Membership.objects.filter(user=user, active=True).exclude(clinic=clinic).select_related("clinic")
        )
        if other.exists():
            raise ClinicError("email", f"{email} is already a clinician of another clinic.")
        try:
            membership, _ = Membership.objects.update_or_create(
                clinic=clinic, user=user, defaults={"role": role, "active": True}
            )
        except IntegrityError:  # a second request adding the same person at the same moment
            raise ClinicError("email", f"{email} is already a clinician of this clinic.") from None
        record(
            clinic_id=clinic.pk,
            user_id=by.user_id if by is not None else None,
            action="admin",
            what=f"clinician added: {email} ({role})",
        )
        return membership, created


def password_set_path(user: AbstractBaseUser) -> str:
    """The path of a one-time link that lets ``user`` set their password (Django's password reset
    token: it stops working once the password is set, and after ``PASSWORD_RESET_TIMEOUT``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_reset_confirm", args=[uid, token])


def _admins_left(clinic_id: int, *, without: int) -> int:
    return (
        Membership.objects.filter(clinic_id=clinic_id, role=Role.ADMIN, active=True)
        .exclude(pk=without)
        .count()
    )


def membership_set_role(*, membership: Membership, role: str, by: Membership) -> Membership:
    """Change a clinician's role at the admin's clinic. The clinic keeps at least one active admin."""
    if role not in Role.values:
        raise ClinicError("role", "Choose a role: clinician or admin.")
    with transaction.atomic():
        target = Membership.objects.select_for_update().get(pk=membership.pk, clinic_id=by.clinic_id)
        if (
            target.role == Role.ADMIN
            and role != Role.ADMIN
            and _admins_left(target.clinic_id, without=target.pk) == 0
        ):
            raise ClinicError("role", "The clinic needs at least one admin: make someone else admin first.")
        target.role = role
        target.save(update_fields=["role"])
        return target


def membership_set_active(*, membership: Membership, active: bool, by: Membership) -> Membership:
    """Switch a clinician of the admin's clinic off (they can no longer open the clinic pages) or on.

    Switching off does not delete anything they did (the audit log and programme changes keep naming
    them). An admin cannot switch themselves off, and the clinic keeps at least one active admin.
    """
    with transaction.atomic():
        target = Membership.objects.select_for_update().get(pk=membership.pk, clinic_id=by.clinic_id)
        if not active:
            if target.pk == by.pk:
                raise ClinicError("active", "You cannot switch off your own access.")
            if target.role == Role.ADMIN and _admins_left(target.clinic_id, without=target.pk) == 0:
                raise ClinicError("active", "The clinic needs at least one admin.")
        else:
            other = Membership.objects.filter(user_id=target.user_id, active=True).exclude(pk=target.pk)
            if other.exists():
                raise ClinicError("active", "This person is now a clinician of another clinic.")
        target.active = active
        target.save(update_fields=["active"])
        record(
            clinic_id=target.clinic_id,
            user_id=by.user_id,
            action="admin",
            what=f"clinician {'switched on' if active else 'deactivated'}: {target.user.get_username()}",
        )
        return target


# --------------------------------------------------------------------------- invitations


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed, as a stored code: upper case, without spaces or dashes."""
    return "".join(ch for ch in str(text or "").upper() if ch.isalnum())


def invitation_create(
    *, membership: Membership, label: str = "", now: dt.datetime | None = None
) -> Invitation:
    """A new invitation to the membership's clinic: a long link token and an 8-letter code, for 14 days."""
    label = _clean_text(label, field="label", limit=LABEL_MAX)
    now = now or timezone.now()
    for _ in range(10):  # a clash of codes is rare (31^8 codes); try again with new ones
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    clinic_id=membership.clinic_id,
                    created_by_id=membership.user_id,
                    label=label,
                    token=secrets.token_urlsafe(32),
                    code=new_code(),
                    expires_at=now + dt.timedelta(days=INVITATION_DAYS),
                )
                record(
                    clinic_id=membership.clinic_id,
                    user_id=membership.user_id,
                    action="admin",
                    what=f"invitation made: {display_code(invitation.code)}",
                )
                return invitation
        except IntegrityError:
            continue
    raise RuntimeError("could not make a unique invitation code")  # pragma: no cover


def invitation_withdraw(
    *, membership: Membership, invitation_id: int, now: dt.datetime | None = None
) -> Invitation:
    """End an unused invitation of the membership's clinic now (its link and code stop working).
    ``NotAtClinic`` for another clinic's invitation."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation_id, clinic_id=membership.clinic_id)
            .first()
        )
        if invitation is None:
            raise NotAtClinic("There is no such invitation.")
        if invitation.used_at is None and invitation.expires_at > now:
            invitation.expires_at = now
            invitation.save(update_fields=["expires_at"])
            record(
                clinic_id=membership.clinic_id,
                user_id=membership.user_id,
                action="admin",
                what=f"invitation withdrawn: {display_code(invitation.code)}",
            )
        return invitation


def invitation_check(invitation: Invitation | None, *, now: dt.datetime | None = None) -> Invitation:
    """The invitation if it can still be used; else ``InvitationError`` saying why."""
    now = now or timezone.now()
    if invitation is None:
        raise InvitationError("unknown")
    if invitation.used_at is not None:
        raise InvitationError("used", invitation)
    if invitation.expires_at <= now:
        raise InvitationError("expired", invitation)
    return invitation


# --------------------------------------------------------------------------- patients joining and leaving


def enrolment_join(*, person: Person, token: str, now: dt.datetime | None = None) -> Enrolment:
    """The person joins the invitation's clinic: from now on its clinicians see their answers, plan,
    sessions and pain. Everything the person did before is kept, and the invitation is used up.

    A person is a patient of one clinic at a time: joining another clinic ends the enrolment at the
    first. Joining the clinic they are already a patient of changes nothing (the invitation stays
    unused). ``InvitationError`` (nothing written) when the invitation is unknown, used or expired.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = invitation_check(
            Invitation.objects.select_for_update().filter(token=token).first() if token else None, now=now
        )
        current = Enrolment.objects.select_for_update().filter(person=person).first()
        if current is not None and current.clinic_id == invitation.clinic_id:
            return current
        if current is not None:
            record(clinic_id=current.clinic_id, person_id=person.pk, action="enrolment", what="patient left")
            current.delete()
        enrolment = Enrolment.objects.create(
            person=person,
            clinic_id=invitation.clinic_id,
            invitation=invitation,
            label=invitation.label or f"Patient {display_code(invitation.code)}",
        )
        invitation.used_at = now
        invitation.used_by = person
        invitation.save(update_fields=["used_at", "used_by"])
        record(
            clinic_id=invitation.clinic_id,
            person_id=person.pk,
            action="enrolment",
            what=f"patient joined (invitation {display_code(invitation.code)})",
        )
        return enrolment


def enrolment_leave(*, person: Person) -> Clinic | None:
    """The person stops being a patient of their clinic (its clinicians no longer see their data).
    Returns the clinic they left, or None when they had none."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().select_related("clinic").filter(person=person).first()
        )
        if enrolment is None:
            return None
        clinic = enrolment.clinic
        record(clinic_id=clinic.pk, person_id=person.pk, action="enrolment", what="patient left")
        enrolment.delete()
        return clinic


def enrolment_relabel(
    *, membership: Membership, person: Person, label: str, record_number: str | None = None
) -> Enrolment:
    """Change how the clinic names a patient of theirs, and their number in the clinic's own records
    when given (audited as a change)."""
    label = _clean_text(label, field="label", limit=LABEL_MAX, required=True)
    number = None if record_number is None else _clean_text(record_number, field="record number", limit=64)
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(person=person, clinic_id=membership.clinic_id)
        enrolment.label = label
        fields = ["label"]
        if number is not None:
            enrolment.record_number = number
            fields.append("record_number")
        enrolment.save(update_fields=fields)
        audit(membership=membership, person=person, action="change", what="the patient's label")
        return enrolment


def display_code(code: str) -> str:
    """ABCDEFGH -> ABCD-EFGH (easier to read out and to type)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code
