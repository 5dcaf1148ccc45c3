from django.apps import AppConfig


class PatientConfig(AppConfig):
    name = "backhome.web.patient"
    label = "patient"
    verbose_name = "Patient"
    default_auto_field = "django.db.models.BigAutoField"
