from django.urls import path

from backhome.web.selfcheck import views

app_name = "selfcheck"
urlpatterns = [
    path("", views.index, name="index"),
    path("test/<uuid:test_id>/", views.test_page, name="test"),
    path("test/<uuid:test_id>/next/", views.next_step, name="next"),
    path("test/<uuid:test_id>/measure/", views.measure, name="measure"),
    path("test/<uuid:test_id>/check/", views.symptoms_check, name="check"),
    path("test/<uuid:test_id>/stop/", views.stop, name="stop"),
    path("test/<uuid:test_id>/morning/", views.morning, name="morning"),
    path("<slug:direction>/", views.start, name="start"),
]
