"""Every address of the site, collected from the URL conf, with how to reach it (issue 7 items 5 and 6).

``url_names()`` walks the URL conf; ``ROUTES`` has one row per name, so a new page, form or endpoint
without a row fails ``test_every_url_pattern_has_a_row`` (tests/integration/test_security.py). The JSON
API under ``/api/v1/`` is listed from its OpenAPI document instead (``api_operations()``).

A row says who opens the address (a persona of the clinic cast, or Dana with an account), the path in
a ``World`` (the cast plus one of everything an address can name), whether a GET shows an HTML page,
and whether the address takes a POST: an HTML form (``form``) or a JSON endpoint of the session player
(``json``). ``World.snapshot()`` is every row of every table, to show that a refused request changed
nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from backhome.core.model import Direction, PainCheck
from backhome.web.clinic import services as clinic_services
from backhome.web.clinic.models import Alert, Invitation, Membership, ScreenRequest
from backhome.web.handouts.pairing import pairing_path
from backhome.web.practice.models import ExerciseSession
from backhome.web.progress.models import CheckIn
from backhome.web.reminders import selectors as reminder_selectors
from backhome.web.reminders import services as reminder_services
from backhome.web.selfcheck import services as selfcheck_services
from backhome.web.selfcheck.models import DirectionalTest
from tests.integration.api_helpers import token_for
from tests.integration.clinic_people import Cast, cast
from tests.integration.history_builders import checkin_on, session_on

METHODS = ("get", "post", "put", "patch", "delete")


# --------------------------------------------------------------------------- the URL conf


def url_names() -> dict[str, str]:
    """``namespace:name`` -> route, for every pattern of the site (the API's own patterns included)."""

    def walk(entries: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for entry in entries:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or inner)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
                yield name, prefix + str(entry.pattern)

    return dict(walk(get_resolver().url_patterns, "/", ""))


def site_names() -> set[str]:
    """Every URL name but the API's (those come from the OpenAPI document)."""
    return {name for name in url_names() if not name.startswith("api:")}


def api_operations(client: Client | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every operation the published OpenAPI document lists."""
    document = (client or Client()).get("/api/v1/openapi.json").json()
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    """The clinic cast and one of everything an address can name (Dana's, unless said)."""

    cast: Cast
    session: ExerciseSession  # Dana's session today, in progress
    checkin: CheckIn  # Dana's check-in yesterday
    selftest: DirectionalTest  # Dana's extension self-check, in progress
    invitation: Invitation  # Cleo's, open
    alert: Alert  # Riverside's, about Dana, open
    screen_request: ScreenRequest  # to Riverside
    token_id: int  # Cleo's personal access token
    feed_secret: str  # Dana's calendar address
    stop_token: str  # Dana's "stop reminder emails" link
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dana(self) -> int:
        return self.cast.dana.pk

    def confirm_path(self) -> str:
        """The link that confirms Dana's reminder address (a guest's address, given on the page)."""
        settings = reminder_services.reminder_settings_update(
            person=self.cast.dana, values={"email": "dana@example.org"}
        )  # emails stay off: the stop page keeps showing "stopped"
        return f"/reminders/confirm/{reminder_selectors.confirm_token(settings, 'dana@example.org')}/"

    def reset_path(self) -> str:
        """Yusuf's password reset link (made now: a login since would make an older one stale)."""
        yusuf = self.cast.yusuf
        yusuf.refresh_from_db()
        uid = urlsafe_base64_encode(force_bytes(yusuf.pk))
        return f"/account/password-reset/{uid}/{default_token_generator.make_token(yusuf)}/"

    def client(self, persona: str, *, enforce_csrf: bool = False) -> Client:
        """A client for a persona (see ``clinic_people``); ``enforce_csrf`` as a real browser is checked."""
        template = self.cast.client(persona)
        client = Client(enforce_csrf_checks=enforce_csrf)
        client.cookies = template.cookies
        return client


def world() -> World:
    people = cast()
    today = timezone.localdate()
    session = session_on(people.dana, today, status=ExerciseSession.Status.IN_PROGRESS)
    checkin = checkin_on(people.dana, today - dt.timedelta(days=1), back=4, leg=2)
    selftest = selfcheck_services.directional_test_start(
        person=people.dana,
        direction=Direction.EXTENSION,
        test_id=uuid.uuid4(),
        before=PainCheck(5, 4, 3, False),
    )
    cleo = Membership.objects.get(user=people.cleo)
    invitation = clinic_services.invitation_create(membership=cleo, label="for the walk")
    alert = Alert.objects.create(
        clinic=people.riverside, person=people.dana, kind=Alert.Kind.RED_STOP, key="walk", text="A stop."
    )
    screen_request = ScreenRequest.objects.create(id=uuid.uuid4(), clinic=people.riverside, name="Erin")
    token_for(people.cleo, "read")
    from backhome.web.api.models import AccessToken

    token_id = AccessToken.objects.get(user=people.cleo).pk
    settings = reminder_services.reminder_settings_get_or_create(person=people.dana)
    feed_secret = reminder_services.calendar_feed_create(person=people.dana, now=timezone.now())
    settings.refresh_from_db()
    stop_token = reminder_selectors.stop_token(settings)
    return World(
        people,
        session,
        checkin,
        selftest,
        invitation,
        alert,
        screen_request,
        token_id,
        feed_secret,
        stop_token,
    )


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the sessions' table aside: a request may renew its own session; and the
    audit of a clinician's reads, which a page shown again adds by design)."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models():
        if model._meta.label == "sessions.Session":
            continue
        found = model.objects.order_by("pk")
        if model._meta.label == "clinic.AuditEvent":
            found = found.exclude(action="view")  # a clinician shown a page again: that read is audited
        rows[model._meta.label] = list(found.values_list())
    return rows


def changed(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """The tables whose rows differ."""
    return sorted(label for label in before if before[label] != after[label])


# --------------------------------------------------------------------------- the rows

Path = Callable[[World], str]


@dataclass(frozen=True)
class Route:
    """How to reach one URL name.

    ``persona``: who opens it (``dana``, ``cleo``, ``ada``, ``anonymous``...). ``page``: a GET answers an
    HTML page (200, or a redirect to one). ``post``: ``"form"`` (an HTML form), ``"json"`` (the session
    player's writes at their old addresses), or ``None`` (GET only). ``file``: a GET answers a download, not a page.
    """

    persona: str
    path: Path
    page: bool = True
    post: str | None = None
    file: bool = False
    #: the persona the POST is made as, when not ``persona`` (a form shown to one person, posted by another)
    poster: str | None = None


def first_step() -> str:
    from backhome.web.patient import questions

    return questions.step_ids()[0]


def _p(path: str) -> Path:
    return lambda w: path


ROUTES: dict[str, Route] = {
    # outside any app
    "healthz": Route("anonymous", _p("/healthz"), page=False, file=True),
    "service_worker": Route("anonymous", _p("/sw.js"), page=False, file=True),
    "web_manifest": Route("anonymous", _p("/manifest.webmanifest"), page=False, file=True),
    # the footer's language control (a POST only; a GET goes back where it came from)
    "set_language": Route("anonymous", _p("/i18n/setlang/"), page=False, post="form"),
    "fhir:my_record": Route("dana", _p("/account/data/fhir.json"), page=False, file=True),
    "fhir:clinic_patient": Route(
        "cleo", lambda w: f"/clinic/patients/{w.dana}/fhir.json", page=False, file=True
    ),
    # the patient app
    "patient:home": Route("dana", _p("/")),
    "patient:screening_start": Route("anonymous", _p("/screening/")),
    "patient:screening_step": Route("anonymous", lambda w: f"/screening/{first_step()}/", post="form"),
    "patient:emergency": Route("anonymous", _p("/emergency/")),
    "patient:urgent": Route("dana", _p("/urgent/")),
    "patient:soon": Route("dana", _p("/soon/")),
    "patient:plan": Route("dana", _p("/plan/")),
    "patient:gallery": Route("anonymous", _p("/exercises/")),
    "patient:before_session": Route("dana", _p("/plan/before-session/"), page=False, post="form"),
    "patient:startback_again": Route("dana", _p("/plan/startback-again/"), page=False, post="form"),
    # the session player
    "practice:player": Route("dana", _p("/session/")),
    "practice:summary": Route("dana", lambda w: f"/session/{w.session.pk}/"),
    # the player's writes at the addresses they had before they moved to the API (queued offline)
    "practice:queued_start": Route("dana", _p("/session/start/"), page=False, post="json"),
    "practice:queued_log": Route("dana", lambda w: f"/session/{w.session.pk}/log/", page=False, post="json"),
    "practice:queued_recheck": Route(
        "dana", lambda w: f"/session/{w.session.pk}/log/{uuid.uuid4()}/recheck/", page=False, post="json"
    ),
    "practice:queued_finish": Route(
        "dana", lambda w: f"/session/{w.session.pk}/finish/", page=False, post="json"
    ),
    # check-ins, history, handouts
    "progress:checkin": Route("dana", _p("/check-in/"), post="form"),
    "progress:result": Route("dana", lambda w: f"/check-in/{w.checkin.pk}/"),
    "history:index": Route("dana", _p("/history/")),
    "handouts:mine": Route("dana", _p("/handout/"), page=False, file=True),
    "handouts:pair": Route("anonymous", lambda w: pairing_path(w.cast.dana), post="form"),
    # accounts and tokens
    "tokens:list": Route("cleo", _p("/account/tokens/"), post="form"),
    "tokens:revoke": Route(
        "cleo", lambda w: f"/account/tokens/{w.token_id}/revoke/", page=False, post="form"
    ),
    "accounts:account": Route("dana", _p("/account/")),
    "accounts:signup": Route("dana", _p("/account/signup/"), post="form"),
    "accounts:login": Route("anonymous", _p("/account/login/"), post="form"),
    "accounts:logout": Route("cleo", _p("/account/logout/"), post="form"),
    "accounts:logout_everywhere": Route("cleo", _p("/account/logout/everywhere/"), post="form"),
    "accounts:download": Route("dana", _p("/account/download/"), page=False, file=True),
    "accounts:delete": Route("dana", _p("/account/delete/"), post="form"),
    "accounts:deleted": Route("anonymous", _p("/account/deleted/")),
    "accounts:password_reset": Route("anonymous", _p("/account/password-reset/"), post="form"),
    "accounts:password_reset_done": Route("anonymous", _p("/account/password-reset/sent/")),
    "accounts:password_reset_confirm": Route("anonymous", lambda w: w.reset_path(), post="form"),
    "accounts:password_reset_complete": Route("anonymous", _p("/account/password-reset/done/")),
    # the self-check
    "selfcheck:index": Route("dana", _p("/self-check/")),
    "selfcheck:start": Route("walt", _p("/self-check/flexion/"), post="form"),
    "selfcheck:test": Route("dana", lambda w: f"/self-check/test/{w.selftest.pk}/"),
    "selfcheck:next": Route(
        "dana", lambda w: f"/self-check/test/{w.selftest.pk}/next/", page=False, post="form"
    ),
    "selfcheck:measure": Route(
        "dana", lambda w: f"/self-check/test/{w.selftest.pk}/measure/", page=False, post="form"
    ),
    "selfcheck:check": Route("dana", lambda w: f"/self-check/test/{w.selftest.pk}/check/", post="form"),
    "selfcheck:stop": Route(
        "dana", lambda w: f"/self-check/test/{w.selftest.pk}/stop/", page=False, post="form"
    ),
    "selfcheck:morning": Route(
        "dana", lambda w: f"/self-check/test/{w.selftest.pk}/morning/", page=False, post="form"
    ),
    # the clinic
    "clinic:patients": Route("cleo", _p("/clinic/")),
    "clinic:patient": Route("cleo", lambda w: f"/clinic/patients/{w.dana}/"),
    "clinic:patient_label": Route(
        "cleo", lambda w: f"/clinic/patients/{w.dana}/label/", page=False, post="form"
    ),
    "clinic:patient_handout": Route(
        "cleo", lambda w: f"/clinic/patients/{w.dana}/handout.pdf?paper=a4", page=False, file=True
    ),
    "clinic:invitations": Route("cleo", _p("/clinic/invitations/"), post="form"),
    "clinic:invitation": Route("cleo", lambda w: f"/clinic/invitations/{w.invitation.pk}/"),
    "clinic:invitation_withdraw": Route(
        "cleo", lambda w: f"/clinic/invitations/{w.invitation.pk}/withdraw/", page=False, post="form"
    ),
    "clinic:clinicians": Route("ada", _p("/clinic/clinicians/"), post="form"),
    "clinic:clinician_update": Route(
        "ada",
        lambda w: f"/clinic/clinicians/{Membership.objects.get(user=w.cast.cleo).pk}/",
        page=False,
        post="form",
    ),
    "clinic:audit": Route("ada", _p("/clinic/audit/")),
    "clinic:export_csv": Route("ada", _p("/clinic/export.csv"), page=False, file=True),
    "clinic:join": Route("walt", _p("/clinic/join/"), post="form"),
    "clinic:leave": Route("dana", _p("/clinic/join/leave/"), page=False, post="form"),
    "clinic:join_token": Route("walt", lambda w: f"/clinic/join/{w.invitation.token}/", post="form"),
    "clinic:programme": Route("cleo", lambda w: f"/clinic/patients/{w.dana}/programme/"),
    **{
        f"clinic:programme_{action}": Route(
            "cleo",
            (lambda a: lambda w: f"/clinic/patients/{w.dana}/programme/{a}/")(action),
            page=False,
            post="form",
        )
        for action in ("dose", "add", "remove", "monitoring", "clearance", "unlock")
    },
    # a patient the clinic makes, screened in the clinic; overrides; outcomes; several handouts at once
    "clinic:patient_new": Route("cleo", _p("/clinic/patients/new/"), post="form"),
    "clinic:patient_screen": Route("cleo", lambda w: f"/clinic/patients/{w.dana}/screen/", post="form"),
    "clinic:patient_odi": Route("cleo", lambda w: f"/clinic/patients/{w.dana}/odi/", page=False, post="form"),
    "clinic:programme_override": Route(
        "cleo", lambda w: f"/clinic/patients/{w.dana}/programme/override/", page=False, post="form"
    ),
    "clinic:patients_handouts": Route("cleo", _p("/clinic/handouts.pdf"), page=False, post="form"),
    # the clinic's settings (the admin's), its logo, and the audit log as CSV
    "clinic:settings": Route("ada", _p("/clinic/settings/"), post="form"),
    "clinic:logo": Route("cleo", _p("/clinic/settings/logo.png"), page=False, file=True),
    "clinic:audit_csv": Route("ada", _p("/clinic/audit.csv"), page=False, file=True),
    "clinic:alerts": Route("cleo", _p("/clinic/alerts/")),
    "clinic:alert_acknowledge": Route(
        "cleo", lambda w: f"/clinic/alerts/{w.alert.pk}/acknowledge/", page=False, post="form"
    ),
    "clinic:requests": Route("cleo", _p("/clinic/requests/")),
    "clinic:request_status": Route(
        "cleo", lambda w: f"/clinic/requests/{w.screen_request.pk}/status/", page=False, post="form"
    ),
    "clinic:request_screen": Route("anonymous", _p("/clinic/request-screen/"), post="form"),
    "clinic:request_screen_sent": Route("anonymous", _p("/clinic/request-screen/sent/")),
    "clinic:my_changes": Route("dana", _p("/clinic/changes/")),
    # reminders
    "reminders:settings": Route("dana", _p("/reminders/"), post="form"),
    "reminders:feed_change": Route("dana", _p("/reminders/calendar/"), page=False, post="form"),
    "reminders:feed": Route(
        "anonymous", lambda w: f"/reminders/feed/{w.feed_secret}.ics", page=False, file=True
    ),
    "reminders:stop": Route("anonymous", lambda w: f"/reminders/stop/{w.stop_token}/", post="form"),
    "reminders:confirm": Route("anonymous", lambda w: w.confirm_path(), post="form"),
}

#: Addresses that take a POST without a CSRF token, and why (docs/security.md).
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: a mail app POSTs the List-Unsubscribe link with no form and no
    # cookie; the signed token in the address is the key, and all it can do is stop reminder emails.
    "reminders:stop": "one-click unsubscribe (RFC 8058): the signed link is the key",
}


# --------------------------------------------------------------------------- the forms a page renders


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]]  # name -> the values the page offers (radio and select: each choice)
    kinds: dict[str, str]  # name -> input type (text, radio, hidden, select, textarea, checkbox...)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(), {}, {})
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset") and "value" not in a:
                return
            form.kinds.setdefault(name, kind)
            form.fields.setdefault(name, []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "button" and name:
            form.kinds.setdefault(name, "submit")
            form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            form.kinds.setdefault(name, "select")
            form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            form.fields[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            form.kinds.setdefault(name, "textarea")
            form.fields.setdefault(name, [""])

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms
