"""The QR code on a clinic's handout: a signed, single-use, short-lived link that pairs a phone with the
patient's person (``pairing.py``). A row per printed link; ``used_at`` makes it single use."""

from __future__ import annotations

from django.db import models

from backhome.web.patient.models import Person


class PhonePairing(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    #: The random part of the signed link (the link itself is ``signing.dumps`` of it).
    nonce = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"phone pairing of {self.person}"
