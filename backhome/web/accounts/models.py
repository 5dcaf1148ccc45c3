"""What the accounts app stores of its own: failed logins, for the login throttle. The account itself is
``django.contrib.auth``'s ``User`` (the email is the username) and its data hang off ``Person.user``."""

from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    """One wrong password (or unknown email) for an email address, for the login throttle.

    Kept by email, not by user, so an address with no account is throttled the same way and a refusal
    tells nobody whether the account exists. Rows older than a day are pruned as new ones are added.
    """

    email = models.CharField(max_length=254)
    at = models.DateTimeField()

    class Meta:
        indexes = (models.Index(fields=["email", "-at"], name="loginfailure_email_at"),)

    def __str__(self) -> str:
        return f"failed login at {self.at:%Y-%m-%d %H:%M}"
