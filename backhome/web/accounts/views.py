"""Thin views: read with selectors, write with services. The browser's person is the session's
(``patient.services.SESSION_KEY``); for a logged-in account the middleware keeps it the account's."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.core.mail import send_mail
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from backhome.web.accounts import forms, selectors, services
from backhome.web.accounts.selectors import normalise_email
from backhome.web.config import throttle
from backhome.web.errors import status_of
from backhome.web.patient import selectors as patient_selectors
from backhome.web.patient.language import person_language
from backhome.web.patient.models import Person
from backhome.web.patient.services import SESSION_KEY

#: A one-time message for the next accounts page (what happened at sign-up, login or logout).
NOTICE_KEY = "backhome_account_notice"


def _notice(request: HttpRequest) -> str | None:
    value = request.session.pop(NOTICE_KEY, None)
    return str(value) if value else None


LOCKED_MESSAGE = (
    "There have been too many wrong passwords for this email address, or from your connection, so to keep "
    "the account safe logging in is paused for 15 minutes. You can set a new password instead: the link "
    "we email you works at once."
)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a paused login (``AXES_LOCKOUT_CALLABLE``): the login form again, with why."""
    form = forms.LoginForm(request.POST if request.method == "POST" else None)
    form.is_valid()
    form.errors.clear()
    form.add_error(None, LOCKED_MESSAGE)
    context = {"form": form, "next": "", "notice": None}
    return render(request, "accounts/login.html", context, status=429)


# --------------------------------------------------------------------------- sign up, log in, log out


def _email_existing_owner(request: HttpRequest, email: str) -> None:
    address = normalise_email(email)
    if throttle.hit("signup_exists_email", address, "1/day") is not None:
        return
    owner = Person.objects.filter(user__email__iexact=address).first()
    with translation.override(person_language(owner)):  # the owner's language, not the visitor's
        body = render_to_string(
            "accounts/email/signup_exists.txt",
            {
                "email": address,
                "login_url": request.build_absolute_uri(reverse("accounts:login")),
                "reset_url": request.build_absolute_uri(reverse("accounts:password_reset")),
            },
        )
        send_mail(
            gettext("Someone tried to make a backhome account with your address"), body, None, [address]
        )


@never_cache
@sensitive_post_parameters("password")
@csrf_protect
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:account")
    guest = patient_selectors.person_for_session(request.session)
    has_data = guest is not None and selectors.person_has_data(guest)
    if request.method == "POST":
        form = forms.SignupForm(request.POST)
        if form.is_valid():
            try:
                user, person = services.account_create(
                    email=form.cleaned_data["email"], password=form.cleaned_data["password"], guest=guest
                )
            except services.AccountExists:
                # Answer as for a new address (a sign-up must not tell who has an account here); the
                # owner learns of it by email instead, at most once a day.
                _email_existing_owner(request, form.cleaned_data["email"])
                request.session[NOTICE_KEY] = "signup_emailed"
                return redirect("accounts:account")
            else:
                auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                request.session[SESSION_KEY] = person.pk
                request.session[NOTICE_KEY] = "signed_up_kept" if has_data else "signed_up"
                return redirect("accounts:account")
    else:
        form = forms.SignupForm()
    return _form_page(request, "accounts/signup.html", form, {"has_data": has_data})


@never_cache
@sensitive_post_parameters("password")
@csrf_protect
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "accounts:account")
    status = 200
    if request.method == "POST":
        form = forms.LoginForm(request.POST)
        status = 400
        if form.is_valid():
            email = form.cleaned_data["email"]
            # django-axes counts a wrong password against the email and the client's address; once either
            # is paused, its middleware answers with ``locked_out`` whatever this view says.
            user = auth.authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                form.add_error(
                    "password", "The email address or the password is not right. Please try again."
                )
            else:
                guest = patient_selectors.person_for_session(
                    request.session
                )  # before login renews the session
                auth.login(request, user)
                person, outcome = services.account_login(user=user, guest=guest)
                request.session[SESSION_KEY] = person.pk
                if outcome is not services.LoginOutcome.NOTHING:
                    request.session[NOTICE_KEY] = outcome.value
                    return redirect("accounts:account")
                return redirect(next_url or "accounts:account")
    else:
        form = forms.LoginForm()
    context = {"form": form, "next": next_url, "notice": _notice(request)}
    return render(request, "accounts/login.html", context, status=status)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """Logging out is a POST (a link or a prefetch never logs anyone out); GET asks to confirm."""
    if request.method == "POST":
        was_in = request.user.is_authenticated
        auth.logout(request)  # empties the session: this browser is a new guest with no answers
        if was_in:
            request.session[NOTICE_KEY] = "logged_out"
        return redirect("accounts:login")
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return render(request, "accounts/logout.html")


@never_cache
@sensitive_post_parameters("password")
@csrf_protect
@require_http_methods(["GET", "POST"])
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """Log out on every device (this one too) and revoke the API tokens; the password confirms it."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user = request.user
    if request.method == "POST":
        form = forms.LogoutEverywhereForm(user, request.POST)
        if form.is_valid():
            services.account_log_out_everywhere(user=user, password=form.cleaned_data["password"])
            auth.logout(request)
            request.session[NOTICE_KEY] = "logged_out_everywhere"
            return redirect("accounts:login")
    else:
        form = forms.LogoutEverywhereForm(user)
    return _form_page(request, "accounts/logout_everywhere.html", form, {})


# --------------------------------------------------------------------------- my account


@never_cache
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    person = patient_selectors.person_for_session(request.session)
    return render(
        request,
        "accounts/account.html",
        {
            "person": person,
            "has_data": person is not None and selectors.person_has_data(person),
            "notice": _notice(request),
        },
    )


@never_cache
@require_GET
def download(request: HttpRequest) -> HttpResponse:
    """Everything stored about this person, as a JSON file (``backhome.export/1``)."""
    person = patient_selectors.person_for_session(request.session)
    user = request.user if request.user.is_authenticated else None
    document = selectors.export_document(person=person, user=user)
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        content_type="application/json; charset=utf-8",
    )
    name = f"backhome-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    person = patient_selectors.person_for_session(request.session)
    user = request.user if request.user.is_authenticated else None
    if person is None and user is None:
        return render(request, "accounts/delete.html", {"nothing": True})
    status = 200
    if request.method == "POST":
        form = forms.DeleteForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.person_delete(person=person, user=user)
            except services.DeleteRefused as refused:
                form.add_error(None, refused.message)
                status = status_of(refused)
            else:
                auth.logout(request)  # empties the session, logged in or not
                return redirect("accounts:deleted")
    else:
        form = forms.DeleteForm()
    return render(request, "accounts/delete.html", {"form": form, "nothing": False}, status=status)


@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deleted.html")


# --------------------------------------------------------------------------- password reset


def _form_page(request: HttpRequest, template: str, form: Form, extra: dict[str, Any]) -> HttpResponse:
    status = 400 if form.is_bound else 200
    return render(request, template, {"form": form, **extra}, status=status)


def _bad_request(response: HttpResponse) -> HttpResponse:
    """A form that fails its checks is a 400 (Django's views say 200)."""
    response.status_code = 400
    return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = forms.ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_invalid(self, form: Form) -> HttpResponse:
        return _bad_request(super().form_invalid(form))

    def form_valid(self, form: Form) -> HttpResponse:
        # A few emails an hour to one address, whoever asks: no flooding someone's inbox. Past that
        # the page says the same (it never says whether an account exists), and nothing is sent.
        email = normalise_email(form.cleaned_data["email"])
        if throttle.hit("reset_email", email, settings.PASSWORD_RESET_EMAILS_PER_ADDRESS) is not None:
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_invalid(self, form: Form) -> HttpResponse:
        return _bad_request(super().form_invalid(form))

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        # A new password lifts a login pause: the person has shown they own the address.
        services.login_pause_lift(email=self.user.get_username())
        # Whoever knew the old password may have made tokens with it: they stop working too.
        services.account_credentials_renewed(user=self.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
