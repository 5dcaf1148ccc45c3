"""The clinic's refusals, as the domain errors of ``backhome.web.errors`` (views and the API turn them
into an answer; nothing here knows an HTTP status)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backhome.web.errors import Conflict, Invalid, NotFound

if TYPE_CHECKING:
    from backhome.web.clinic.models import Invitation


class ClinicError(Invalid):
    """Input a person can correct: ``field`` names the form field (or the query string's parameter),
    ``message`` says what is wrong. Nothing is written when one is raised."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, fields=[(field, message)])
        self.field = field


class InvitationError(Conflict):
    """An invitation that cannot be used: ``reason`` is "unknown", "expired" or "used" (also its code)."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(f"This invitation cannot be used: {reason}.", code=f"invitation_{reason}")
        self.reason = reason
        self.invitation = invitation


class NotAtClinic(NotFound):
    """No such patient, invitation, alert or request at the clinician's clinic (another clinic's looks
    the same)."""
