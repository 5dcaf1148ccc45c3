"""The accounts forms: an email and a password, checked for form only. Our own words for every message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from backhome.web.accounts.selectors import normalise_email

EMAIL_ERRORS = {
    "required": "Please type your email address.",
    "invalid": "Please type a whole email address, like name@example.com.",
    "max_length": "This email address is too long (254 characters at most).",
}

#: Django's password validators say it their way; we say it ours (by the validator's error code).
PASSWORD_MESSAGES = {
    "password_too_short": "Please use at least {min_length} characters.",
    "password_too_common": "This password is one that many people use, so it is easy to guess. Please choose another.",
    "password_entirely_numeric": "Please use some letters or symbols, not only numbers.",
    "password_too_similar": "This password is too like your email address. Please choose another.",
}


def _input(kind: str, autocomplete: str, **attrs: Any) -> dict[str, Any]:
    return {"class": f"field-input {kind}", "autocomplete": autocomplete, **attrs}


def email_field() -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(
            attrs=_input("email", "email", autocapitalize="none", spellcheck="false", inputmode="email")
        ),
    )


def password_field(*, label: str, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        error_messages={"required": "Please type your password."},
        widget=forms.PasswordInput(attrs=_input("password", autocomplete)),
    )


def new_password_help() -> str:
    length = next(
        (
            v.min_length
            for v in password_validation.get_default_password_validators()
            if isinstance(v, password_validation.MinimumLengthValidator)
        ),
        8,
    )
    return f"At least {length} characters. A few words you will remember is a good choice."


def check_new_password(password: str, user: User) -> None:
    """Django's validators (settings.AUTH_PASSWORD_VALIDATORS), with our wording."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        messages = []
        for item in error.error_list:
            template = PASSWORD_MESSAGES.get(item.code or "")
            messages.append(
                ValidationError(template.format(**(item.params or {})), code=item.code) if template else item
            )
        raise ValidationError(messages) from None


class SignupForm(forms.Form):
    email = email_field()
    password = password_field(label="Choose a password", autocomplete="new-password")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "email"
        ].help_text = "We use it only to let you log in, and to send you a link if you forget your password."
        self.fields["password"].help_text = new_password_help()

    def clean_email(self) -> str:
        # Whether the address has an account is not said here: the view emails its owner instead.
        return normalise_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email, password = cleaned.get("email"), cleaned.get("password")
        if password:
            try:
                check_new_password(password, User(username=email or "", email=email or ""))
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class LoginForm(forms.Form):
    email = email_field()
    password = password_field(label="Password", autocomplete="current-password")

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])


class ResetRequestForm(PasswordResetForm):
    """Django's password reset form (it sends nothing, and says nothing, for an unknown address)."""

    email = email_field()


class NewPasswordForm(forms.Form):
    """A new password after a reset link (one field, like sign-up), with Django's validators."""

    new_password1 = password_field(label="New password", autocomplete="new-password")

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = new_password_help()
        self.fields["new_password1"].error_messages["required"] = "Please type a new password."

    def clean_new_password1(self) -> str:
        password: str = self.cleaned_data["new_password1"]
        check_new_password(password, self.user)
        return password

    def save(self, commit: bool = True) -> User:
        self.user.set_password(self.cleaned_data["new_password1"])
        if commit:
            self.user.save()
        return self.user


class DeleteForm(forms.Form):
    """Deleting everything is asked for in words: type DELETE (any case: the word is the point)."""

    confirm = forms.CharField(
        label="Type DELETE to confirm",
        max_length=20,
        error_messages={"required": "Please type the word DELETE to confirm."},
        widget=forms.TextInput(
            attrs=_input("confirm", "off", autocapitalize="characters", spellcheck="false")
        ),
    )

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"].strip()
        if value.upper() != "DELETE":
            raise ValidationError("Please type the word DELETE to confirm.", code="mismatch")
        return value


class LogoutEverywhereForm(forms.Form):
    """Logging out on every device asks for the password: whoever holds only this browser cannot."""

    password = password_field(label="Your password", autocomplete="current-password")

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("This is not the password of this account. Please try again.", code="wrong")
        return password
