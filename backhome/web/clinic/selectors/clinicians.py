"""The clinic's clinicians (``/clinic/clinicians/``, for a clinic admin)."""

from __future__ import annotations

from backhome.web.clinic.models import Membership


def memberships_of_clinic(clinic_id: int) -> list[Membership]:
    return list(
        Membership.objects.filter(clinic_id=clinic_id)
        .select_related("user")
        .order_by("-active", "user__email")
    )


def membership_of_clinic(clinic_id: int, membership_id: int) -> Membership | None:
    return Membership.objects.filter(clinic_id=clinic_id, pk=membership_id).select_related("user").first()
