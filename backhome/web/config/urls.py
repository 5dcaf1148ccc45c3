from django.urls import include, path

from backhome.web.config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("", include("backhome.web.patient.urls")),
    path("session/", include("backhome.web.practice.urls")),
    path("check-in/", include("backhome.web.progress.urls")),
    path("history/", include("backhome.web.history.urls")),
    path("account/", include("backhome.web.accounts.urls")),
    path("self-check/", include("backhome.web.selfcheck.urls")),
    path("handout/", include("backhome.web.handouts.urls")),
    path("clinic/", include("backhome.web.clinic.urls")),
]
