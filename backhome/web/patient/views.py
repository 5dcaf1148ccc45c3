"""Thin views: read with selectors, write with services, show what the core decided."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backhome.core.contract import IntakeError
from backhome.core.model import Tier
from backhome.web.clinic.editor.changes import changes_unseen
from backhome.web.clinic.editor.services import changes_mark_seen
from backhome.web.patient import questions, selectors, services
from backhome.web.patient.forms import StepForm
from backhome.web.patient.models import Person


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    person = selectors.person_for_session(request.session)
    result = selectors.result_for_person(person)
    open_screening = selectors.screening_open(person)
    return render(
        request,
        "patient/home.html",
        {"result": result, "resume": open_screening is not None, "first_step": questions.step_ids()[0]},
    )


@never_cache
@require_GET
def screening_start(request: HttpRequest) -> HttpResponse:
    person = selectors.person_for_session(request.session)
    if person is not None and person.locked:
        return redirect("patient:emergency")
    open_screening = selectors.screening_open(person)
    step = selectors.next_step(open_screening.answers if open_screening else {}) or questions.step_ids()[-1]
    return redirect("patient:screening_step", step_id=step)


@never_cache
@require_http_methods(["GET", "POST"])
def screening_step(request: HttpRequest, step_id: str) -> HttpResponse:
    step = questions.get_step(step_id)
    if step is None:
        raise Http404("no such step")
    person = selectors.person_for_session(request.session)
    if person is not None and person.locked:
        return redirect("patient:emergency")
    open_screening = selectors.screening_open(person)
    answers = dict(open_screening.answers) if open_screening else {}
    if not questions.applies(step, answers):  # a follow-up not asked with these answers (B23)
        return redirect("patient:screening_start")
    ids = questions.step_ids()
    first_unanswered = selectors.next_step(answers)
    if first_unanswered is not None and ids.index(step_id) > ids.index(first_unanswered):
        return redirect("patient:screening_step", step_id=first_unanswered)

    if request.method == "POST":
        form = StepForm(step, request.POST, answers=answers)
        # An emergency sign counts at once, even on a half-answered page.
        given = form.answers() if form.is_valid() else form.emergency_yes()
        if given:
            person = services.person_get_or_create_for_session(session=request.session)
            try:
                screening = services.screening_save_answers(person=person, step_id=step.id, answers=given)
            except services.LockError:
                return redirect("patient:emergency")
            if screening.tier == "emergency":
                return redirect("patient:emergency")
            if form.is_valid():
                return _after(request, person, step_id, screening.answers)
    else:
        form = StepForm(step, answers=answers)

    number = questions.step_number(step_id)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "patient/step.html",
        {
            "step": step,
            "form": form,
            "rows": form.rows(),
            "number": number,
            "total": len(ids),
            "previous": questions.previous_applying(step_id, answers),
            "last": number == len(ids),
        },
        status=status,
    )


def _after(request: HttpRequest, person: Person, step_id: str, answers: dict[str, Any]) -> HttpResponse:
    # A re-screen (B25) starts from the earlier answers without the warning signs: only what is
    # unanswered is asked again.
    open_screening = selectors.screening_open(person)
    if open_screening is not None and open_screening.rescreen:
        following = selectors.next_step(answers)
    else:
        following = questions.next_applying(step_id, answers)
    if following is not None:
        return redirect("patient:screening_step", step_id=following)
    missing = selectors.next_step(answers)
    if missing is not None:
        return redirect("patient:screening_step", step_id=missing)
    try:
        screening, _ = services.screening_submit(person=person)
    except services.LockError:
        return redirect("patient:emergency")
    except IntakeError as error:
        return render(request, "patient/problem.html", {"problems": error.problems}, status=400)
    return redirect(f"patient:{selectors.PAGE_FOR_TIER[_tier(screening.tier)]}")


def _tier(value: str) -> Tier:
    return Tier(value)


def _result_page(
    request: HttpRequest,
    page: str,
    extra: dict[str, Any] | None = None,
    person: Person | None = None,
) -> HttpResponse:
    if person is None:
        person = selectors.person_for_session(request.session)
    result = selectors.result_for_person(person)
    if page == "emergency" and result.page != "emergency":
        # B31: the emergency advice opens for everyone, whatever their result (without their reasons).
        result = selectors.emergency_information()
    if result.page == "none" and page != "emergency":
        return redirect("patient:home")
    if result.page not in ("none", page):
        return redirect(f"patient:{result.page}")
    template = "see_someone" if page in ("urgent", "soon") else page  # urgent and soon share a page
    return render(request, f"patient/{template}.html", {"result": result, **(extra or {})})


@never_cache
@require_GET
def emergency(request: HttpRequest) -> HttpResponse:
    return _result_page(request, "emergency")


@never_cache
@require_GET
def urgent(request: HttpRequest) -> HttpResponse:
    return _result_page(request, "urgent")


@never_cache
@require_GET
def soon(request: HttpRequest) -> HttpResponse:
    return _result_page(request, "soon")


@never_cache
@require_GET
@ensure_csrf_cookie
def plan(request: HttpRequest) -> HttpResponse:
    """The programme, with what a clinician changed since the person last looked (shown once).

    It sets the CSRF cookie: the service worker it registers fetches the session player in the
    background, and without a cookie already in place that fetch and the person's next page could each
    be given a different one, so the next form they sent would be refused."""
    person = selectors.person_for_session(request.session)
    changes = changes_unseen(person)
    response = _result_page(request, "plan", {"clinician_changes": changes}, person)
    if changes and person is not None and response.status_code == 200:
        changes_mark_seen(person=person)
    return response


@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    """Every exercise of the library with its pictures and steps (no personal data)."""
    return render(request, "patient/gallery.html", {"exercises": selectors.library_exercises()})


@require_POST
def before_session(request: HttpRequest) -> HttpResponse:
    """RF-21 (B25): "is anything new or different from your usual back pain?" before a session. Yes opens
    the red-flag questions again before any exercise; no goes to the session player."""
    person = selectors.person_for_session(request.session)
    if person is None:
        return redirect("patient:home")
    answer = request.POST.get("new_or_different")
    if answer not in ("yes", "no"):  # not the plan's button: a tampered or broken form
        return render(request, "patient/before_session_problem.html", status=400)
    try:
        again = services.person_report_before_session(person=person, new_or_different=answer == "yes")
    except services.LockError:
        return redirect("patient:emergency")
    return redirect("patient:screening_start" if again else "practice:player")


@require_POST
def startback_again(request: HttpRequest) -> HttpResponse:
    """SB-13: the STarT Back questions again (only those), from the plan's card."""
    person = selectors.person_for_session(request.session)
    if person is None:
        return redirect("patient:home")
    try:
        services.screening_startback_again(person=person)
    except services.LockError:
        return redirect("patient:emergency")
    except services.NothingToRedecide:
        return redirect("patient:plan")
    return redirect("patient:screening_start")
