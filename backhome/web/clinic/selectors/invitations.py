"""Invitations (``/clinic/invitations/``) and the patient's join pages: an invitation's state in words,
the clinic's latest ones, one found by its link or its code, and the clinic a person is a patient of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from backhome.web.clinic.models import Enrolment, Invitation
from backhome.web.clinic.services import display_code
from backhome.web.clinic.words import ago, plural
from backhome.web.patient.models import Person


@dataclass(frozen=True)
class InvitationView:
    invitation: Invitation
    code: str  # ABCD-EFGH
    state: str  # open, used, expired
    state_words: str


def invitation_state(invitation: Invitation, now: dt.datetime) -> tuple[str, str]:
    if invitation.used_at is not None:
        return "used", f"used {ago(invitation.used_at, timezone.localdate(now))}"
    if invitation.expires_at <= now:
        return "expired", "expired"
    left = invitation.expires_at - now
    days = left.days
    return "open", f"open for {plural(days, 'more day')}" if days >= 1 else "open until later today"


def invitation_view(invitation: Invitation, now: dt.datetime) -> InvitationView:
    state, words = invitation_state(invitation, now)
    return InvitationView(invitation, display_code(invitation.code), state, words)


def invitations_recent(clinic_id: int, *, now: dt.datetime, limit: int = 30) -> list[InvitationView]:
    """The clinic's latest invitations (open ones first), one query."""
    rows = (
        Invitation.objects.filter(clinic_id=clinic_id)
        .select_related("created_by")
        .order_by("-created_at")[:limit]
    )
    views = [invitation_view(i, now) for i in rows]
    return sorted(views, key=lambda v: v.state != "open")


def invitation_of_clinic(clinic_id: int, invitation_id: int) -> Invitation | None:
    return Invitation.objects.filter(clinic_id=clinic_id, pk=invitation_id).select_related("clinic").first()


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.filter(token=token).select_related("clinic").first() if token else None


def invitation_by_code(code: str) -> Invitation | None:
    return Invitation.objects.filter(code=code).select_related("clinic").first() if code else None


def enrolment_of(person: Person | None) -> Enrolment | None:
    if person is None:
        return None
    return Enrolment.objects.filter(person=person).select_related("clinic").first()
