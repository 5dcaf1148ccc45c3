from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "backhome.web.history"
    label = "history"
    verbose_name = "History"
    default_auto_field = "django.db.models.BigAutoField"
