"""The nerve glide has no hold (ND-03 as issue 15 settled it): stored glide doses with a 2-second hold
become 0, so the core's ``next_dose`` (which refuses a dose outside the envelope) reads old rows."""

from typing import Any

from django.db import migrations

NERVE_GLIDE = "sciatic-nerve-glide"


def no_hold(apps: Any, schema_editor: Any) -> None:
    for app, model in (("patient", "PlanItem"), ("progress", "DoseChange"), ("practice", "ExerciseLog")):
        apps.get_model(app, model).objects.filter(exercise_id=NERVE_GLIDE, hold_s=2).update(hold_s=0)
    session_model = apps.get_model("practice", "ExerciseSession")
    for session in session_model.objects.filter(status="in_progress").only("programme"):
        changed = False
        for item in session.programme:
            if item.get("exercise_id") == NERVE_GLIDE and item.get("hold_s") == 2:
                item["hold_s"] = 0
                changed = True
        if changed:
            session.save(update_fields=["programme"])


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0004_exercise_stop"),
        ("patient", "0002_person_rescreen_needed"),
        ("progress", "0003_checkin_person_date_back"),
    ]

    operations = [migrations.RunPython(no_hold, migrations.RunPython.noop)]
