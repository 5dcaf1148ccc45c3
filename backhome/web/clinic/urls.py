"""The clinic's pages under /clinic/: the clinicians' people pages (patient list, patient page,
invitations, clinicians, audit log, CSV export) and the patient's join pages here; the programme editor,
alerts and screen requests in ``urls_actions``, in the same ``clinic`` namespace.

Every clinician page is wrapped in ``permissions.require_clinician``; tests/integration/
test_clinic_permissions.py collects these patterns and fails for any without a row in its matrix.
"""

from django.urls import path

from backhome.web.clinic import export, urls_actions, views, views_join, views_settings

app_name = "clinic"
urlpatterns = [
    path("", views.patients, name="patients"),
    path("patients/<int:person_id>/", views.patient, name="patient"),
    path("patients/<int:person_id>/label/", views.patient_label, name="patient_label"),
    path("patients/<int:person_id>/handout.pdf", views.patient_handout, name="patient_handout"),
    path("patients/<int:person_id>/odi/", views.patient_odi, name="patient_odi"),
    path("handouts.pdf", views.patients_handouts, name="patients_handouts"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:invitation_id>/", views.invitation, name="invitation"),
    path("invitations/<int:invitation_id>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
    path("clinicians/", views.clinicians, name="clinicians"),
    path("clinicians/<int:membership_id>/", views.clinician_update, name="clinician_update"),
    path("audit/", views.audit_log, name="audit"),
    path("audit.csv", views.audit_csv, name="audit_csv"),
    path("settings/", views_settings.clinic_settings, name="settings"),
    path("settings/logo.png", views_settings.clinic_logo, name="logo"),
    path("export.csv", export.export_csv, name="export_csv"),
    # The patient's side: join a clinic with an invitation's link or code, or leave it.
    path("join/", views_join.join, name="join"),
    path("join/leave/", views_join.leave, name="leave"),
    path("join/<str:token>/", views_join.join_token, name="join_token"),
]
urlpatterns += urls_actions.urlpatterns
