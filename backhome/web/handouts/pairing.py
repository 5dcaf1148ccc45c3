"""Pairing a phone from a handout's QR code.

A clinic's handout carries a link ``/handout/pair/<token>/``: the token is ``django.core.signing`` of a
random nonce (so it cannot be forged or guessed), and the nonce's ``PhonePairing`` row says whose it is,
until when (``LIFETIME``) and whether it was used. Opening the link asks first (a GET never uses it up:
a mail or chat preview would otherwise spend it); the button pairs the browser with the patient's person
and records the use, once.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from backhome.web.errors import Conflict, NotFound
from backhome.web.handouts.models import PhonePairing
from backhome.web.patient.models import Person

#: How long a printed link pairs a phone: long enough to scan it at home that week, short enough that a
#: lost sheet soon opens nothing.
LIFETIME = dt.timedelta(days=3)
SALT = "backhome.handouts.pair"


def pairing_path(person: Person, *, now: dt.datetime | None = None) -> str:
    """A new single-use pairing link's path for ``person`` (one row)."""
    now = now or timezone.now()
    nonce = secrets.token_urlsafe(16)
    PhonePairing.objects.create(person=person, nonce=nonce, expires_at=now + LIFETIME)
    return reverse("handouts:pair", args=[signing.dumps(nonce, salt=SALT, compress=False)])


def _pairing(token: str, *, now: dt.datetime) -> PhonePairing:
    try:
        nonce = signing.loads(token, salt=SALT, max_age=LIFETIME)
    except signing.BadSignature:  # SignatureExpired included
        raise NotFound("This link does not work: it is wrong or too old.") from None
    found = PhonePairing.objects.filter(nonce=str(nonce)).first()
    if found is None or found.expires_at <= now:
        raise NotFound("This link does not work: it is wrong or too old.")
    if found.used_at is not None:
        raise Conflict("This link was already used to open the programme on a phone.")
    return found


def pairing_check(token: str, *, now: dt.datetime | None = None) -> PhonePairing:
    """The unused, unexpired pairing of ``token``; ``NotFound`` or ``Conflict`` (used) otherwise."""
    return _pairing(token, now=now or timezone.now())


def pairing_use(token: str, *, now: dt.datetime | None = None) -> Person:
    """Use the link once: the person to pair the browser with. Two uses at once: one wins."""
    now = now or timezone.now()
    with transaction.atomic():
        found = _pairing(token, now=now)
        if not PhonePairing.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=now):
            raise Conflict("This link was already used to open the programme on a phone.")
        return Person.objects.get(pk=found.person_id)
