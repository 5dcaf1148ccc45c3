from django.apps import AppConfig


class HandoutsConfig(AppConfig):
    name = "backhome.web.handouts"
    label = "handouts"
    verbose_name = "Printable handouts"
    default_auto_field = "django.db.models.BigAutoField"
