from django.urls import include, path

urlpatterns = [
    path("", include("backhome.web.patient.urls")),
    path("session/", include("backhome.web.practice.urls")),
    path("check-in/", include("backhome.web.progress.urls")),
    path("history/", include("backhome.web.history.urls")),
    path("account/", include("backhome.web.accounts.urls")),
    path("self-check/", include("backhome.web.selfcheck.urls")),
]
