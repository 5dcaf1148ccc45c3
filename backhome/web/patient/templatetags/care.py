"""Where a person can get care, for the referral card and the worry section: whether any clinic takes
requests for a screen through this site (otherwise the card offers the clinic's contact or words on how
to find a physical therapist, not a page that says no clinic takes requests)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def screen_requests_open() -> bool:
    from backhome.web.clinic.models import Clinic  # the clinic app builds on this one

    return Clinic.objects.exists()
