from django.urls import path

from backhome.web.practice import views

app_name = "practice"
urlpatterns = [
    path("", views.player, name="player"),
    path("<uuid:session_id>/", views.summary, name="summary"),
    # The player's writes before they moved to /api/v1/me/sessions/: writes queued offline before an
    # upgrade still reach the API at these addresses (views.queued_write).
    path("start/", views.queued_write("me_session_start"), name="queued_start"),
    path("<uuid:session_id>/log/", views.queued_write("me_session_log"), name="queued_log"),
    path(
        "<uuid:session_id>/log/<uuid:log_id>/recheck/",
        views.queued_write("me_session_recheck"),
        name="queued_recheck",
    ),
    path("<uuid:session_id>/finish/", views.queued_write("me_session_finish"), name="queued_finish"),
]
