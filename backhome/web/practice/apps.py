from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "backhome.web.practice"
    label = "practice"
    verbose_name = "Guided sessions"
    default_auto_field = "django.db.models.BigAutoField"
