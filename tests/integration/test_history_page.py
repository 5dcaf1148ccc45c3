"""The history page (issue 3 item 7): pain over time, sessions done, doses reached, stops and flags, for
the person of the browser session only, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backhome.web.history import selectors
from backhome.web.patient.models import Person
from backhome.web.practice.models import ExerciseSession
from backhome.web.progress.models import DoseChange
from tests.integration.history_builders import (
    TEN_DAYS_BACK,
    TEN_DAYS_LEG,
    checkin_on,
    days_of_practice,
    dose_change,
    log_in,
    reasons,
    session_on,
    start_plan_on,
)
from tests.integration.people import WALT_WEB, client_for, person_with_plan

pytestmark = pytest.mark.django_db

URL = "/history/"
SVG = "{http://www.w3.org/2000/svg}"


def _today() -> dt.date:
    return timezone.localdate()


def _ago(days: int) -> dt.date:
    return _today() - dt.timedelta(days=days)


def _page(client: Client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _main(page: str) -> str:
    return page.split('<main id="main" class="page">', 1)[1].split("</main>", 1)[0]


def _pain_svg(page: str) -> ET.Element:
    match = re.search(r'<svg[^>]*class="chart line-chart".*?</svg>', page, re.S)
    assert match is not None
    return ET.fromstring(match.group(0))


@pytest.fixture
def dana_ten_days() -> tuple[Person, Any, list[dt.date]]:
    """Dana, 10 days of sessions ending yesterday, with a morning check-in on each day after the first."""
    dana, screening = person_with_plan()
    start_plan_on(screening, _ago(12))
    days = days_of_practice(dana, screening, last=_ago(1), days=10, back=TEN_DAYS_BACK, leg=TEN_DAYS_LEG)
    return dana, screening, days


# --------------------------------------------------------------------------- the page for Dana


def test_the_history_page_is_at_history_and_named_history_index() -> None:
    assert reverse("history:index") == URL


def test_dana_sees_a_point_per_day_for_back_and_leg_pain_and_the_numbers(dana_ten_days: Any) -> None:
    dana, _, days = dana_ten_days
    page = _page(client_for(dana))
    svg = _pain_svg(page)
    assert len(svg.findall(f".//{SVG}circle[@class='marker marker-back']")) == 10
    assert len(svg.findall(f".//{SVG}rect[@class='marker marker-leg']")) == 10
    title = svg.find(f"{SVG}title")
    assert title is not None and title.text == "Your back and leg pain by day, 0 to 10"
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "end-label"]
    assert labels == ["Back 3", "Leg 1"]
    assert "<summary><span>Show the numbers</span></summary>" in page
    rows = re.findall(r'<tr><th scope="row"><time datetime="([0-9-]+)">', page)
    assert rows == [d.isoformat() for d in reversed(days)]  # newest first


def test_a_morning_check_in_is_plotted_instead_of_the_before_check_of_that_day() -> None:
    dana, screening = person_with_plan()
    session_on(dana, _ago(2), screening=screening, back=7, leg=5)
    session_on(dana, _ago(1), screening=screening, back=6, leg=5)
    checkin_on(dana, _ago(1), back=4, leg=2)
    history = selectors.history_for_person(dana, today=_today())
    assert [(d.back, d.leg, d.source_text) for d in history.pain] == [
        (7, 5, "Before the session"),
        (4, 2, "Morning check-in"),
    ]
    page = _page(client_for(dana))
    assert "<td>4</td><td>2</td><td>Morning check-in</td>" in page
    assert "<td>7</td><td>5</td><td>Before the session</td>" in page


def test_the_first_session_of_a_day_gives_that_days_before_check() -> None:
    dana, screening = person_with_plan()
    session_on(dana, _ago(1), screening=screening, back=5, leg=3)
    session_on(dana, _ago(1), screening=screening, back=2, leg=1)
    history = selectors.history_for_person(dana, today=_today())
    assert [(d.back, d.leg) for d in history.pain] == [(5, 3)]


def test_the_om01_outcome_says_a_3_point_drop_in_back_pain_is_a_real_improvement(dana_ten_days: Any) -> None:
    dana, _, days = dana_ten_days
    page = _page(client_for(dana))
    started = f"{days[0].day} {days[0]:%B}"
    assert (
        f"Your back pain is 3 points lower than when you started (6 out of 10 on {started}, 3 now): "
        "a real improvement."
    ) in page
    assert "Your leg pain is 3 points lower than when you started" in page
    # the rule's code is for the physical therapist, folded away from the person's sentence
    assert "<summary>For your physical therapist</summary><p>The rules behind this: OM-01.</p>" in page


@pytest.mark.parametrize(
    ("first", "last", "words", "meaningful"),
    [
        (6, 3, "is 3 points lower than when you started", True),
        (3, 2, "is 1 point lower than when you started", True),  # 1 point is 33 % of 3: OM-01's 30 %
        (8, 7, "That is not yet enough to be sure the change is real", False),
        (3, 5, "is 2 points higher than when you started", False),
        (4, 4, "is the same as when you started: 4 out of 10", False),
        (5, 0, "has gone from 5 to 0 out of 10 since you started: you are free of it", True),
    ],
)
def test_the_outcome_in_words_follows_the_cores_pain_change(
    first: int, last: int, words: str, meaningful: bool
) -> None:
    dana, screening = person_with_plan()
    session_on(dana, _ago(3), screening=screening, back=first, leg=0)
    session_on(dana, _ago(1), screening=screening, back=last, leg=0)
    back = selectors.history_for_person(dana, today=_today()).outcomes[0]
    assert back.meaningful is meaningful
    assert ("a real improvement" in back.text) is (meaningful and last > 0)
    assert words in back.text


def test_one_day_of_pain_scores_gives_no_outcome_yet() -> None:
    dana, screening = person_with_plan()
    session_on(dana, _ago(0), screening=screening, back=5, leg=2)
    page = _page(client_for(dana))
    assert "After one more day with a pain score" in page
    assert 'id="outcome-back"' not in page


def test_the_calendar_marks_the_days_done_and_stopped_early_and_outlines_today(dana_ten_days: Any) -> None:
    dana, screening, days = dana_ten_days
    session_on(dana, _today(), screening=screening, status=ExerciseSession.Status.STOPPED)
    page = _page(client_for(dana))
    done = re.findall(r'<td class="day done[^"]*" data-day="([0-9-]+)"', page)
    assert done == [d.isoformat() for d in days]
    assert f'<td class="day stopped today" data-day="{_today().isoformat()}" aria-current="date">' in page
    assert page.count('<span class="mark" aria-hidden="true">✓</span>') == 10
    assert page.count('<span class="mark" aria-hidden="true">!</span>') == 1
    assert ": session done</span>" in page and ", today: stopped early</span>" in page
    assert "10 sessions in the last 28 days</strong>, and 1 stopped early." in page


def test_the_calendar_is_five_weeks_from_monday_to_sunday_ending_with_this_week() -> None:
    dana, _ = person_with_plan()
    wednesday = dt.date(2025, 6, 4)
    calendar = selectors.history_for_person(dana, today=wednesday).calendar
    assert len(calendar.weeks) == 5 and all(len(week) == 7 for week in calendar.weeks)
    assert calendar.weeks[0][0].day == dt.date(2025, 5, 5)  # a Monday, four weeks before this week's
    assert calendar.weeks[-1][-1].day == dt.date(2025, 6, 8)  # this week's Sunday
    assert [c.day for week in calendar.weeks for c in week if c.today] == [wednesday]
    assert all(c.future for c in calendar.weeks[-1][3:])


def test_the_calendar_starts_on_the_week_of_the_first_day_with_the_days_before_it_left_blank() -> None:
    dana, screening = person_with_plan()
    first = _today() - dt.timedelta(days=9)
    screening.decided_at = timezone.make_aware(dt.datetime.combine(first, dt.time(12)))
    screening.save(update_fields=["decided_at"])
    session_on(dana, _ago(2), screening=screening)
    calendar = selectors.history_for_person(dana, today=_today()).calendar
    assert calendar.first_day == first
    assert calendar.weeks[0][0].day == first - dt.timedelta(days=first.weekday())  # that week's Monday
    assert len(calendar.weeks) < 5
    assert [c.day for week in calendar.weeks for c in week if c.before] == [
        first - dt.timedelta(days=n) for n in range(first.weekday(), 0, -1)
    ]
    page = _page(client_for(dana))
    assert f"Since your first day, {first.day} {first:%B}" in page
    assert 'class="day before"' in page or first.weekday() == 0


def test_the_count_covers_exactly_the_last_28_days() -> None:
    dana, screening = person_with_plan()
    for days_ago in (0, 27, 28, 40):
        session_on(dana, _ago(days_ago), screening=screening)
    calendar = selectors.history_for_person(dana, today=_today()).calendar
    assert calendar.done == 2


def test_each_exercise_shows_its_starting_and_current_dose_in_words_and_a_hold_chart(
    dana_ten_days: Any,
) -> None:
    dana, screening, _ = dana_ten_days
    dose_change(dana, screening, "prone-press-up", on=_ago(7), hold_s=15)
    dose_change(dana, screening, "prone-press-up", on=_ago(3), hold_s=20)
    page = _page(client_for(dana))
    card = page.split('id="dose-prone-press-up"', 1)[1].split("</li>", 1)[0]
    assert "<dt>At the start</dt><dd>10 times, hold each 10 seconds</dd>" in card
    assert "<dt>Now</dt><dd>10 times, hold each 20 seconds</dd>" in card
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", card, re.S).group(0))  # type: ignore[union-attr]
    assert len(svg.findall(f".//{SVG}rect[@class='bar']")) == 3
    desc = svg.find(f"{SVG}desc")
    assert (
        desc is not None and "10 seconds from" in (desc.text or "") and "20 seconds from" in (desc.text or "")
    )
    glide = page.split('id="dose-sciatic-nerve-glide"', 1)[1].split("</li>", 1)[0]
    assert "10 times on each side – slider (gentlest)" in glide
    assert "<dd>The same as at the start</dd>" in glide


def test_an_exercise_moved_on_to_its_next_variant_is_named_as_it_is_now_and_says_where_it_started() -> None:
    walt, screening = person_with_plan(WALT_WEB)
    days_of_practice(walt, screening, last=_ago(1), days=3)
    dose_change(
        walt,
        screening,
        "double-knee-to-chest",
        plan_exercise_id="single-knee-to-chest",
        on=_ago(1),
        reps=2,
        hold_s=15,
        rules=["DS-04"],
    )
    page = _page(client_for(walt))
    assert 'id="dose-single-knee-to-chest"' not in page
    card = page.split('id="dose-double-knee-to-chest"', 1)[1].split("</li>", 1)[0]
    assert "<h3>Double knee to chest</h3>" in card
    assert "<dd>Single knee to chest: 2 times on each side, hold each 15 seconds</dd>" in card
    assert "<dt>Now</dt><dd>2 times, hold each 15 seconds</dd>" in card


def test_walt_with_no_sessions_yet_still_sees_that_his_result_asked_him_to_see_a_physical_therapist() -> None:
    walt, _ = person_with_plan(WALT_WEB)
    page = _page(client_for(walt))
    assert "Nothing here yet" in page
    events = page.split('id="events-title"', 1)[1]
    assert re.findall(r"</svg> ([^<]*)</h3>", events) == ["Start gently, and see a physical therapist"]


def test_stops_and_flags_are_listed_newest_first_with_their_rules_and_advice(dana_ten_days: Any) -> None:
    dana, screening, _ = dana_ten_days
    stopped = session_on(
        dana, _ago(6), screening=screening, status=ExerciseSession.Status.STOPPED, stop_rules=["PM-10"]
    )
    log_in(
        stopped,
        1,
        "prone-press-up",
        light="red",
        rules=["PM-10"],
        reasons=reasons(("PM-10", "The pain spread further down your leg.")),
        advice="Stop the session and rest.",
    )
    session_on(
        dana,
        _ago(4),
        screening=screening,
        status=ExerciseSession.Status.STOPPED,
        stop_rules=["PM-14"],
        stop_advice="Answer the warning-sign questions again.",
    )
    dose_change(
        dana,
        screening,
        "cat-camel",
        on=_ago(2),
        action=DoseChange.Action.SUSPEND,
        rules=["PM-41"],
        reasons=reasons(("PM-41", "Two mornings in a row were worse after this exercise.")),
    )
    page = _page(client_for(dana))
    events = page.split('id="events-title"', 1)[1]
    titles = re.findall(r"</svg> ([^<]*)</h3>", events)
    assert titles == [
        "Cat-camel taken out of your programme for now",
        "Session stopped early",
        "Stopped: Prone press-up",
    ]
    assert "Two mornings in a row were worse after this exercise." in events
    assert "Answer the warning-sign questions again." in events
    assert "Stop the session and rest." in events and "The pain spread further down your leg." in events
    assert "behind this: PM-10." in events and "behind this: PM-14." in events and "PM-41." in events
    assert 'class="card dose suspended" id="dose-cat-camel"' in page
    assert "Taken out of your programme for now." in page


def test_a_result_that_sent_walt_to_see_someone_is_listed_with_a_link_to_what_to_do() -> None:
    walt, screening = person_with_plan(WALT_WEB)
    assert screening.tier == "refer"
    days_of_practice(walt, screening, last=_ago(1), days=3)
    page = _page(client_for(walt))
    events = page.split('id="events-title"', 1)[1]
    assert "Start gently, and see a physical therapist" in events
    assert f'href="{reverse("patient:plan")}">What to do</a>' in events
    assert "<summary><span>Why</span></summary>" in events


def test_a_locked_person_still_sees_their_history_and_the_emergency_result_first() -> None:
    dana, screening = person_with_plan()
    days_of_practice(dana, screening, last=_ago(2), days=3)
    client = client_for(dana)
    client.post(
        reverse("patient:screening_step", args=["bladder-bowel"]), {"symptoms__bladder_change": "yes"}
    )
    dana.refresh_from_db()
    assert dana.locked
    page = _page(client)
    events = page.split('id="events-title"', 1)[1]
    assert re.findall(r"</svg> ([^<]*)</h3>", events)[0] == "Get emergency help now"
    assert f'href="{reverse("patient:emergency")}">What to do</a>' in events
    assert "You have no programme at the moment" in page


# --------------------------------------------------------------------------- privacy


def test_walts_history_never_shows_on_danas_page(dana_ten_days: Any) -> None:
    dana, _, _ = dana_ten_days
    walt, walt_screening = person_with_plan(WALT_WEB)
    walt_day = _ago(20)
    stopped = session_on(
        walt,
        walt_day,
        screening=walt_screening,
        back=9,
        leg=8,
        status=ExerciseSession.Status.STOPPED,
        stop_advice="Walt-only advice",
    )
    log_in(stopped, 1, "childs-pose", light="red", advice="Walt's red light", rules=["PM-12"])
    checkin_on(walt, _ago(19), back=9, leg=9)
    dose_change(walt, walt_screening, "single-knee-to-chest", on=_ago(18), hold_s=25)
    page = _page(client_for(dana))
    assert "Walt" not in page
    assert "Child's pose" not in page and "Single knee to chest" not in page
    assert "Start gently, and see a physical therapist" not in page
    # before Dana's first day, so her calendar leaves it blank; and it is never marked
    assert f'class="day done" data-day="{walt_day.isoformat()}"' not in page
    assert "stopped early" not in _main(page).split('id="session-count"', 1)[1].split("</p>", 1)[0]
    assert "<td>9</td>" not in page and "Back 9" not in page and "Leg 9" not in page
    history = selectors.history_for_person(dana, today=_today())
    assert all(d.back != 9 for d in history.pain)
    assert history.events == ()


def test_a_browser_without_a_person_sees_nobodys_history(dana_ten_days: Any) -> None:
    page = _page(Client())
    assert "Nothing here yet" in page
    assert "line-chart" not in page and "Prone press-up" not in page
    assert f'href="{reverse("patient:screening_start")}">Start the questions</a>' in page


def test_a_person_id_in_the_query_string_changes_nothing(dana_ten_days: Any) -> None:
    dana, _, _ = dana_ten_days
    walt, _ = person_with_plan(WALT_WEB)
    page = client_for(walt).get(URL, {"person": dana.pk}).content.decode()
    assert "line-chart" not in page and "Nothing here yet" in page


# --------------------------------------------------------------------------- empty states


def test_dana_with_a_plan_and_no_sessions_gets_a_button_to_her_plan() -> None:
    dana, _ = person_with_plan()
    page = _page(client_for(dana))
    assert "Nothing here yet" in page
    assert "You have not done a session or a morning check-in yet." in page
    assert f'<a class="button" href="{reverse("patient:plan")}">Go to your programme</a>' in page
    assert "line-chart" not in page and 'class="calendar"' not in page


def test_a_person_without_a_result_is_sent_to_the_start_page() -> None:
    person = Person.objects.create()
    page = _page(client_for(person))
    assert f'href="{reverse("patient:home")}">Go to the start page</a>' in page


def test_history_older_than_the_chart_window_is_said_and_still_counts_as_the_start() -> None:
    dana, screening = person_with_plan()
    session_on(dana, _ago(200), screening=screening, back=8, leg=6)
    session_on(dana, _ago(1), screening=screening, back=3, leg=1)
    page = _page(client_for(dana))
    assert f"This shows the last {selectors.PAIN_WINDOW_DAYS} days." in page
    assert len(_pain_svg(page).findall(f".//{SVG}circle[@class='marker marker-back']")) == 1
    assert "Your back pain is 5 points lower than when you started (8 out of 10" in page


# --------------------------------------------------------------------------- queries and safety


def _build_history(days: int) -> Person:
    dana, screening = person_with_plan()
    start_plan_on(screening, _ago(days + 2))
    days_of_practice(dana, screening, last=_ago(1), days=days)
    for i in range(0, days, 5):
        dose_change(dana, screening, "prone-press-up", on=_ago(days - i), hold_s=10 + 5 * (i // 5 % 5))
        stopped = session_on(dana, _ago(days - i), screening=screening, status=ExerciseSession.Status.STOPPED)
        log_in(stopped, 1, "cat-camel", light="red", rules=["PM-12"], reasons=reasons(("PM-12", "Leg")))
    dose_change(dana, screening, "cat-camel", on=_ago(1), action=DoseChange.Action.SUSPEND)
    return dana


def _queries(person: Person) -> int:
    client = client_for(person)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured.captured_queries)


def test_the_page_makes_the_same_number_of_queries_for_5_and_for_50_days_of_history() -> None:
    short, long = _build_history(5), _build_history(50)
    assert _queries(short) == _queries(long)


def test_the_selector_alone_makes_nine_queries(django_assert_num_queries: Any) -> None:
    dana = _build_history(20)
    with django_assert_num_queries(9):  # with the red stops still open (B30)
        history = selectors.history_for_person(dana, today=_today())
    assert len(history.pain) == 20 and history.calendar.done == 20


def test_the_page_has_no_inline_style_or_script_and_escapes_stored_text(dana_ten_days: Any) -> None:
    dana, screening, _ = dana_ten_days
    session_on(
        dana,
        _ago(0),
        screening=screening,
        status=ExerciseSession.Status.STOPPED,
        stop_advice='<script>alert("x")</script>',
    )
    page = _page(client_for(dana))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert ' style="' not in page and " on" + "click=" not in page
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert '<link rel="stylesheet" href="/static/history/history.css">' in page


def test_the_page_is_never_cached_and_only_answers_get(dana_ten_days: Any) -> None:
    dana, _, _ = dana_ten_days
    client = client_for(dana)
    response = client.get(URL)
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert client.post(URL).status_code == 405
