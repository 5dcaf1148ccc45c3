from django.urls import path

from backhome.web.history import views

app_name = "history"
urlpatterns = [
    path("", views.index, name="index"),
]
