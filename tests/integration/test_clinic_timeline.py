"""The patient page's timeline reads at a glance: a clinician's dose change shows once, and a run of
quiet green days folds into one line, while anything flagged keeps its own line."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from backhome.web.clinic.models import Enrolment
from tests.integration.clinic_builders import joined_days_ago, practised
from tests.integration.clinic_people import Cast, cast
from tests.integration.history_builders import log_in, session_on

pytestmark = pytest.mark.django_db

WHY = "Holds of 10 seconds are easy for you now; 20 seconds gives the stretch time to work."


@pytest.fixture
def people() -> Cast:
    return cast()


def timeline_of(people: Cast) -> str:
    page = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").content.decode()
    start = page.index('id="timeline-title"')
    return page[start : page.index("</section>", start)]


def test_a_clinicians_dose_change_appears_once(people: Cast) -> None:
    data = {"exercise": "prone-press-up", "sets": "1", "reps": "10", "hold_s": "20", "why": WHY}
    response = people.client("cleo").post(f"/clinic/patients/{people.dana.pk}/programme/dose/", data)
    assert response.status_code == 302
    timeline = timeline_of(people)
    assert timeline.count("dose changed – Prone press-up") == 1
    assert "Prone press-up: stays the same" not in timeline


def test_28_green_days_fold_into_one_line_and_a_red_day_keeps_its_own(people: Cast) -> None:
    joined_days_ago(people.dana, 40)
    Enrolment.objects.filter(person=people.dana).update(label="Dana")
    practised(people.dana, days=range(1, 28), checkin_back=3)  # today is the screening's day
    timeline = timeline_of(people)
    assert re.search(r"27 quiet days, \d\d \w{3} to \d\d \w{3}", timeline)
    assert "27 sessions, 27 morning check-ins" in timeline
    assert timeline.count("Morning check-in") == 0


def test_a_red_day_breaks_the_run_and_keeps_its_own_line(people: Cast) -> None:

    joined_days_ago(people.dana, 40)
    practised(people.dana, days=[*range(1, 10), *range(11, 20)])

    red = session_on(
        people.dana, timezone.localdate() - dt.timedelta(days=10), status="stopped", stop_rules=("PM-12",)
    )
    log_in(
        red,
        1,
        "prone-press-up",
        light="red",
        rules=("PM-12",),
        reasons=[{"rule": "PM-12", "text": "Leg pain rose."}],
    )
    timeline = timeline_of(people)
    assert timeline.count("9 quiet days") == 2
    assert "Session stopped early" in timeline and "Leg pain rose." in timeline
