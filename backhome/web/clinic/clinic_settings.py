"""A clinic's own settings, changed by its admin: where urgent alerts are emailed, the system of its
patient identifiers in FHIR, and its logo for handouts.

The logo is an uploaded PNG or JPEG, opened with Pillow, shrunk to at most ``LOGO_BOX`` pixels and
re-encoded as a PNG: what is stored is never the uploaded bytes (no SVG, no script, no metadata). It
lives in the database so that every server node prints the same handout.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction

from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.models import Clinic, Membership
from backhome.web.clinic.permissions import audit

#: The largest upload accepted (bytes) and the largest logo kept (pixels, width and height).
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_BOX = (600, 240)
#: Pillow refuses to decode images larger than this (pixels), before any memory is spent on them.
LOGO_MAX_PIXELS = 25_000_000
#: The longest email address (RFC 5321's path limit, the model field's length).
EMAIL_MAX = 254


def logo_png(data: bytes) -> bytes:
    """The uploaded image re-encoded as a PNG of at most ``LOGO_BOX``; ``ClinicError`` naming ``logo``
    for anything but a PNG or JPEG of a sensible size."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise ClinicError("logo", f"The logo can be at most {LOGO_MAX_BYTES // (1024 * 1024)} MB.")
    Image.MAX_IMAGE_PIXELS = LOGO_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise ClinicError("logo", "The logo must be a PNG or JPEG picture.")
            image.load()
            picture = image.convert("RGBA")
    except ClinicError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ClinicError("logo", "The logo must be a PNG or JPEG picture.") from None
    picture.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def clinic_settings_update(
    *,
    membership: Membership,
    alert_email: str,
    identifier_system: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Clinic:
    """Change the admin's clinic's settings (audited); ``ClinicError`` names the first wrong field."""
    email = alert_email.strip().lower()
    if len(email) > EMAIL_MAX:
        raise ClinicError("alert_email", f"The email address can be at most {EMAIL_MAX} characters long.")
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ClinicError("alert_email", "Give an email address like alerts@clinic.example.") from None
    system = identifier_system.strip()
    if system:
        try:
            URLValidator(schemes=["http", "https", "urn"])(system)
        except ValidationError:
            if not system.startswith("urn:oid:") or len(system) > 200:
                raise ClinicError(
                    "identifier_system",
                    "Give the identifier system as a web address (https://…) or an OID (urn:oid:…).",
                ) from None
    if len(system) > 200:
        raise ClinicError("identifier_system", "The identifier system can be at most 200 characters long.")
    png = logo_png(logo) if logo is not None else None
    with transaction.atomic():
        clinic = Clinic.objects.select_for_update().get(pk=membership.clinic_id)
        clinic.alert_email = email
        clinic.identifier_system = system
        if png is not None:
            clinic.logo = png
        elif remove_logo:
            clinic.logo = None
        clinic.save(update_fields=["alert_email", "identifier_system", "logo"])
        audit(membership=membership, person=None, action="change", what="clinic settings")
    return clinic
