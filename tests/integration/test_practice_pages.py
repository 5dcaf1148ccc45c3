"""The session player's pages: ``/session/`` (the player, or why there is none today) and
``/session/<uuid>/`` (the summary). What they show, to whom, and how heavy they are."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backhome.core.model import PainCheck
from backhome.web.patient.models import Person, PlanItem
from backhome.web.practice import services
from backhome.web.practice.models import ExerciseSession
from tests.integration.people import WALT_WEB, client_for, person_with_plan

pytestmark = pytest.mark.django_db

BEFORE = PainCheck(back=3, leg=2, zone=3, numbness=False)
SAME = PainCheck(back=3, leg=2, zone=3, numbness=False)
PLAYER = "/session/"


def _start(person: Person, before: PainCheck = BEFORE) -> ExerciseSession:
    session, _ = services.session_start(person=person, id=uuid.uuid4(), before=before)
    return session


def _log(person: Person, session: ExerciseSession, position: int, after: PainCheck | None = SAME) -> Any:
    log, _ = services.log_record(
        person=person,
        session_id=session.id,
        id=uuid.uuid4(),
        position=position,
        sets_done=0 if after is None else 1,
        skipped=after is None,
        it_hurts=False,
        after=after,
    )
    return log


def _data(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="player-data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


# --------------------------------------------------------------------------- the player page


def test_the_player_page_shows_danas_exercises_and_the_pain_check() -> None:
    person, _ = person_with_plan()
    response = client_for(person).get(PLAYER)
    assert response.status_code == 200
    assert reverse("practice:player") == PLAYER
    html = response.content.decode()
    assert "The guided player needs JavaScript" in html
    for name in ("Sciatic nerve glide", "Prone press-up", "Cat-camel"):
        assert name in html
    assert "10 times, hold each 10 seconds" in html
    # the pain check: big 0-10 buttons, the screening's body map labels, the warning signs
    for n in range(11):
        assert f'id="check-back-{n}"' in html and f'id="check-leg-{n}"' in html
    assert "My thigh, above the knee" in html
    assert 'class="bodymap"' in html
    assert "Have you noticed any new warning sign?" in html
    data = _data(html)
    assert [e["exercise_id"] for e in data["exercises"]] == [
        "sciatic-nerve-glide",
        "prone-press-up",
        "cat-camel",
    ]
    assert data["session"] is None
    press_up = data["exercises"][1]
    assert [s["phase"] for s in press_up["timeline"]] == ["move", "hold", "return", "rest"]
    assert press_up["timeline"][1]["seconds"] == 10
    assert data["exercises"][0]["drawn_side"] == "right"
    assert data["urls"]["start"] == "/api/v1/me/sessions"
    assert data["urls"]["log"] == "/api/v1/me/sessions/{id}/logs"
    assert data["urls"]["recheck"] == "/api/v1/me/sessions/{id}/logs/{log}/recheck"
    assert data["urls"]["finish"] == "/api/v1/me/sessions/{id}/finish"
    assert data["urls"]["summary"] == "/session/{id}/"


def test_the_player_page_keeps_to_the_content_security_policy() -> None:
    person, _ = person_with_plan()
    response = client_for(person).get(PLAYER)
    html = response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce is not None
    styles = re.findall(r"<style([^>]*)>", html)
    assert len(styles) == 3 and all(f'nonce="{nonce.group(1)}"' in s for s in styles)
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_the_page_with_its_css_and_js_stays_under_150_kb_on_first_load() -> None:
    for doc in (None, WALT_WEB):
        person, _ = person_with_plan() if doc is None else person_with_plan(doc)
        html = client_for(person).get(PLAYER).content.decode()
        assets = re.findall(r'(?:href|src)="/static/([^"]+)"', html)
        assert "practice/player.js" in assets and "practice/player.css" in assets
        sizes = [Path(str(finders.find(asset))).stat().st_size for asset in assets]
        total = len(html.encode()) + sum(sizes)
        assert total < 150 * 1024, (doc and "Walt", total)


def test_the_page_is_compressed_for_a_browser_that_asks() -> None:
    person, _ = person_with_plan()
    response = client_for(person).get(PLAYER, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 40 * 1024
    assert "Prone press-up" in gzip.decompress(response.content).decode()


def test_someone_without_a_programme_is_sent_to_the_questions() -> None:
    for client in (Client(), client_for(Person.objects.create())):
        html = client.get(PLAYER).content.decode()
        assert "There is no exercise session for you yet" in html
        assert "player.js" not in html


def test_a_locked_person_gets_the_emergency_page() -> None:
    person, _ = person_with_plan()
    person.emergency_locked_at = timezone.now()
    person.save()
    response = client_for(person).get(PLAYER)
    assert response.status_code == 302
    assert response.url == reverse("patient:emergency")


def test_after_todays_session_the_page_offers_nothing_but_the_summary_and_the_plan() -> None:
    person, _ = person_with_plan()
    session = _start(person)
    services.session_finish(person=person, session_id=session.id)
    html = client_for(person).get(PLAYER).content.decode()
    assert "You have done today's session" in html
    assert "Once a day is enough" in html  # DS-01's reason, from the core
    assert reverse("practice:summary", args=[session.id]) in html
    assert 'id="check-form"' not in html
    assert "player.js" not in html


def test_a_session_in_progress_is_carried_on_with_its_own_doses() -> None:
    person, screening = person_with_plan()
    session = _start(person)
    _log(person, session, 1)
    # the plan changes later that day: the session keeps the doses it started with
    PlanItem.objects.filter(screening=screening, exercise_id="prone-press-up").update(hold_s=15)
    html = client_for(person).get(PLAYER).content.decode()
    data = _data(html)
    assert data["session"]["id"] == str(session.id)
    assert data["session"]["next_position"] == 2
    assert [(log["position"], log["light"]) for log in data["session"]["logs"]] == [(1, "green")]
    assert data["exercises"][1]["dose"]["hold_s"] == 10
    assert "10 times, hold each 10 seconds" in html


def test_a_pending_recheck_is_in_the_page_data() -> None:
    person, _ = person_with_plan()
    session = _start(person)
    _log(person, session, 1, PainCheck(back=4, leg=2, zone=3, numbness=False))
    data = _data(client_for(person).get(PLAYER).content.decode())
    (log,) = data["session"]["logs"]
    assert log["needs_recheck"] is True and log["recheck_minutes"] == 5 and log["light"] is None
    assert data["session"]["next_position"] == 2


# --------------------------------------------------------------------------- the summary


def test_the_summary_says_each_exercises_light_in_words() -> None:
    person, _ = person_with_plan()
    session = _start(person)
    _log(person, session, 1)
    _log(person, session, 2, None)
    _log(person, session, 3, PainCheck(back=4, leg=2, zone=3, numbness=False))
    services.log_recheck(
        person=person, session_id=session.id, log_id=session.logs.get(position=3).id, settled=True
    )
    services.session_finish(person=person, session_id=session.id)
    response = client_for(person).get(reverse("practice:summary", args=[session.id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Well done: today's session is done" in html
    assert "You did 2 of 3 exercises." in html
    assert "It went well" in html and "Green" not in html  # words, never a colour's name
    assert "Skipped" in html
    assert "Your pain went up a little" in html and "Amber" not in html
    assert "settled within 5 minutes" in html  # PM-20's reason, from the core
    assert "Tomorrow morning, before you exercise, do the morning check-in" in html
    assert 'href="/check-in/"' not in html  # today's check-in form is not tomorrow's
    assert reverse("patient:plan") in html


def test_the_summary_of_a_stopped_session_shows_the_advice_and_the_safety_questions() -> None:
    person, _ = person_with_plan()
    session = _start(person)
    _log(person, session, 1, PainCheck(back=3, leg=2, zone=3, numbness=False, red_flag=True))
    html = client_for(person).get(reverse("practice:summary", args=[session.id])).content.decode()
    assert "Your session was stopped, for your safety" in html
    assert "Answer the safety questions before anything else." in html
    assert reverse("patient:screening_start") in html
    assert "This exercise was stopped" in html and "Red:" not in html
    assert html.count("Not done") == 2


def test_the_summary_of_a_red_leg_stop_does_not_ask_the_safety_questions() -> None:
    person, _ = person_with_plan()
    session = _start(person)
    _log(person, session, 1, PainCheck(back=3, leg=4, zone=3, numbness=False))
    html = client_for(person).get(reverse("practice:summary", args=[session.id])).content.decode()
    assert "Do no more exercises today." in html
    assert reverse("patient:screening_start") not in html


def test_only_the_person_sees_their_summary() -> None:
    person, _ = person_with_plan()
    session = _start(person)
    walt, _ = person_with_plan(WALT_WEB)
    url = reverse("practice:summary", args=[session.id])
    assert client_for(walt).get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert client_for(person).get("/session/not-a-uuid/").status_code == 404


# --------------------------------------------------------------------------- cost


def test_the_session_log_post_makes_a_small_fixed_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    person, _ = person_with_plan()
    session = _start(person)
    client = client_for(person)
    _log(person, session, 1)
    body = {
        "id": str(uuid.uuid4()),
        "position": 2,
        "sets_done": 1,
        "skipped": False,
        "it_hurts": False,
        "after": {"back": 3, "leg": 2, "zone": 3, "numbness": False, "weakness": False, "red_flag": False},
    }
    with django_assert_max_num_queries(12):
        response = client.post(
            reverse("api:me_session_log", args=[session.id]),
            json.dumps(body),
            content_type="application/json",
        )
    assert response.status_code == 201
