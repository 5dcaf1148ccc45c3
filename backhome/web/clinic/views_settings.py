"""The clinic's settings page (clinic admin) and its logo (any clinician of the clinic)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from backhome.web.clinic.clinic_settings import LOGO_MAX_BYTES, clinic_settings_update
from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.permissions import membership_of, require_clinic_admin, require_clinician


@require_http_methods(["GET", "POST"])
@require_clinic_admin
def clinic_settings(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    clinic = membership.clinic
    error = None
    values = {"alert_email": clinic.alert_email, "identifier_system": clinic.identifier_system}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        upload = request.FILES.get("logo")
        try:
            if upload is not None and upload.size is not None and upload.size > LOGO_MAX_BYTES:
                raise ClinicError("logo", f"The logo can be at most {LOGO_MAX_BYTES // (1024 * 1024)} MB.")
            clinic_settings_update(
                membership=membership,
                alert_email=values["alert_email"],
                identifier_system=values["identifier_system"],
                logo=upload.read() if upload is not None else None,
                remove_logo=request.POST.get("remove_logo") == "1",
            )
        except ClinicError as problem:
            error = problem
        else:
            return redirect(reverse("clinic:settings") + "?saved=1")
    return render(
        request,
        "clinic/settings.html",
        {
            "nav": "settings",
            "values": values,
            "error": error,
            "has_logo": bool(clinic.logo),
            "saved": request.GET.get("saved") == "1",
            "logo_mb": LOGO_MAX_BYTES // (1024 * 1024),
        },
        status=400 if error else 200,
    )


@require_GET
@require_clinician
def clinic_logo(request: HttpRequest) -> HttpResponse:
    logo = membership_of(request).clinic.logo
    if not logo:
        raise Http404("no logo")
    response = HttpResponse(bytes(logo), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response
