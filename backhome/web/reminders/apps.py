from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "backhome.web.reminders"
    label = "reminders"
    verbose_name = "Reminders and calendar feed"
    default_auto_field = "django.db.models.BigAutoField"
