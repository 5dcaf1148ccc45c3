"""The person's own handout as a PDF download (their programme, from their browser session), and the
page a clinic handout's QR code opens to pair a phone (``pairing.py``)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from backhome.web.errors import Conflict, NotFound
from backhome.web.handouts.pairing import pairing_check, pairing_use
from backhome.web.handouts.render import PAPERS, NoProgramme, Paper, handout_pdf
from backhome.web.patient.selectors import person_for_session
from backhome.web.patient.services import SESSION_KEY


@never_cache
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    paper = request.GET.get("paper", "a4")
    if paper not in PAPERS:
        return HttpResponse(
            "Unknown paper size: choose paper=a4 or paper=letter.", status=400, content_type="text/plain"
        )
    person = person_for_session(request.session)
    if person is None:
        return redirect("patient:home")
    try:
        plan_url = request.build_absolute_uri(reverse("patient:plan"))
        pdf = handout_pdf(person, plan_url=plan_url, paper=cast(Paper, paper))
    except NoProgramme:
        return redirect("patient:plan")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="backhome-exercises-{paper}.pdf"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a preview must not use the link up); POST pairs this browser with the patient's person
    and opens their plan. Someone logged in to an account is asked to log out first: their account's
    person would replace the paired one on the next request."""
    try:
        if request.method == "GET":
            pairing_check(token)
        elif not request.user.is_authenticated:
            person = pairing_use(token)
            request.session.cycle_key()  # a new session id for a new person in this browser
            request.session[SESSION_KEY] = person.pk
            return redirect("patient:plan")
    except (NotFound, Conflict) as problem:
        status = 410 if isinstance(problem, Conflict) else 404
        return render(request, "handouts/pair.html", {"problem": problem.message}, status=status)
    return render(request, "handouts/pair.html", {"token": token, "logged_in": request.user.is_authenticated})
