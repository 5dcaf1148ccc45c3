"""The camera coach on the server's side: the camera is allowed on the session player only, the page
carries the coach's thresholds for its own exercises, and the service worker keeps the model only once
it has been used."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from backhome.core.library.coach import coach_content
from tests.integration.people import client_for, person_with_plan

pytestmark = pytest.mark.django_db

PLAYER = "/session/"


def _json(html: str, node: str) -> Any:
    found = re.search(rf'<script id="{node}" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None, node
    return json.loads(found.group(1))


def test_the_session_player_may_use_the_camera_and_run_the_pose_model() -> None:
    person, _ = person_with_plan()
    response = client_for(person).get(PLAYER)
    assert "camera=(self)" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"].replace("'wasm-unsafe-eval'", "")


def test_every_other_page_keeps_the_camera_off() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    for url in (reverse("patient:plan"), reverse("patient:home"), reverse("patient:emergency")):
        response = client.get(url)
        assert "camera=()" in response["Permissions-Policy"], url
        assert "wasm" not in response["Content-Security-Policy"], url


def test_the_player_carries_the_coach_thresholds_of_its_own_exercises_only() -> None:
    person, _ = person_with_plan()
    html = client_for(person).get(PLAYER).content.decode()
    on_page = {ex["exercise_id"] for ex in _json(html, "player-data")["exercises"]}
    coach = _json(html, "coach-content")
    assert set(coach) == on_page & set(coach_content())
    assert all(coach[ex] == coach_content()[ex] for ex in coach)


def test_the_service_worker_keeps_the_model_only_after_it_is_first_used() -> None:
    script = client_for(person_with_plan()[0]).get("/sw.js").content.decode()
    config = json.loads(script.split("var CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert "/static/practice/player/coach.js" in config["assets"]
    assert "/static/practice/coach/vendor/pose_landmarker_lite.task" in config["lazy"]
    assert not any("/practice/coach/vendor/" in path for path in config["assets"])


@override_settings(
    WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True
)  # static files without collectstatic
def test_the_coach_worker_may_compile_the_model_and_other_scripts_may_not() -> None:
    client = client_for(person_with_plan()[0])
    worker = client.get("/static/practice/coach/worker.js")
    other = client.get("/static/practice/player.js")
    assert worker.status_code == other.status_code == 200
    assert "'wasm-unsafe-eval'" in worker["Content-Security-Policy"]
    assert "wasm" not in other["Content-Security-Policy"]
