"""The tap-to-call button for the emergency number on every page (B31)."""

from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def emergency_call() -> SafeString:
    """A large link that calls the emergency number (``BACKHOME_EMERGENCY_NUMBER``, 112 by default)."""
    number = str(getattr(settings, "EMERGENCY_NUMBER", "112"))
    dial = re.sub(r"[^0-9+]", "", number) or "112"
    words = gettext("Emergency: call %(number)s") % {"number": number}
    return format_html('<a class="call-emergency" href="tel:{}">{}</a>', dial, words)
