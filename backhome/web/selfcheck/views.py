"""Thin views of the self-check: read with selectors, write with services, show what the core said.

Every page shows the core's DPT-26 disclaimer (``selfcheck/base.html``). A test is only ever found through
the person of the browser session together with its id, so nobody reaches another person's test.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backhome.core.model import Direction
from backhome.web.errors import DomainError, status_of
from backhome.web.patient.selectors import person_for_session
from backhome.web.selfcheck import selectors, services
from backhome.web.selfcheck.forms import MeasurementForm, client_uuid
from backhome.web.selfcheck.models import DirectionalTest


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(
        request, f"selfcheck/{template}", {"disclaimer": selectors.disclaimer(), **context}, status=status
    )


def _problem(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return _render(request, "problem.html", {"message": message}, status=status)


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A service's refusal as a page: a lock is the emergency page; anything else says what was wrong,
    with its kind's status (the same as the API's for the same fault)."""
    if isinstance(error, services.LockError):
        return redirect("patient:emergency")
    details = " ".join(message for _, message in error.fields)
    return _problem(request, f"{error.message} {details}".strip(), status=status_of(error))


def _direction(value: str) -> Direction:
    if value not in {d.value for d in selectors.DIRECTIONS}:
        raise Http404("no such direction")
    return Direction(value)


# --------------------------------------------------------------------------- the overview


@never_cache
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    person = person_for_session(request.session)
    if person is not None and person.locked:
        return redirect("patient:emergency")
    return _render(request, "index.html", {"overview": selectors.overview(person, now=timezone.now())})


# --------------------------------------------------------------------------- starting a test


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, direction: str) -> HttpResponse:
    way = _direction(direction)
    person = person_for_session(request.session)
    if person is None:
        return redirect("selfcheck:index")
    if person.locked:
        return redirect("patient:emergency")
    running = selectors.test_in_progress(person)
    if running is not None and running.direction == way.value and request.method == "GET":
        return redirect("selfcheck:test", test_id=running.pk)
    overview = selectors.overview(person, now=timezone.now())
    card = next((c for c in overview.cards if c.direction == way.value), None)
    if card is None:
        return redirect("selfcheck:index")
    form = MeasurementForm("before", request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {
        "card": card,
        "procedure": selectors.about(way),
        "steps": selectors.steps(way),
        "form": form,
        "new_id": uuid.uuid4(),
        "refused": None,
    }
    if request.method == "GET":
        return _render(request, "start.html", context)
    try:
        test_id = client_uuid(request.POST, "test_id")
    except ValueError as error:
        return _problem(request, str(error))
    if not form.is_valid():
        context["new_id"] = test_id
        return _render(request, "start.html", context, status=400)
    try:
        test = services.directional_test_start(
            person=person, direction=way, test_id=test_id, before=form.pain_check()
        )
    except services.NoPlanError:
        return redirect("selfcheck:index")
    except services.NotAllowedError as refused:
        context["refused"] = refused.permission
        return _render(request, "start.html", context, status=status_of(refused))
    except DomainError as error:
        return _refused(request, error)
    return redirect("selfcheck:test", test_id=test.pk)


# --------------------------------------------------------------------------- one test


def _test(request: HttpRequest, test_id: uuid.UUID) -> DirectionalTest:
    test = selectors.test_for(person_for_session(request.session), test_id)
    if test is None:
        raise Http404("no such check")
    return test


def _test_page(
    request: HttpRequest, test: DirectionalTest, *, form: MeasurementForm | None = None, status: int = 200
) -> HttpResponse:
    way = Direction(test.direction)
    now = timezone.now()
    if not test.in_progress:
        return _render(
            request,
            "result.html",
            {
                "test": test,
                "title": selectors.TITLES[way],
                "words": selectors.result_words(test),
                "reasons": selectors.shown_reasons(test.reasons),
                "morning_reasons": selectors.morning_reasons(test),
                "measurements": selectors.measurements(test),
                "morning_due": selectors.morning_due(test, now=now),
                "morning_form": form or MeasurementForm("morning"),
                "change": selectors.plan_change(test),
            },
            status=status,
        )
    step = selectors.steps(way)[test.step]
    if form is None and step.kind in ("after", "recheck"):
        form = MeasurementForm(step.kind)
    return _render(
        request,
        "step.html",
        {"test": test, "step": step, "title": selectors.TITLES[way], "form": form, "new_id": uuid.uuid4()},
        status=status,
    )


@never_cache
@require_GET
def test_page(request: HttpRequest, test_id: uuid.UUID) -> HttpResponse:
    return _test_page(request, _test(request, test_id))


def _write(request: HttpRequest, test: DirectionalTest, write: Any) -> HttpResponse:
    """Run a service; its refusals become a clear page (``_refused``)."""
    try:
        write()
    except DomainError as error:
        return _refused(request, error)
    return redirect("selfcheck:test", test_id=test.pk)


@require_POST
def next_step(request: HttpRequest, test_id: uuid.UUID) -> HttpResponse:
    test = _test(request, test_id)
    raw = request.POST.get("from_step", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        return _problem(request, f"from_step must be a step number, got {raw!r}")
    return _write(
        request,
        test,
        lambda: services.directional_test_advance(person=test.person, test_id=test.pk, from_step=int(raw)),
    )


@require_POST
def measure(request: HttpRequest, test_id: uuid.UUID) -> HttpResponse:
    test = _test(request, test_id)
    asked = request.POST.get("stage", "")
    if asked == "after":
        stage: Literal["after", "recheck"] = "after"
    elif asked == "recheck":
        stage = "recheck"
    else:
        return _problem(request, f"stage must be after or recheck, got {asked!r}")
    form = MeasurementForm(stage, request.POST)
    if not form.is_valid():
        if test.in_progress and selectors.steps(Direction(test.direction))[test.step].kind == stage:
            return _test_page(request, test, form=form, status=400)
        return _problem(request, "Please give every answer of the measurement.")
    return _write(
        request,
        test,
        lambda: services.directional_test_measure(
            person=test.person, test_id=test.pk, stage=stage, current=form.pain_check()
        ),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def symptoms_check(request: HttpRequest, test_id: uuid.UUID) -> HttpResponse:
    """ "My symptoms got worse" during a position: the core's should_abort decides whether to stop."""
    test = _test(request, test_id)
    if not test.in_progress:
        return redirect("selfcheck:test", test_id=test.pk)
    way = Direction(test.direction)
    context: dict[str, Any] = {
        "test": test,
        "title": selectors.TITLES[way],
        "step": selectors.steps(way)[test.step],
        "new_id": uuid.uuid4(),
        "carry_on": False,
    }
    if request.method == "GET":
        return _render(request, "check.html", {**context, "form": MeasurementForm("during")})
    try:
        check_id = client_uuid(request.POST, "check_id")
    except ValueError as error:
        return _problem(request, str(error))
    form = MeasurementForm("during", request.POST)
    if not form.is_valid():
        return _render(request, "check.html", {**context, "form": form, "new_id": check_id}, status=400)
    try:
        test, answer = services.directional_test_check(
            person=test.person, test_id=test.pk, check_id=check_id, current=form.pain_check()
        )
    except DomainError as error:
        return _refused(request, error)
    if answer.abort:
        return redirect("selfcheck:test", test_id=test.pk)
    return _render(request, "check.html", {**context, "form": None, "carry_on": True})


@require_POST
def stop(request: HttpRequest, test_id: uuid.UUID) -> HttpResponse:
    test = _test(request, test_id)
    return _write(
        request, test, lambda: services.directional_test_cancel(person=test.person, test_id=test.pk)
    )


@require_POST
def morning(request: HttpRequest, test_id: uuid.UUID) -> HttpResponse:
    test = _test(request, test_id)
    form = MeasurementForm("morning", request.POST)
    if not form.is_valid():
        if selectors.morning_due(test, now=timezone.now()):
            return _test_page(request, test, form=form, status=400)
        return _problem(request, "Please give every answer of the morning check.")
    values = form.values()
    return _write(
        request,
        test,
        lambda: services.directional_test_confirm(
            person=test.person, test_id=test.pk, back=values["back"], leg=values["leg"], zone=values["zone"]
        ),
    )
