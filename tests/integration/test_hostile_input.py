"""Hostile and broken input to every HTML form (issue 7 item 6). The JSON endpoints are in
test_hostile_input_json.py.

Every address that takes a form POST (``site_map.ROUTES``, from the URL conf) has a row in ``FORMS``:
a valid submission and the kind of each field (a new form, or a new field on a rendered form, without a
row fails here). Each field then gets: missing, the wrong type, out of range, the same field twice,
and malicious values (script, SQL, a path, a NUL byte, a very long string, unicode oddities); each form
gets a 1 MB body. Each must be refused with a clear 4xx (the form again with the message next to the
field, or a page that names it; 413 for the 1 MB body) and must change nothing: every row of every
table is the same before and after.

Free text (a label, a note, a reason) may legitimately say ``<script>`` or ``' OR 1=1 --``: those are
stored as written and always shown escaped (``test_free_text_is_stored_as_written_and_shown_escaped``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests.integration.clinic_people import PASSWORD
from tests.integration.site_map import ROUTES, World, changed, first_step, forms_of, snapshot, world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    """Dozens of hostile submissions of one form from one client: each must get its own answer, not the
    rate limits' 429 (test_rate_limits.py tests those)."""
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/h")
    settings.PASSWORD_RESET_EMAILS_PER_ADDRESS = "100000/h"
    settings.AXES_ENABLED = False


SCRIPT = '<script>alert("backhome")</script>'
MALICIOUS = {
    "script": SCRIPT,
    "sql": "' OR 1=1 --",
    "path": "../../etc/passwd",
    "nul": "3\x00",
    "long": "9" * 20_000,
    "rtl": "\u202e3",
    "superscript": "\u00b2",  # a digit to str.isdigit(), not to int()
    "fullwidth": "\uff13",
    "zero-width": "3\u200b",
    "emoji": "\U0001f9b4",
}

#: Kinds of field: what a wrong value of that kind looks like, and whether malicious values are wrong.
CLOSED = {
    "choice",
    "number",
    "uuid",
    "time",
    "date",
    "action",
    "multi",
    "email",
}  # every hostile value is wrong
WRONG_TYPE = {
    "choice": "abc",
    "number": "abc",
    "uuid": "not-a-uuid",
    "time": "half past",
    "date": "not-a-date",
    "action": "abc",
    "multi": "abc",
    "email": "not-an-email",
    "text": None,
    "secret": None,
    "flag": None,
    "file": None,
    "unasked": None,
}
OUT_OF_RANGE = {
    "choice": ["-1", "99999"],
    "number": ["-1", "99999", "2.5"],
    "time": ["25:61"],
    "date": ["2999-01-01", "2021-02-30"],
    "uuid": [],
    "action": [],
    "multi": ["99999"],
    "email": ["a" * 300 + "@example.org"],
    "text": [],
    "secret": [],
    "flag": [],
    "file": [],  # a string posted is not a file: the uploads are tested in test_handouts_clinic.py
    "unasked": [],  # a follow-up question the valid submission does not ask: its answer is not read
}


@dataclass(frozen=True)
class Spec:
    """A form: a valid submission (``valid``) and each field's kind. ``optional`` fields may be left out.
    ``names``: the answer names the broken field (the form again with the message by it, or a page that
    says its name); ``False`` for a one-line problem page. ``path``: where to post, if not the row's."""

    valid: Callable[[World], dict[str, Any]]
    fields: dict[str, str]
    optional: frozenset[str] = frozenset()
    names: bool = True
    path: Callable[[World, Client], str] | None = None
    #: hidden fields (a client UUID): the message is at the top of the form, not by the field
    hidden: frozenset[str] = frozenset()
    accepted_statuses: frozenset[int] = frozenset({400})


def _reset_form(w: World, client: Client) -> str:
    """The password reset link opens the form at a session-bound address: its path."""
    response = client.get(w.reset_path(), follow=True)
    return str(response.redirect_chain[-1][0])


PAIN = {"pain__back": "number", "pain__leg": "number", "distal_zone": "number"}
PAIN_VALID = {"pain__back": "4", "pain__leg": "3", "distal_zone": "3"}


def _screen() -> tuple[dict[str, str], dict[str, str]]:
    """The in-clinic screen: every question of the self-screen on one page (no to each sign, the middle
    of each scale), and each field's kind."""
    from backhome.web.patient import questions

    valid: dict[str, str] = {}
    fields: dict[str, str] = {}
    for step in questions.screening().steps:
        for q in step.questions:
            if step.only_if:  # asked only after a yes (to both legs: an emergency sign): not read here
                fields[q.name] = "unasked"
                continue
            fields[q.name] = "number" if q.kind == "number" else "choice"
            if q.kind == "yes_no":
                valid[q.name] = "no"
            elif q.kind == "agree":
                valid[q.name] = "disagree"
            elif q.kind == "scale":
                valid[q.name] = "3"
            elif q.kind == "number":
                valid[q.name] = "45"
            else:
                valid[q.name] = str(q.options[0].value)
    return valid, fields


SCREEN_VALID, SCREEN_FIELDS = _screen()


def _press_up_held_back(w: World, client: Client) -> str:
    """Cleo screens Dana in clinic with spinal stenosis at 70, which holds the press-up back (EL-06,
    DPT-21): then the override form has a block to lift. Its address. (Posted by a client of her own:
    the one given may check CSRF tokens.)"""
    screened = w.client("cleo").post(
        f"/clinic/patients/{w.dana}/screen/", {**SCREEN_VALID, "history__spinal_stenosis": "yes", "age": "70"}
    )
    assert screened.status_code == 302, screened.status_code
    return f"/clinic/patients/{w.dana}/programme/override/"


FORMS: dict[str, Spec] = {
    "patient:screening_step": Spec(
        lambda w: {"symptoms__bladder_change": "no", "symptoms__bowel_change": "no"},
        {"symptoms__bladder_change": "choice", "symptoms__bowel_change": "choice"},
    ),
    "progress:checkin": Spec(
        lambda w: {
            "id": "5f0c3e1e-6d2a-4f8e-9c41-2a7d5e9b8f10",
            "back": "3",
            "leg": "2",
            "zone": "2",
            "stiffness": "none",
        },
        {"id": "uuid", "back": "choice", "leg": "choice", "zone": "choice", "stiffness": "choice"},
        hidden=frozenset({"id"}),
    ),
    "tokens:list": Spec(
        lambda w: {"name": "my script", "scopes": ["read"], "expires": "30"},
        {"name": "text", "scopes": "multi", "expires": "choice"},
    ),
    "tokens:revoke": Spec(lambda w: {}, {}),
    "accounts:signup": Spec(
        lambda w: {"email": "erin@example.org", "password": PASSWORD},
        {"email": "email", "password": "secret"},
    ),
    "accounts:login": Spec(
        lambda w: {"email": "cleo@riverside.example", "password": PASSWORD},
        {"email": "email", "password": "secret"},
    ),
    "accounts:logout": Spec(lambda w: {}, {}),
    "accounts:logout_everywhere": Spec(lambda w: {"password": PASSWORD}, {"password": "secret"}),
    "accounts:delete": Spec(lambda w: {"confirm": "DELETE"}, {"confirm": "action"}),
    "accounts:password_reset": Spec(lambda w: {"email": "yusuf@hilltop.example"}, {"email": "email"}),
    "accounts:password_reset_confirm": Spec(
        lambda w: {"new_password1": "another long password 43"}, {"new_password1": "secret"}, path=_reset_form
    ),
    "selfcheck:start": Spec(
        lambda w: {"test_id": "5f0c3e1e-6d2a-4f8e-9c41-2a7d5e9b8f10", **PAIN_VALID, "numbness": "no"},
        {"test_id": "uuid", **PAIN, "numbness": "choice"},
        hidden=frozenset({"test_id"}),
    ),
    "selfcheck:next": Spec(lambda w: {"from_step": "1"}, {"from_step": "number"}),
    "selfcheck:measure": Spec(
        lambda w: {"stage": "after", **PAIN_VALID, "numbness": "no"},
        {"stage": "action", **PAIN, "numbness": "choice"},
        names=False,
    ),
    "selfcheck:check": Spec(
        lambda w: {"check_id": "5f0c3e1e-6d2a-4f8e-9c41-2a7d5e9b8f10", **PAIN_VALID, "numbness": "no"},
        {"check_id": "uuid", **PAIN, "numbness": "choice"},
        hidden=frozenset({"check_id"}),
    ),
    "selfcheck:stop": Spec(lambda w: {}, {}),
    "selfcheck:morning": Spec(lambda w: dict(PAIN_VALID), dict(PAIN), names=False),
    "clinic:patient_label": Spec(lambda w: {"label": "Dana R."}, {"label": "text"}),
    "clinic:invitations": Spec(
        lambda w: {"label": "for Erin"}, {"label": "text"}, optional=frozenset({"label"})
    ),
    "clinic:invitation_withdraw": Spec(lambda w: {}, {}),
    "clinic:clinicians": Spec(
        lambda w: {"email": "nia@riverside.example", "role": "clinician"},
        {"email": "email", "role": "choice"},
        optional=frozenset({"role"}),
    ),
    "clinic:clinician_update": Spec(
        lambda w: {"action": "role", "role": "admin"}, {"action": "action", "role": "choice"}
    ),
    "clinic:join": Spec(lambda w: {"code": w.invitation.code}, {"code": "action"}),
    "clinic:leave": Spec(lambda w: {}, {}),
    "clinic:join_token": Spec(lambda w: {}, {}),
    "clinic:programme_dose": Spec(
        lambda w: {"exercise": "prone-press-up", "sets": "1", "reps": "8", "hold_s": "10", "why": "Easier."},
        {"exercise": "choice", "sets": "number", "reps": "number", "hold_s": "number", "why": "text"},
    ),
    "clinic:programme_add": Spec(
        lambda w: {"exercise": "prone-lying", "why": "To start gently."},
        {"exercise": "choice", "why": "text"},
    ),
    "clinic:programme_remove": Spec(
        lambda w: {"exercise": "cat-camel", "why": "It flares her leg."},
        {"exercise": "choice", "why": "text"},
    ),
    "clinic:programme_monitoring": Spec(
        lambda w: {"monitoring": "monitored", "why": "Seen in clinic."},
        {"monitoring": "choice", "why": "text"},
    ),
    "clinic:programme_clearance": Spec(
        lambda w: {"rule": "EL-02", "cleared": "yes", "why": "Examined."},
        {"rule": "choice", "cleared": "choice", "why": "text"},
        optional=frozenset({"cleared"}),
        names=False,  # no clearance applies to Dana, so every answer is that refusal, next to the form
    ),
    # Dana is not locked, so there is no unlock form on her page: the refusal is shown above the editor
    "clinic:programme_unlock": Spec(lambda w: {"why": "Seen in A&E: fine."}, {"why": "text"}, names=False),
    "clinic:patient_new": Spec(
        lambda w: {"name": "Erin Walsh", "birth_date": "1961-04-23", "clinic_ref": "RV-0042", "contact": ""},
        {"name": "text", "birth_date": "date", "clinic_ref": "text", "contact": "text"},
        optional=frozenset({"contact"}),
    ),
    "clinic:patient_screen": Spec(
        lambda w: dict(SCREEN_VALID),
        SCREEN_FIELDS,
        optional=frozenset(f for f, kind in SCREEN_FIELDS.items() if kind == "unasked"),
    ),
    "clinic:patient_odi": Spec(
        lambda w: {"odi": "32", "odi_on": timezone.localdate().isoformat()},
        {"odi": "number", "odi_on": "date"},
        optional=frozenset({"odi_on"}),  # left out: measured today
    ),
    "clinic:programme_override": Spec(
        lambda w: {"exercise": "prone-press-up", "note": "Examined: fine.", "why": "Seen in clinic."},
        {"exercise": "choice", "note": "text", "why": "text"},
        path=_press_up_held_back,
    ),
    # the ticked patients of the list, in one PDF; a wrong one is refused on a one-line problem page
    "clinic:patients_handouts": Spec(
        lambda w: {"patient": [str(w.dana)], "paper": "a4"},
        {"patient": "multi", "paper": "choice"},
        optional=frozenset({"paper"}),  # A4 unless said
        names=False,
        # a well-formed id that is no patient of the clinic: its 404, as at every patient's address
        accepted_statuses=frozenset({400, 404}),
    ),
    "clinic:settings": Spec(
        lambda w: {
            "alert_email": "alerts@riverside.example",
            "identifier_system": "https://riverside.example/id",
        },
        {"alert_email": "email", "identifier_system": "text", "logo": "file", "remove_logo": "flag"},
        optional=frozenset({"alert_email", "identifier_system", "logo", "remove_logo"}),  # blank: none
    ),
    "clinic:alert_acknowledge": Spec(lambda w: {"note": "Called her: fine."}, {"note": "text"}),
    "clinic:request_status": Spec(lambda w: {"status": "contacted"}, {"status": "choice"}),
    "clinic:request_screen": Spec(
        lambda w: {
            "request_id": "5f0c3e1e-6d2a-4f8e-9c41-2a7d5e9b8f10",
            "clinic": str(w.cast.riverside.pk),
            "name": "Erin",
            "phone": "020 7946 0000",
            "email": "",
            "preferred_times": "mornings",
        },
        {
            "request_id": "uuid",
            "clinic": "choice",
            "name": "text",
            "phone": "text",
            "email": "email",
            "preferred_times": "text",
        },
        optional=frozenset({"email", "preferred_times"}),
        hidden=frozenset({"request_id"}),
    ),
    # the pairing link of a clinic handout: the link is the key, the form only a button
    "handouts:pair": Spec(lambda w: {}, {}),
    # the plan's "anything new or different?" before a session; a wrong answer is a one-line problem page
    "patient:before_session": Spec(
        lambda w: {"new_or_different": "no"}, {"new_or_different": "action"}, names=False
    ),
    "patient:startback_again": Spec(lambda w: {}, {}),
    "reminders:settings": Spec(
        lambda w: {
            "session_days": ["0", "2", "4"],
            "session_time": "18:00",
            "checkin_time": "08:00",
            "time_zone": "Europe/London",
            "email_on": "no",
            "email": "",
            "daily_limit": "1",
        },
        {
            "session_days": "multi",
            "session_time": "time",
            "checkin_time": "time",
            "time_zone": "choice",
            "email_on": "choice",
            "email": "email",
            "daily_limit": "choice",
            "email_sessions": "flag",
            "email_checkins": "flag",
            "only_if_not_logged": "flag",
        },
        optional=frozenset(
            {"email", "session_days", "email_sessions", "email_checkins", "only_if_not_logged"}
        ),
    ),
    "reminders:feed_change": Spec(lambda w: {"action": "new"}, {"action": "action"}),
    # csrf-exempt one-click unsubscribe (site_map.CSRF_EXEMPT): a POST with any body stops the emails
    "reminders:stop": Spec(lambda w: {}, {}),
    "reminders:confirm": Spec(lambda w: {}, {}),
    "set_language": Spec(lambda w: {"language": "es", "next": "/"}, {"language": "choice"}, names=False),
}


def test_every_form_address_has_a_row() -> None:
    posts = {name for name, route in ROUTES.items() if route.post == "form"}
    assert sorted(posts - set(FORMS)) == [], "add a Spec to FORMS for each new form"
    assert sorted(set(FORMS) - posts) == []


def test_every_field_a_rendered_form_has_is_in_its_row() -> None:
    w = world()
    for name, route in ROUTES.items():
        if not route.page or route.post != "form":
            continue
        response = w.client(route.persona).get(route.path(w), follow=True)
        for form in forms_of(response.content.decode()):
            if form.method != "post" or (
                form.action and form.action.split("?")[0] != route.path(w).split("?")[0]
            ):
                continue
            fields = set(form.fields) - {"csrfmiddlewaretoken"}
            assert fields <= set(FORMS[name].fields) | {"next", "form"}, (name, sorted(fields))


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    id: str
    field: str  # the field the answer must name ("" for the whole form)
    data: dict[str, Any]


def cases(spec: Spec, w: World) -> list[Case]:
    valid = spec.valid(w)
    out: list[Case] = []
    for name, kind in spec.fields.items():

        def with_(value: Any, name: str = name) -> dict[str, Any]:
            return {**valid, name: value}

        if name not in spec.optional:
            out.append(Case(f"{name}:missing", name, {k: v for k, v in valid.items() if k != name}))
        if WRONG_TYPE[kind] is not None:
            out.append(Case(f"{name}:wrong-type", name, with_(WRONG_TYPE[kind])))
        for n, value in enumerate(OUT_OF_RANGE[kind]):
            out.append(Case(f"{name}:out-of-range-{n}", name, with_(value)))
        if kind in CLOSED:
            for label, value in MALICIOUS.items():
                out.append(Case(f"{name}:{label}", name, with_([value] if kind == "multi" else value)))
            first = valid.get(name) or "x"
            first = first[0] if isinstance(first, list) else first
            if kind != "multi":
                out.append(Case(f"{name}:twice", name, with_([first, WRONG_TYPE[kind]])))
        elif kind == "text":
            out.append(Case(f"{name}:nul", name, with_("Called\x00her")))
            out.append(Case(f"{name}:long", name, with_("word " * 4_000)))
    return out


class _Errors(HTMLParser):
    """Which controls an error message is next to, and the text of the messages.

    A control counts as named when it is ``aria-invalid``, or when it shares a field's box (a fieldset,
    or an element of class ``field``, ``question`` or ``has-error``) with an error message.
    """

    VOID = frozenset(
        (
            "input",
            "br",
            "img",
            "meta",
            "link",
            "hr",
            "source",
            "wbr",
            "area",
            "col",
            "embed",
            "param",
            "track",
        )
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.named: set[str] = set()
        self.texts: list[str] = []
        self.boxes: list[dict[str, Any]] = []  # the open elements: box?, names inside, an error inside?
        self._text_depth: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        if tag in ("input", "select", "textarea", "button") and a.get("name"):
            if a.get("aria-invalid") == "true":
                self.named.add(a["name"])
            for box in self.boxes:
                box["names"].add(a["name"])
        if tag in self.VOID:
            return
        is_box = tag == "fieldset" or bool({"field", "question", "has-error"} & classes)
        self.boxes.append({"box": is_box, "names": set(), "error": "has-error" in classes})
        is_text = bool({"error", "error-summary", "problem"} & classes) or tag == "h1"
        if "error" in classes:
            for box in self.boxes:
                box["error"] = True
        self._text_depth.append(is_text)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.boxes:
            return
        box = self.boxes.pop()
        self._text_depth.pop()
        if box["box"] and box["error"]:
            self.named |= box["names"]

    def handle_data(self, data: str) -> None:
        if any(self._text_depth) and data.strip():
            self.texts.append(data.strip())


def names_field(html: str, name: str) -> bool:
    parser = _Errors()
    parser.feed(html)
    text = " ".join(parser.texts).lower()
    words = {name.lower(), name.replace("__", ".").lower(), name.replace("_", " ").lower()}
    return name in parser.named or any(word in text for word in words)


def has_message(html: str) -> bool:
    parser = _Errors()
    parser.feed(html)
    return any(t for t in parser.texts if len(t) > 10)


def post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data)


def check(name: str, spec: Spec, w: World, case: Case, client: Client, path: str) -> str | None:
    """Send one case in a savepoint that is rolled back after; what is wrong, or None."""
    before = snapshot()
    with transaction.atomic():
        response = post(client, path, case.data)
        after = snapshot()
        transaction.set_rollback(True)
    status = response.status_code
    problems = []
    if status not in spec.accepted_statuses | {400, 409, 413}:
        problems.append(f"status {status}")
    elif "html" not in response.get("Content-Type", ""):
        problems.append(f"not a page: {response.get('Content-Type')}")
    else:
        page = response.content.decode()
        if SCRIPT in page:
            problems.append("the script is in the page unescaped")
        if spec.names and case.field not in spec.hidden and not names_field(page, case.field):
            problems.append("the answer does not name the field")
        elif not has_message(page):
            problems.append("no message")
    if changed(before, after):
        problems.append(f"changed {changed(before, after)}")
    return f"{name} {case.id}: {', '.join(problems)}" if problems else None


@pytest.mark.parametrize("name", sorted(FORMS))
def test_hostile_values_are_refused_with_a_message_naming_the_field_and_change_nothing(name: str) -> None:
    spec = FORMS[name]
    route = ROUTES[name]
    w = world()
    client = w.client(route.poster or route.persona)
    client.get("/account/")  # an account's first request gives it a person (accounts middleware)
    path = spec.path(w, client) if spec.path else route.path(w)
    failures = [f for case in cases(spec, w) if (f := check(name, spec, w, case, client, path))]
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_one_megabyte_form_is_refused_with_413_and_changes_nothing(name: str) -> None:
    """As a browser sends it: with the CSRF token, which the CSRF check reads from the body before any
    view runs (so a form whose view reads no field is refused too)."""
    route = ROUTES[name]
    w = world()
    client = w.client(route.poster or route.persona, enforce_csrf=True)
    client.get("/account/")  # an account's first request gives it a person
    client.get("/account/password-reset/")  # a page with a form: the CSRF cookie
    spec = FORMS[name]
    path = spec.path(w, client) if spec.path else route.path(w)
    field = next(iter(spec.fields), "padding")
    token = client.cookies["csrftoken"].value
    before = snapshot()
    response = client.post(path, {**spec.valid(w), field: "x" * 1_048_576, "csrfmiddlewaretoken": token})
    assert response.status_code == 413, response.status_code
    assert b"too large" in response.content
    assert changed(before, snapshot()) == []


def test_too_many_fields_are_refused_and_change_nothing() -> None:
    w = world()
    client = w.client("dana")
    before = snapshot()
    response = client.post("/check-in/", {f"f{n}": "1" for n in range(500)})
    assert response.status_code == 400 and b"too many fields" in response.content
    assert changed(before, snapshot()) == []


TEXT_FIELDS = [
    (name, f) for name, spec in sorted(FORMS.items()) for f, kind in spec.fields.items() if kind == "text"
]


@pytest.mark.parametrize(("name", "field_name"), TEXT_FIELDS)
@pytest.mark.parametrize("value", [SCRIPT, "' OR 1=1 --", "../../etc/passwd", "Zoë \u202eO'Brien 🦴"])
def test_free_text_is_stored_as_written_and_shown_escaped(name: str, field_name: str, value: str) -> None:
    route = ROUTES[name]
    w = world()
    client = w.client(route.poster or route.persona)
    spec = FORMS[name]
    path = spec.path(w, client) if spec.path else route.path(w)
    response = client.post(path, {**spec.valid(w), field_name: value}, follow=True)
    assert response.status_code < 500
    assert SCRIPT not in response.content.decode()
    if route.page:
        assert SCRIPT not in w.client(route.persona).get(route.path(w)).content.decode()


def test_the_same_client_uuid_twice_stores_one_check_in() -> None:
    from backhome.web.progress.models import CheckIn

    w = world()
    client = w.client("dana")
    data = FORMS["progress:checkin"].valid(w)
    first = client.post("/check-in/", data)
    second = client.post("/check-in/", data)
    assert first.status_code == 302 and second.status_code == 302 and first.url == second.url
    assert CheckIn.objects.filter(person=w.cast.dana).count() == 2  # yesterday's and today's, once


def test_the_same_screen_request_twice_is_stored_once() -> None:
    from backhome.web.clinic.models import ScreenRequest

    w = world()
    client = w.client("anonymous")
    data = FORMS["clinic:request_screen"].valid(w)
    before = ScreenRequest.objects.count()
    client.post("/clinic/request-screen/", data)
    client.post("/clinic/request-screen/", data)
    assert ScreenRequest.objects.count() == before + 1


def test_the_screening_step_in_the_address_is_checked() -> None:
    before_rows = None
    w = world()
    client = w.client("anonymous")
    before_rows = snapshot()
    for step in ("../../etc/passwd", "%3Cscript%3E", "' OR 1=1 --", first_step() + "%00"):
        response = client.post(f"/screening/{step}/", {"x": "1"})
        assert response.status_code == 404, step
    assert changed(before_rows, snapshot()) == []


def test_hostile_values_in_every_get_form_get_a_page_and_change_nothing() -> None:
    """The search and filter forms (method GET) a page renders: each field with each malicious value is
    answered with a page (200, or 400 naming the filter), never a 5xx, and nothing is stored."""
    w = world()
    failures = []
    seen = 0
    for name, route in sorted(ROUTES.items()):
        if not route.page:
            continue
        client = w.client(route.persona)
        page = client.get(route.path(w), follow=True)
        for form in forms_of(page.content.decode()):
            if form.method != "get" or not form.fields:
                continue
            action = form.action or route.path(w).split("?")[0]
            seen += 1
            before = snapshot()
            for field_name in form.fields:
                for label, value in MALICIOUS.items():
                    response = client.get(action, {field_name: value})
                    if response.status_code not in (200, 302, 400, 404):
                        failures.append(f"{name} {action} {field_name}:{label}: {response.status_code}")
                    elif SCRIPT in response.content.decode():
                        failures.append(f"{name} {action} {field_name}:{label}: the script unescaped")
            if changed(before, snapshot()):
                failures.append(f"{name} {action}: changed {changed(before, snapshot())}")
    assert seen >= 3, seen  # the clinic's list, audit log, alerts and requests have filter forms
    assert failures == [], "\n".join(failures)
