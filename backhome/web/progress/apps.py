from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "backhome.web.progress"
    label = "progress"
    verbose_name = "Check-ins and doses"
    default_auto_field = "django.db.models.BigAutoField"
