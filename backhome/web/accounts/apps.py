from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "backhome.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from backhome.web.accounts.signals import clinician_session_short

        user_logged_in.connect(clinician_session_short, dispatch_uid="backhome-clinician-session-short")
