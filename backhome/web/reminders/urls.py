"""The reminders' pages under /reminders/ (docs/reminders.md)."""

from django.urls import path

from backhome.web.reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("calendar/", views.feed_change, name="feed_change"),
    path("feed/<str:secret>.ics", views.feed, name="feed"),
    path("stop/<str:token>/", views.stop, name="stop"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
