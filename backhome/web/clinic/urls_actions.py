"""The URL patterns of the programme editor, alerts and screen requests, in the ``clinic`` namespace:
``clinic/urls.py`` adds them with ``urlpatterns += urls_actions.urlpatterns``.

Their rows for the seven personas are in ``tests/integration/test_clinic_actions_permissions.py``
(``ACTION_NAMES`` below); ``tests/integration/test_clinic_permissions.py`` holds the other patterns' rows.

Clinician pages (``require_clinician``): ``programme*``, ``alerts``, ``alert_acknowledge``, ``requests``,
``request_status``. The patient's pages (their own person, from the browser session): ``request_screen``,
``request_screen_sent``, ``my_changes``.
"""

from django.urls import path

from backhome.web.clinic import views_alerts, views_editor, views_requests

urlpatterns = [
    # the programme editor (a patient of the clinic)
    path("patients/<int:person_id>/programme/", views_editor.programme, name="programme"),
    path("patients/<int:person_id>/programme/dose/", views_editor.programme_dose, name="programme_dose"),
    path("patients/<int:person_id>/programme/add/", views_editor.programme_add, name="programme_add"),
    path(
        "patients/<int:person_id>/programme/remove/", views_editor.programme_remove, name="programme_remove"
    ),
    path(
        "patients/<int:person_id>/programme/monitoring/",
        views_editor.programme_monitoring,
        name="programme_monitoring",
    ),
    path(
        "patients/<int:person_id>/programme/clearance/",
        views_editor.programme_clearance,
        name="programme_clearance",
    ),
    path(
        "patients/<int:person_id>/programme/unlock/", views_editor.programme_unlock, name="programme_unlock"
    ),
    # alerts
    path("alerts/", views_alerts.inbox, name="alerts"),
    path("alerts/<int:alert_id>/acknowledge/", views_alerts.acknowledge, name="alert_acknowledge"),
    # screen requests: the clinic's inbox
    path("requests/", views_requests.inbox, name="requests"),
    path("requests/<uuid:request_id>/status/", views_requests.set_status, name="request_status"),
    # the patient's side
    path("request-screen/", views_requests.request_screen, name="request_screen"),
    path("request-screen/sent/", views_requests.request_screen_sent, name="request_screen_sent"),
    path("changes/", views_editor.my_changes, name="my_changes"),
]

#: Every URL name above (the permission tests' rows).
ACTION_NAMES = tuple(p.name for p in urlpatterns if p.name)
