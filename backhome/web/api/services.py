"""Every write of the API app: making, using and revoking personal access tokens (keyword-only, atomic)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backhome.web.api.models import AccessToken, Scope
from backhome.web.errors import Invalid

#: Every token starts with this, so a leaked one is easy to recognise (and to search for in code).
TOKEN_START = "bh_"
PREFIX_LENGTH = 10
#: How long a new token lasts, in days (None: until revoked).
EXPIRY_CHOICES = (30, 90, 365, None)
#: A token's ``last_used_at`` is written at most this often, so reads stay reads.
LAST_USED_EVERY = dt.timedelta(minutes=1)
CLINIC_SCOPES = frozenset({Scope.CLINIC_READ.value, Scope.CLINIC_WRITE.value})


class TokenError(Invalid):
    """A token that cannot be made; ``field`` names the answer that is wrong. Nothing was stored."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, fields=[(field, message)])
        self.field = field


def hash_secret(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _clean_scopes(scopes: Iterable[Any], *, clinician: bool) -> list[str]:
    chosen = []
    for scope in scopes:
        if scope not in Scope.values:
            raise TokenError("scopes", f"Unknown scope {str(scope)[:40]!r}.")
        if scope in CLINIC_SCOPES and not clinician:
            raise TokenError("scopes", "Only a clinic's clinicians can give a token clinic scopes.")
        if scope not in chosen:
            chosen.append(str(scope))
    if not chosen:
        raise TokenError("scopes", "Choose at least one thing the token may do.")
    return [s for s in Scope.values if s in chosen]  # a stable order


def token_create(
    *,
    user: Any,
    name: str,
    scopes: Iterable[Any],
    expires_in_days: int | None,
    clinician: bool,
    now: dt.datetime | None = None,
) -> tuple[AccessToken, str]:
    """A new token for ``user`` and its secret, the only time the secret exists outside the caller.

    ``clinician``: whether the user is an active clinician (only they may have the clinic scopes).
    Raises :class:`TokenError` for a guest, an empty or long name, unknown scopes or an expiry not offered.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise TokenError("user", "Make an account first: a token belongs to an account.")
    clean_name = " ".join(str(name or "").split())
    if not clean_name:
        raise TokenError("name", "Give the token a name, so you know later what uses it.")
    if len(clean_name) > 80:
        raise TokenError("name", "The name can be at most 80 characters long.")
    chosen = _clean_scopes(scopes, clinician=clinician)
    if expires_in_days not in EXPIRY_CHOICES:
        raise TokenError("expires", "Choose how long the token lasts from the list.")
    now = now or timezone.now()
    expires_at = now + dt.timedelta(days=expires_in_days) if expires_in_days is not None else None
    for _ in range(5):  # a clash of two random prefixes is very unlikely; try again if it happens
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                row = AccessToken.objects.create(
                    user=user,
                    name=clean_name,
                    scopes=chosen,
                    prefix=prefix,
                    secret_hash=hash_secret(token),
                    expires_at=expires_at,
                )
            return row, token
        except IntegrityError:
            continue
    raise RuntimeError("could not make a unique token prefix")  # pragma: no cover


def token_revoke(*, user: Any, token_id: int, now: dt.datetime | None = None) -> AccessToken | None:
    """Revoke one of ``user``'s tokens (revoking again changes nothing); None if it is not theirs."""
    with transaction.atomic():
        row = AccessToken.objects.select_for_update().filter(pk=token_id, user_id=user.pk).first()
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = now or timezone.now()
            row.save(update_fields=["revoked_at"])
        return row


def tokens_revoke_all(*, user: Any, now: dt.datetime | None = None) -> int:
    """Revoke every live token of ``user`` (a password reset, a log out everywhere); how many were live."""
    return AccessToken.objects.filter(user_id=user.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def tokens_revoke_on_renewal(sender: Any, *, user: Any, **kwargs: Any) -> int:
    """The receiver of ``accounts.services.credentials_renewed``: the account's tokens end."""
    return tokens_revoke_all(user=user)


def token_mark_used(*, token: AccessToken, now: dt.datetime | None = None) -> None:
    """Note when a token was last used (at most once a minute, so a burst of reads writes once)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
