from django.urls import include, path

urlpatterns = [
    path("", include("backhome.web.patient.urls")),
]
