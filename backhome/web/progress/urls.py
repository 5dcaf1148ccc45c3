from django.urls import path

from backhome.web.progress import views

app_name = "progress"
urlpatterns = [
    path("", views.checkin, name="checkin"),
    path("<uuid:checkin_id>/", views.result, name="result"),
]
