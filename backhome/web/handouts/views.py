"""The person's own handout as a PDF download (their programme, from their browser session)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backhome.web.handouts.render import PAPERS, NoProgramme, Paper, handout_pdf
from backhome.web.patient.selectors import person_for_session


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
