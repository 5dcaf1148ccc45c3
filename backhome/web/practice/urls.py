from django.urls import path

from backhome.web.practice import views

app_name = "practice"
urlpatterns = [
    path("", views.player, name="player"),
    path("start/", views.start, name="start"),
    # Ids in these paths are checked by the views, so a malformed one gets the JSON envelope (404).
    path("<str:session_id>/", views.summary, name="summary"),
    path("<str:session_id>/log/", views.log, name="log"),
    path("<str:session_id>/log/<str:log_id>/recheck/", views.recheck, name="recheck"),
    path("<str:session_id>/finish/", views.finish, name="finish"),
]
