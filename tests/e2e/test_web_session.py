"""Dana does her guided session in a real browser, on a phone and on a laptop: the pain check before,
each exercise with its timers, the pain check after, the result, the summary. Playwright's clock runs
the timers, so a whole session takes seconds; speech is a fake that records what it would say.
Screenshots go to artifacts/screenshots/ (session-*)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import web_fixtures  # first: it sets Django up
from tests.e2e.a11y import assert_accessible
from tests.e2e.web_fixtures import Visit, sign_in_as_guest

from backhome.web.practice.models import ExerciseLog, ExerciseSession  # isort: skip
from tests.integration.people import browser_session, person_with_plan  # isort: skip

# The fixtures this module uses (tests/e2e/conftest.py belongs to the illustration tests).
allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: A speech engine with one voice that records what it is asked to say (headless Chromium has none).
FAKE_SPEECH = """
window.__spoken = [];
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
  getVoices: function () { return [{name: "Test voice", lang: "en-GB"}]; },
  speak: function (u) { window.__spoken.push(u.text); },
  cancel: function () {}, addEventListener: function () {}
}});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
"""
#: Dana's check before: back 3, leg 2, pain into the thigh (zone 3), no numbness, no warning sign.
CALM = {"back": 3, "leg": 2, "zone": 3, "numbness": "no", "weakness": "no", "red_flag": "no"}
#: Dana's exercises and how long each takes at her starting doses (get-ready counts included).
DANA_SECONDS = {
    "sciatic-nerve-glide": 2 * (5 + 10 * 9.5),
    "prone-press-up": 5 + 10 * 18,
    "cat-camel": 5 + 5 * 19,
}


def _open(visit: Visit, person: Any) -> None:
    sign_in_as_guest(visit, person)
    visit.page.add_init_script(FAKE_SPEECH)
    visit.page.clock.install()
    visit.go("/session/")
    visit.page.clock.pause_at(1_900_000_000)  # seconds since 1970: in 2030


def _check(visit: Visit, name: str) -> None:
    """The page as it is now: a screenshot, no axe problem, nothing refused, nothing from elsewhere."""
    visit.shot(name)
    # axe waits on timers of its own: let the page's clock run while it looks, then stop it again.
    visit.page.clock.resume()
    assert_accessible(visit, context=name)
    visit.page.clock.pause_at(visit.page.evaluate("Date.now()") / 1000 + 0.5)  # seconds
    assert visit.console_errors == [], name
    assert visit.foreign_requests() == [], name


def _answer(visit: Visit, answers: dict[str, Any], *, after: bool = True) -> None:
    for name, value in answers.items():
        if name == "weakness" and not after:
            continue
        visit.page.click(f"#check-form label:has(input[name='{name}'][value='{value}'])")


def _start(visit: Visit) -> None:
    _answer(visit, CALM, after=False)
    visit.page.click("#check-send")
    visit.page.locator("#stage-exercise").wait_for(state="visible")


def _do_exercise(visit: Visit, seconds: float) -> None:
    visit.page.click("#go")
    visit.page.clock.run_for(int(seconds * 1000) + 400)
    visit.page.locator("#stage-felt").wait_for(state="visible")


def _tap(visit: Visit, how: str) -> None:
    """The one tap after an exercise: "better" or "same" (the server's core still decides)."""
    visit.page.click(f"#felt-{how}")
    visit.page.locator("#stage-result").wait_for(state="visible")


def _send(visit: Visit, answers: dict[str, Any]) -> None:
    """After an exercise, "worse" and then the whole check; after "It hurts", the whole check."""
    if visit.page.locator("#stage-felt").is_visible():
        visit.page.click("#felt-worse")
        visit.page.locator("#stage-check").wait_for(state="visible")
    _answer(visit, answers)
    visit.page.click("#check-send")
    visit.page.locator("#stage-result").wait_for(state="visible")


def _spoken(visit: Visit) -> list[str]:
    spoken: list[str] = visit.page.evaluate("window.__spoken")
    return spoken


def test_dana_does_her_whole_session_and_sees_the_summary(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    assert visit.page.locator("#nojs").is_hidden()
    assert visit.page.locator("#check-title").inner_text() == "Before you start"
    assert visit.page.locator(".row-weakness").is_hidden()  # asked after an exercise only
    _answer(visit, CALM, after=False)
    _check(visit, "session-before")
    visit.page.click("#check-send")
    visit.page.locator("#stage-exercise").wait_for(state="visible")
    assert "Exercise 1 of 3" in visit.page.locator("#where").inner_text()
    assert visit.page.locator("#ex-1-name").inner_text().startswith("Sciatic nerve glide")
    assert "Left side" in visit.page.locator("#counter").inner_text()
    assert "side-mirror" in (visit.page.locator("#picture-1").get_attribute("class") or "")  # drawn right
    _check(visit, "session-exercise-intro")

    for position, (exercise_id, seconds) in enumerate(DANA_SECONDS.items(), 1):
        assert visit.page.locator(f"#slot #ex-{position}").count() == 1
        if exercise_id == "prone-press-up":
            # 5 s to get ready, 3 s into position, then 4 s into the 10-second hold
            visit.page.click("#go")
            visit.page.clock.run_for(12_500)
            assert visit.page.locator("#phase-name").inner_text() == "Hold"
            assert visit.page.locator("#time").inner_text() == "6"
            assert visit.page.locator("#counter").inner_text() == "Rep 1 of 10 · Set 1 of 1"
            assert "phase-hold" in (visit.page.locator("#picture-2").get_attribute("class") or "")
            _check(visit, "session-exercise-hold")
            # what the phone's screen shows, without scrolling: the picture, the timer and the buttons
            visit.page.screenshot(
                path=str(
                    web_fixtures.SCREENSHOTS
                    / f"session-exercise-hold-screen-{visit.page.viewport_size['width']}.png"
                )
            )
            visit.page.clock.run_for(int((seconds - 12.5) * 1000) + 400)
            visit.page.locator("#stage-felt").wait_for(state="visible")
        else:
            if exercise_id == "sciatic-nerve-glide":
                visit.page.click("#go")
                visit.page.clock.run_for(5_000 + 10 * 9_500 + 5_000 + 1_000)
                assert "Right side" in visit.page.locator("#counter").inner_text()
                assert "side-mirror" not in (visit.page.locator("#picture-1").get_attribute("class") or "")
                visit.page.clock.run_for(int((seconds - 106) * 1000) + 400)
                visit.page.locator("#stage-felt").wait_for(state="visible")
            else:
                _do_exercise(visit, seconds)
        assert visit.page.locator("#felt-title").inner_text().startswith("Compared with before this exercise")
        if position == 1:
            _check(visit, "session-one-tap")
            _tap(visit, "better")
        elif position == 2:
            _tap(visit, "same")
        else:
            _send(visit, CALM)  # "worse", then the same answers as before: the core says it went well
        assert visit.page.locator("#light-title").inner_text() == "Went well"
        assert "It went well" in visit.page.locator("#result-title").inner_text()
        if position == 1:
            _check(visit, "session-result-green")
        visit.page.click("#next")

    visit.page.wait_for_url("**/session/*/")
    assert visit.page.locator("h1").inner_text() == "Well done: today's session is done"
    assert visit.page.locator(".summary-item.light-green").count() == 3
    assert visit.page.locator(".summary-item .light-badge").first.inner_text().startswith("It went well")
    _check(visit, "session-summary")

    session = ExerciseSession.objects.get(person=person)
    assert session.status == ExerciseSession.Status.FINISHED
    logs = list(ExerciseLog.objects.filter(session=session).order_by("position"))
    assert [log.exercise_id for log in logs] == list(DANA_SECONDS)
    assert [log.light for log in logs] == ["green"] * 3
    assert all(log.sets_done == log.sets and not log.it_hurts for log in logs)


def test_a_leg_pain_rise_after_the_first_exercise_ends_the_session_with_the_advice(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    _do_exercise(visit, DANA_SECONDS["sciatic-nerve-glide"])
    _send(visit, {**CALM, "leg": 4})
    assert visit.page.locator("#light-title").inner_text() == "Stopped"
    assert visit.page.locator("#stop").is_visible()
    assert "Do no more exercises today" in visit.page.locator("#stop-advice").inner_text()
    assert visit.page.locator("#stop-rescreen").is_hidden()  # PM-12: no safety questions needed
    assert visit.page.locator("#next").inner_text() == "See your summary"
    _check(visit, "session-red-stop")

    session = ExerciseSession.objects.get(person=person)
    assert session.status == ExerciseSession.Status.STOPPED
    assert session.stop_rules == ["PM-12"]
    assert session.logs.get().light == "red"

    visit.page.click("#next")
    visit.page.wait_for_url("**/session/*/")
    assert visit.page.locator("h1").inner_text() == "Your session was stopped, for your safety"
    assert "Do no more exercises today" in visit.page.locator(".stop-advice").inner_text()
    assert visit.page.locator(".summary-item .state").all_inner_texts() == ["Not done", "Not done"]
    _check(visit, "session-summary-stopped")


def test_a_warning_sign_after_an_exercise_sends_dana_to_the_safety_questions(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    _do_exercise(visit, DANA_SECONDS["sciatic-nerve-glide"])
    visit.page.click("#felt-worse")  # the whole check comes after "worse"
    visit.page.locator("#stage-check").wait_for(state="visible")
    _answer(visit, {**CALM, "red_flag": "yes"})
    visit.page.click("#check-send")
    visit.page.wait_for_url("**/screening/bladder-bowel/")  # B31: the red-flag questions at once
    assert ExerciseSession.objects.get(person=person).stop_rules == ["PM-14"]


def test_a_refresh_in_the_middle_of_an_exercise_carries_on_at_the_same_exercise(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    _do_exercise(visit, DANA_SECONDS["sciatic-nerve-glide"])
    _send(visit, CALM)
    visit.page.click("#next")
    visit.page.click("#go")
    visit.page.clock.run_for(12_500)  # mid-hold of the first press-up
    assert visit.page.locator("#time").inner_text() == "6"

    visit.page.reload()
    visit.page.locator("#stage-exercise").wait_for(state="visible")
    assert "Exercise 2 of 3" in visit.page.locator("#where").inner_text()
    assert visit.page.locator("#slot #ex-2").count() == 1
    assert visit.page.locator("#phase-name").inner_text() == "Paused"
    assert visit.page.locator("#pause").inner_text() == "Resume"
    assert visit.page.locator("#counter").inner_text() == "Rep 1 of 10 · Set 1 of 1"
    visit.page.clock.run_for(5_000)
    assert visit.page.locator("#time").inner_text() == "6"  # waits for the person
    visit.page.click("#pause")
    visit.page.clock.run_for(2_000)
    assert visit.page.locator("#time").inner_text() == "4"
    assert ExerciseLog.objects.filter(session__person=person).count() == 1


def test_it_hurts_stops_the_exercise_and_asks_the_pain_check(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(8_000)
    visit.page.click("#hurts")
    visit.page.locator("#stage-check").wait_for(state="visible")
    assert visit.page.locator("#check-title").inner_text() == "It hurts: tell us how you feel now"
    assert visit.page.locator(".row-weakness").is_visible()
    _send(visit, CALM)
    log = ExerciseLog.objects.get(session__person=person)
    assert log.it_hurts
    assert log.sets_done == 0
    assert log.light == "green"


def test_pause_stops_the_clock_and_resume_starts_it_again(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(2_500)
    assert visit.page.locator("#phase-name").inner_text() == "Get ready"
    assert visit.page.locator("#time").inner_text() == "3"
    visit.page.click("#pause")
    assert "paused" in (visit.page.locator("#picture-1").get_attribute("class") or "")
    visit.page.clock.run_for(30_000)
    assert visit.page.locator("#time").inner_text() == "3"
    assert visit.page.locator("#phase-name").inner_text() == "Paused"
    visit.page.click("#pause")
    visit.page.clock.run_for(1_000)
    assert visit.page.locator("#time").inner_text() == "2"


def test_spoken_cues_follow_the_phases_and_one_button_mutes_them(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(7_600)
    spoken = _spoken(visit)
    assert spoken[0] == "Get ready. Sciatic nerve glide, left side."
    assert "Straighten the knee, point the toes" in spoken
    visit.page.click("#mute")
    assert visit.page.locator("#mute").get_attribute("aria-pressed") == "true"
    count = len(_spoken(visit))
    visit.page.clock.run_for(20_000)
    assert len(_spoken(visit)) == count
    visit.page.reload()
    assert visit.page.locator("#mute").get_attribute("aria-pressed") == "true"  # remembered


def test_a_second_session_the_same_day_is_not_offered(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#skip")
    visit.page.locator("#ex-2-name").wait_for(state="visible")
    visit.page.click("#skip")
    visit.page.locator("#ex-3-name").wait_for(state="visible")
    visit.page.click("#skip")
    visit.page.wait_for_url("**/session/*/")
    visit.go("/session/")
    assert visit.page.locator("h1").inner_text() == "You have done today's session"
    assert visit.page.locator("#check-form").count() == 0
    _check(visit, "session-used-up")


def test_without_javascript_the_page_lists_the_exercises(web_browser: Any, live_server: Any) -> None:
    person, _ = person_with_plan()
    context = web_browser.new_context(java_script_enabled=False, viewport=web_fixtures.PHONE)
    page = context.new_page()
    page.context.add_cookies(
        [{"name": "sessionid", "value": browser_session(person), "url": live_server.url}]
    )
    page.goto(live_server.url + "/session/")
    assert "The guided player needs JavaScript" in page.locator("#nojs").inner_text()
    assert page.locator("#ex-list article.ex").count() == 3
    assert page.locator("#ex-2 .dose").inner_text() == "10 times, hold each 10 seconds"
    assert page.locator("#ex-2 ol.steps li").count() >= 3
    assert page.locator("#stage-check").is_hidden()
    context.close()


def test_a_back_pain_rise_asks_again_after_five_minutes_rest(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    _do_exercise(visit, DANA_SECONDS["sciatic-nerve-glide"])
    _send(visit, {**CALM, "back": 4})
    assert visit.page.locator("#result-title").inner_text() == "Rest, then check your back again"
    assert visit.page.locator("#recheck").is_visible()
    assert visit.page.locator("#rest-time").inner_text() == "5:00"
    assert visit.page.locator("#settled-form").is_hidden()
    assert visit.page.locator("#next").is_hidden()
    visit.page.clock.run_for(60_000)
    assert visit.page.locator("#rest-time").inner_text() == "4:00"
    _check(visit, "session-recheck-rest")
    visit.page.clock.run_for(4 * 60_000 + 1_000)
    assert visit.page.locator("#settled-form").is_visible()
    visit.page.click("label[for=settled-yes]")
    visit.page.click("#settled-form button[type=submit]")
    visit.page.locator("#recheck").wait_for(state="hidden")
    assert visit.page.locator("#light-title").inner_text() == "Take it gently"
    assert visit.page.locator("#next").inner_text() == "Next exercise"
    log = ExerciseLog.objects.get(session__person=person)
    assert (log.light, log.settled, log.rules) == ("amber", True, ["PM-20"])


def test_with_reduced_motion_the_timers_still_count(visit: Visit) -> None:
    person, _ = person_with_plan()
    visit.page.emulate_media(reduced_motion="reduce")
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(8_000)  # 5 s to get ready, then into the first glide (no hold)
    assert visit.page.locator("#phase-name").inner_text() in {"Move", "Come back", "Relax"}
    assert "phase-" in (visit.page.locator("#picture-1").get_attribute("class") or "")  # the picture follows
    animation = visit.page.evaluate(
        "getComputedStyle(document.querySelector('#picture-1 svg g[class]')).animationName"
    )
    assert animation == "none"
