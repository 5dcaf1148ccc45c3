"""``/account/tokens/``: a person's personal access tokens (make, list, revoke)."""

from django.urls import path

from backhome.web.api import views

app_name = "tokens"
urlpatterns = [
    path("", views.tokens, name="list"),
    path("<int:token_id>/revoke/", views.revoke, name="revoke"),
]
