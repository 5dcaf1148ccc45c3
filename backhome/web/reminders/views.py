"""Thin views of the reminders (docs/reminders.md): the settings page of the browser's person, the
calendar feed at its secret address, and the emails' "stop" link.

The settings page only ever shows and changes the person of the browser session. The feed and the stop
link need no login: the secret (or the signature) is the key, and a revoked or wrong one is a 404 that
tells nothing.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backhome.web.patient.models import Person
from backhome.web.patient.selectors import person_for_session
from backhome.web.reminders import forms, ical, selectors, services

#: The new calendar secret waits here between the POST that made it and the page that shows it once.
NEW_SECRET_KEY = "backhome_reminders_new_feed"
#: What happened to the confirmation email at the last save (``services.ConfirmOutcome``), shown once.
CONFIRM_KEY = "backhome_reminders_confirm"


def _page(
    request: HttpRequest, person: Person, form: forms.ReminderForm, *, status: int = 200
) -> HttpResponse:
    settings = selectors.reminder_settings_or_defaults(person)
    secret = request.session.pop(NEW_SECRET_KEY, None)
    feed_url = ""
    if secret and settings.feed_hash == selectors.feed_hash(secret):
        feed_url = request.build_absolute_uri(reverse("reminders:feed", args=[secret]))
    context = {
        "form": form,
        "settings": settings,
        "state": selectors.programme_state(person),
        "feed_url": feed_url,
        "webcal_url": feed_url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1),
        "saved": request.GET.get("saved") == "1" and status == 200,
        "confirm": request.session.pop(CONFIRM_KEY, None) if status == 200 else None,
        "confirmed": selectors.confirmed(settings),
        "recipient": selectors.recipient(settings),
        "calendar_off": request.GET.get("calendar") == "off" and status == 200,
        "days_words": selectors.days_words(list(settings.session_days)),
        "session_words": selectors.time_words(settings.session_time),
        "checkin_words": selectors.time_words(settings.checkin_time),
    }
    return render(request, "reminders/settings.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    person = person_for_session(request.session)
    if person is None:
        return render(request, "reminders/no_plan.html")
    if person.locked:
        return redirect("patient:emergency")
    if request.method == "GET":
        current = selectors.reminder_settings_or_defaults(person)
        return _page(request, person, forms.ReminderForm(initial=forms.initial(current)))
    form = forms.ReminderForm(request.POST)
    if not form.is_valid():
        return _page(request, person, form, status=400)
    settings = services.reminder_settings_update(person=person, values=form.values())
    outcome = services.reminder_email_confirmation_send(settings=settings, base=selectors.public_url())
    request.session[CONFIRM_KEY] = outcome.value
    return redirect(reverse("reminders:settings") + "?saved=1#saved")


@never_cache
@require_POST
def feed_change(request: HttpRequest) -> HttpResponse:
    person = person_for_session(request.session)
    if person is None:
        return redirect("reminders:settings")
    action = request.POST.get("action")
    if action == "new":
        secret = services.calendar_feed_create(person=person, now=timezone.now())
        request.session[NEW_SECRET_KEY] = secret
        return redirect(reverse("reminders:settings") + "#calendar")
    if action == "off":
        services.calendar_feed_revoke(person=person, now=timezone.now())
        return redirect(reverse("reminders:settings") + "?calendar=off#calendar")
    return render(request, "reminders/problem.html", {"message": "action must be new or off."}, status=400)


@require_GET
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    settings = selectors.settings_by_feed_secret(secret)
    if settings is None:
        raise Http404("no such calendar")
    base = selectors.public_url()
    links = ical.Links(plan=f"{base}/plan/", checkin=f"{base}/check-in/", settings=f"{base}/reminders/")
    active = selectors.programme_state(settings.person) == "active"
    body = ical.feed_calendar(settings, links=links, active=active).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="backhome.ics"'
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@csrf_exempt  # RFC 8058: mail apps POST the List-Unsubscribe link with no form; the signature is the key
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    settings = selectors.settings_by_stop_token(token)
    if settings is None:
        raise Http404("no such link")
    if request.method == "POST":
        _ = request.POST  # read the body: one over the limit is a 413 (config/limits.py) and stops nothing
        services.reminder_emails_stop(settings=settings)
        return render(request, "reminders/stop.html", {"stopped": True})
    return render(request, "reminders/stop.html", {"stopped": not settings.email_on})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation link: its page asks for a press of the button (a mail scanner opening the link
    confirms nothing); the POST starts the emails."""
    found = selectors.confirmation_by_token(token)
    if found is None:
        raise Http404("no such link")
    settings, address = found
    if request.method == "POST":
        services.reminder_email_confirm(settings=settings, address=address)
        return render(request, "reminders/confirm.html", {"address": address, "done": True})
    return render(request, "reminders/confirm.html", {"address": address, "done": False})
