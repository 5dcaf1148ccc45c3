"""Personal access tokens: what a script or an app sends as ``Authorization: Bearer <token>``.

The secret is shown once, when the token is made, and never stored: only its SHA-256 hash and a short
prefix that is not secret (it names the token in lists and finds its row without a scan).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    READ = "read", "Read my plan, history and records"
    WRITE = "write", "Record my sessions and check-ins"
    CLINIC_READ = "clinic:read", "Clinicians: read my clinic's patients, programmes and alerts"
    CLINIC_WRITE = "clinic:write", "Clinicians: acknowledge my clinic's alerts"


class AccessToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    #: What the person called it ("my phone", "export script").
    name = models.CharField(max_length=80)
    #: A list of ``Scope`` values.
    scopes = models.JSONField(default=list)
    #: The token's first characters after ``bh_``: not secret, unique, shown in lists.
    prefix = models.CharField(max_length=16, unique=True)
    #: SHA-256 of the whole token, hex.
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"token {self.prefix} ({self.name})"
