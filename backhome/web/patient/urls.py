from django.urls import path

from backhome.web.patient import views

app_name = "patient"
urlpatterns = [
    path("", views.home, name="home"),
    path("screening/", views.screening_start, name="screening_start"),
    path("screening/<slug:step_id>/", views.screening_step, name="screening_step"),
    path("emergency/", views.emergency, name="emergency"),
    path("urgent/", views.urgent, name="urgent"),
    path("soon/", views.soon, name="soon"),
    path("plan/", views.plan, name="plan"),
    path("plan/before-session/", views.before_session, name="before_session"),
    path("plan/startback-again/", views.startback_again, name="startback_again"),
    path("exercises/", views.gallery, name="gallery"),
]
