"""Dana exercises where the Wi-Fi drops: the service worker keeps the player and the plan on her phone,
her answers wait in the outbox, and when the connection returns the server holds every record once.
Playwright's ``context.set_offline`` cuts the network (for the page and for its service worker).
Screenshots go to artifacts/screenshots/ (offline-*)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e import web_fixtures  # first: it sets Django up
from tests.e2e.a11y import assert_accessible
from tests.e2e.test_web_session import CALM, DANA_SECONDS, FAKE_SPEECH, _answer, _do_exercise, _send, _start
from tests.e2e.web_fixtures import Visit, sign_in_as_guest

from backhome.web.practice.models import ExerciseLog, ExerciseSession  # isort: skip
from tests.integration.people import person_with_plan  # isort: skip

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAITING = "Saved on this phone — will send when you are back online."
#: Resolves when a service worker controls the page (its offline copies are kept by then).
CONTROLLED = """() => navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller ? true :
  new Promise(resolve => navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true))))"""
#: What Chromium itself logs for a request made while the network is cut.
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "Failed to load resource", "Failed to fetch")


def _open(visit: Visit, person: Any) -> None:
    sign_in_as_guest(visit, person)
    visit.page.add_init_script(FAKE_SPEECH)
    visit.page.clock.install()
    visit.go("/session/")
    visit.page.clock.pause_at(1_900_000_000)
    assert visit.page.evaluate(CONTROLLED) is True


def _check(visit: Visit, name: str) -> None:
    """A screenshot, no axe problem, no error but the browser's own notes on requests it could not make."""
    visit.shot(name)
    visit.page.clock.resume()
    assert_accessible(visit, context=name)
    visit.page.clock.pause_at(visit.page.evaluate("Date.now()") / 1000 + 0.5)
    errors = [e for e in visit.console_errors if not any(noise in e for noise in OFFLINE_NOISE)]
    assert errors == [], name
    assert visit.foreign_requests() == [], name


def _sent(visit: Visit) -> bool:
    """Whether the outbox is empty within 10 seconds (of real time: the page's clock is Playwright's)."""
    for _ in range(100):
        if visit.page.evaluate("window.backhomeOutbox.size()") == 0:
            return True
        visit.page.wait_for_timeout(100)
    return False


def _status(visit: Visit) -> str:
    return str(visit.page.locator("#sync-status").inner_text()).strip()


def _counts(person: Any) -> tuple[int, int, list[str]]:
    sessions = ExerciseSession.objects.filter(person=person)
    logs = ExerciseLog.objects.filter(session__person=person).order_by("position")
    return sessions.count(), logs.count(), [log.light for log in logs]


def test_a_session_finished_offline_reaches_the_server_once_when_dana_is_back_online(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    _do_exercise(visit, DANA_SECONDS["sciatic-nerve-glide"])
    _send(visit, CALM)
    assert visit.page.locator("#light-title").inner_text() == "Went well"  # online: the core's light
    assert _status(visit) == ""  # nothing waits, nothing to say
    visit.page.click("#next")

    # The Wi-Fi drops in the middle of the press-ups.
    visit.page.click("#go")
    visit.page.clock.run_for(12_500)
    visit.page.context.set_offline(True)
    visit.page.clock.run_for(int((DANA_SECONDS["prone-press-up"] - 12.5) * 1000) + 400)
    visit.page.locator("#stage-felt").wait_for(state="visible")
    _send(visit, CALM)
    assert visit.page.locator("#light-title").inner_text() == "Saved on this phone"
    assert visit.page.locator("#result-title").inner_text() == "Not checked yet"
    assert "You are offline" in visit.page.locator("#result-reasons").inner_text()
    assert "you can carry on" in visit.page.locator("#result-advice").inner_text()
    assert _status(visit) == WAITING
    assert visit.page.locator("#next").inner_text() == "Next exercise"
    _check(visit, "offline-result-saved")
    visit.page.click("#next")

    # A reload while offline: the page comes from the service worker and carries on from the phone.
    visit.page.click("#go")
    visit.page.clock.run_for(20_000)
    visit.page.reload()
    visit.page.locator("#stage-exercise").wait_for(state="visible")
    assert visit.page.locator("#player").get_attribute("data-source") == "cache"
    assert "Exercise 3 of 3" in visit.page.locator("#where").inner_text()
    assert visit.page.locator("#pause").inner_text() == "Resume"
    assert _status(visit) == WAITING
    visit.page.click("#pause")
    visit.page.clock.run_for(int((DANA_SECONDS["cat-camel"] - 20) * 1000) + 400)
    visit.page.locator("#stage-felt").wait_for(state="visible")
    _send(visit, CALM)
    assert visit.page.locator("#next").inner_text() == "Finish the session"
    visit.page.click("#next")
    visit.page.locator("#stage-done").wait_for(state="visible")
    assert visit.page.locator("#done-title").inner_text() == "Well done: today's session is done"
    assert visit.page.locator("#done-waiting").is_visible()
    assert visit.page.locator("#done-summary").is_hidden()
    _check(visit, "offline-done-waiting")

    # Nothing sent since the Wi-Fi dropped has been answered: all three writes wait on the phone, in order.
    waiting = visit.page.evaluate("localStorage.getItem('backhome.outbox')")
    assert [item["kind"] for item in json.loads(waiting)] == ["log", "log", "finish"]
    # Chromium's offline emulation is not airtight for a page under a service worker: once in a few
    # hundred runs (make test, 2026-11-24) the first send after the cut reached the server while the page
    # was told it had failed, as when a reply is lost on a real network. So the server holds the log from
    # before the cut, and at most that one more; the phone sends it again later and it is stored once.
    sessions, logs, lights = _counts(person)
    assert (sessions, lights[:1]) == (1, ["green"]) and logs in (1, 2), (sessions, logs, lights)
    assert ExerciseSession.objects.get(person=person).status == ExerciseSession.Status.IN_PROGRESS

    visit.page.reload()  # still offline: the same queued state
    visit.page.locator("#stage-done").wait_for(state="visible")
    assert _status(visit) == WAITING

    # Back online: the outbox is sent in order, and the core decides each answer.
    visit.page.context.set_offline(False)
    assert _sent(visit)
    visit.page.locator("#done-summary").wait_for(state="visible")
    assert _status(visit) == "All saved."
    _check(visit, "offline-done-sent")
    session = ExerciseSession.objects.get(person=person)
    assert session.status == ExerciseSession.Status.FINISHED
    assert _counts(person) == (1, 3, ["green", "green", "green"])

    # The same queue sent again (a phone that lost every answer): stored once all the same.
    visit.page.evaluate("q => localStorage.setItem('backhome.outbox', q)", waiting)
    visit.page.evaluate("localStorage.removeItem('backhome.outbox.answers')")
    visit.page.evaluate("window.backhomeOutbox.flush()")
    assert _sent(visit)
    assert _counts(person) == (1, 3, ["green", "green", "green"])
    assert visit.page.locator(".sync-note").count() == 0  # every replay was a harmless retry

    visit.page.click("#done-summary-link")
    visit.page.wait_for_url("**/session/*/")
    assert visit.page.locator(".summary-item.light-green").count() == 3


def test_offline_any_rise_in_pain_stops_and_the_core_decides_when_the_answers_arrive(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    visit.page.context.set_offline(True)
    _start(visit)  # the start itself waits on the phone
    assert _status(visit) == WAITING
    _do_exercise(visit, DANA_SECONDS["sciatic-nerve-glide"])
    _send(visit, {**CALM, "leg": 3})  # one point more leg pain
    assert visit.page.locator("#light-title").inner_text() == "Stopped"
    assert visit.page.locator("#stop").is_visible()
    assert (
        "stop if your back pain or leg pain goes up at all"
        in visit.page.locator("#result-reasons").inner_text()
    )
    assert "Do no more exercises today" in visit.page.locator("#stop-advice").inner_text()
    assert visit.page.locator("#stop-emergency").is_hidden()
    assert visit.page.locator("#next").inner_text() == "End the session"
    _check(visit, "offline-stop")
    visit.page.click("#next")
    visit.page.locator("#stage-done").wait_for(state="visible")
    assert visit.page.locator("#done-title").inner_text() == "Your session was stopped, for your safety"
    assert _counts(person) == (0, 0, [])

    visit.page.context.set_offline(False)
    assert _sent(visit)
    session = ExerciseSession.objects.get(person=person)
    assert session.status == ExerciseSession.Status.STOPPED  # the core's PM-12, not the phone's rule
    assert session.stop_rules == ["PM-12"]
    assert _counts(person) == (1, 1, ["red"])
    assert visit.page.locator(".sync-note").count() == 0  # finishing a stopped session is no refusal


def test_an_answer_whose_reply_was_lost_is_stored_once(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    _do_exercise(visit, DANA_SECONDS["sciatic-nerve-glide"])

    # The log reaches the server, but its reply never reaches the phone.
    def lose_the_reply(route: Any) -> None:
        route.fetch()
        route.abort("connectionreset")

    visit.page.route("**/api/v1/me/sessions/*/logs", lose_the_reply)
    visit.page.click("#felt-worse")
    _answer(visit, CALM)
    visit.page.click("#check-send")
    visit.page.locator("#stage-result").wait_for(state="visible")
    assert visit.page.locator("#light-title").inner_text() == "Saved on this phone"
    assert _counts(person) == (1, 1, ["green"])  # stored by the server already
    assert _status(visit) == WAITING

    visit.page.unroute("**/api/v1/me/sessions/*/logs")
    for _ in range(31):  # the outbox tries again every 30 seconds (the reply comes in real time)
        visit.page.clock.run_for(1_000)
        visit.page.wait_for_timeout(50)
    assert _sent(visit)
    assert _status(visit) == "All saved."
    # the server's verdict replaces "You are offline" on the result still on show
    assert visit.page.locator("#light-title").inner_text() == "Went well"
    assert "You are offline" not in visit.page.locator("#result-reasons").inner_text()
    assert _counts(person) == (1, 1, ["green"])  # the retry found the stored log: no second one


def test_the_plan_page_is_kept_for_offline_use_and_sends_what_waits(visit: Visit) -> None:
    person, _ = person_with_plan()
    sign_in_as_guest(visit, person)
    visit.go("/plan/")
    assert visit.page.evaluate(CONTROLLED) is True
    visit.page.context.set_offline(True)
    visit.go("/plan/")
    assert visit.page.locator("h1").first.is_visible()
    assert visit.page.locator("a[href='/session/']").first.is_visible()
    visit.go("/session/")  # kept when the worker was installed
    assert visit.page.locator("#player").get_attribute("data-source") == "cache"
    visit.go("/history/")  # not kept: a plain page says so
    assert visit.page.locator("h1").inner_text() == "You are offline"
    assert visit.page.locator("a[href='/plan/']").count() == 1
    visit.shot("offline-not-kept")
    assert_accessible(visit, context="offline-not-kept")
    assert visit.foreign_requests() == []


def test_the_worker_is_served_from_the_root_and_always_checked_for_a_new_version() -> None:
    from django.test import Client

    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    source = response.content.decode()
    config = json.loads(source.split("var CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["pages"] == ["/session/", "/plan/"]
    assert config["public"] == ["/emergency/"]
    assert "/static/practice/player.js" in config["assets"]
    assert len(config["version"]) == 16
    assert Client().post("/sw.js").status_code == 405
