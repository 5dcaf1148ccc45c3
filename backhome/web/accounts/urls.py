from django.urls import path
from django.views.decorators.cache import never_cache

from backhome.web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("download/", views.download, name="download"),
    path("delete/", views.delete, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
    path("password-reset/", never_cache(views.PasswordResetView.as_view()), name="password_reset"),
    path(
        "password-reset/sent/", never_cache(views.PasswordResetDoneView.as_view()), name="password_reset_done"
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        never_cache(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        never_cache(views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
