from django.urls import include, path

from backhome.web.config import health
from backhome.web.patient import language, manifest
from backhome.web.practice import worker

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("sw.js", worker.service_worker, name="service_worker"),  # offline copies (docs/web-session.md)
    path("manifest.webmanifest", manifest.web_manifest, name="web_manifest"),  # add to the home screen
    # The session player's JSON is the most frequent request of all (one per exercise): matched early.
    path("session/", include("backhome.web.practice.urls")),
    path("", include("backhome.web.fhir.urls")),  # /account/data/fhir.json, /clinic/patients/<id>/fhir.json
    path("", include("backhome.web.patient.urls")),
    path("check-in/", include("backhome.web.progress.urls")),
    path("history/", include("backhome.web.history.urls")),
    path("api/v1/", include("backhome.web.api.urls")),
    path("account/tokens/", include("backhome.web.api.urls_tokens")),
    path("account/", include("backhome.web.accounts.urls")),
    path("self-check/", include("backhome.web.selfcheck.urls")),
    path("handout/", include("backhome.web.handouts.urls")),
    path("clinic/", include("backhome.web.clinic.urls")),
    path("reminders/", include("backhome.web.reminders.urls")),
    # The footer's language control: Django's set_language, which also keeps the choice on the person.
    path("i18n/setlang/", language.set_language, name="set_language"),
]

handler400 = "backhome.web.config.limits.bad_request"  # a body over the limit: 413 (docs/security.md)
handler500 = "backhome.web.config.dberrors.server_error"  # a database fault outside a view: 503
