from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "backhome.web.clinic"
    label = "clinic"
    verbose_name = "Clinic"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from backhome.web.clinic import audit_trail

        user_logged_in.connect(audit_trail.on_logged_in, dispatch_uid="clinic-audit-login")
        user_login_failed.connect(audit_trail.on_login_failed, dispatch_uid="clinic-audit-login-failed")
