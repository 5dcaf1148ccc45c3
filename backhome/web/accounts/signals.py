"""What happens at every login, whichever view logs the account in (connected in ``AccountsConfig.ready``).

A clinician's session is short from the first request: the 30-minute idle timeout that every clinic page
re-arms (``clinic.permissions``) starts at login, not at the first clinic page, so a clinician who logs
in and walks away does not leave a session that lives a year.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from backhome.web.clinic.models import Membership
from backhome.web.clinic.permissions import CLINICIAN_IDLE_SECONDS


def clinician_session_short(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if Membership.objects.filter(user_id=user.pk, active=True).exists():
        request.session.set_expiry(CLINICIAN_IDLE_SECONDS)
