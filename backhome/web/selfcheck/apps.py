from django.apps import AppConfig


class SelfcheckConfig(AppConfig):
    name = "backhome.web.selfcheck"
    label = "selfcheck"
    verbose_name = "Directional self-check"
    default_auto_field = "django.db.models.BigAutoField"
