"""The FHIR downloads, at the places they belong: the patient's data page and the clinic's patient page.
Included at the site's root (config/urls.py) so neither app's URL list changes."""

from django.urls import path

from backhome.web.fhir import views

app_name = "fhir"
urlpatterns = [
    path("account/data/fhir.json", views.my_record, name="my_record"),
    path("clinic/patients/<int:person_id>/fhir.json", views.clinic_patient_record, name="clinic_patient"),
]
