"""A player a person lying on the floor can use (issue 18), in a real browser on a 390×844 phone and a
1280×800 laptop: the exercise fills the screen (at 150 % text too) and the buttons never cover the
countdown; the voice counts and cues (headless Chromium has no voices: a fake engine records the
requested utterances, and a fake vibration motor the buzzes); the player pauses itself when the page is
hidden and comes back with a count of three; one tap after an exercise, with the whole check only after
"worse" and the core's rules deciding; plain words; the worry section; installable, dark, big targets.
Screenshots go to artifacts/screenshots/floor-*.png."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e import web_fixtures  # first: it sets Django up
from tests.e2e.a11y import assert_accessible
from tests.e2e.web_fixtures import DESKTOP, PHONE, SCREENSHOTS, Visit, sign_in_as_guest

from backhome.web.practice.models import ExerciseLog, ExerciseSession  # isort: skip
from tests.builders import DANA, intake_doc  # isort: skip
from tests.e2e.test_web_session import CALM, DANA_SECONDS, FAKE_SPEECH, _answer, _start  # isort: skip
from tests.integration.history_builders import session_on  # isort: skip
from tests.integration.people import person_with_plan  # isort: skip

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: A vibration motor that records what it is asked to buzz.
FAKE_VIBRATION = """
window.__buzz = [];
Object.defineProperty(navigator, "vibrate", {configurable: true, value: function (p) { window.__buzz.push(p); return true; }});
"""
#: Hide or show the page as a locked phone or another app would (Playwright cannot lock a phone).
SET_VISIBILITY = """(hidden) => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => hidden ? "hidden" : "visible"});
  Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
  document.dispatchEvent(new Event("visibilitychange"));
}"""
#: A rule code as the core writes them (DPT-20, SB-04, PM-12, OM-01 ...).
RULE_CODE = re.compile(r"\b(?:DPT|SB|PM|RF|EL|DS|OM|TBC|PR|RX|CX|SR)-\d+\b")
WORRIED = {"agree": [True] * 8, "bothersome": "extremely"}


def _open(visit: Visit, person: Any) -> None:
    sign_in_as_guest(visit, person)
    visit.page.add_init_script(FAKE_SPEECH)
    visit.page.add_init_script(FAKE_VIBRATION)
    visit.page.clock.install()
    visit.go("/session/")
    visit.page.clock.pause_at(1_900_000_000)


def _screen(visit: Visit, name: str) -> None:
    """What the screen shows without scrolling (a full-page shot would re-emulate the text size)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(SCREENSHOTS / f"floor-{name}-{visit.page.viewport_size['width']}.png"))


def _axe(visit: Visit, name: str) -> None:
    visit.page.clock.resume()
    assert_accessible(visit, context=name)
    visit.page.clock.pause_at(visit.page.evaluate("Date.now()") / 1000 + 0.5)


def _box(visit: Visit, selector: str) -> dict[str, float]:
    box = visit.page.locator(selector).bounding_box()
    assert box is not None, selector
    return dict(box)


def _above_the_fold(visit: Visit, selector: str) -> bool:
    box = _box(visit, selector)
    height = visit.page.viewport_size["height"]
    return box["y"] >= 0 and box["y"] + box["height"] <= height + 0.5


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _assert_the_exercise_fills_one_screen(visit: Visit) -> None:
    assert visit.page.locator("header.top").is_hidden()  # the site's header is hidden while exercising
    assert visit.page.evaluate("window.scrollY") == 0
    for part in ("#ex-1-name", "#picture-1 svg", "#counter", "#timer-panel .ring-wrap", "#time", "#caption"):
        assert _above_the_fold(visit, part), f"{part} is below the fold"
    ring = _box(visit, "#timer-panel .ring-wrap")
    for button in ("#pause", "#skip", "#hurts"):
        assert not _overlap(_box(visit, button), ring), f"{button} covers the countdown"
        assert _above_the_fold(visit, button), f"{button} is below the fold"


def _spoken(visit: Visit) -> list[str]:
    spoken: list[str] = visit.page.evaluate("window.__spoken")
    return spoken


# --------------------------------------------------------------------------- 1. full screen


def test_while_exercising_the_picture_count_countdown_cue_and_buttons_fit_one_screen(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(7_000)
    assert visit.page.locator("#phase-name").inner_text() != "Get ready"
    _assert_the_exercise_fills_one_screen(visit)
    _screen(visit, "exercise")
    _axe(visit, "floor-exercise")
    assert visit.console_errors == []
    assert visit.foreign_requests() == []


@pytest.fixture
def large_text_phone(web_browser: Any, live_server: Any) -> Iterator[Visit]:
    """A phone whose text size is set to 150 % (16 px to 24 px), as a person with low vision sets it."""
    context = web_browser.new_context(viewport=PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}})
    yield Visit(page, live_server.url)
    context.close()


def test_at_150_percent_text_the_exercise_still_fits_one_phone_screen(large_text_phone: Visit) -> None:
    visit = large_text_phone
    person, _ = person_with_plan()
    _open(visit, person)
    assert visit.page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == 27
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(7_000)
    _screen(visit, "exercise-150")
    _assert_the_exercise_fills_one_screen(visit)
    visit.page.clock.run_for(int(DANA_SECONDS["sciatic-nerve-glide"] * 1000))
    visit.page.locator("#stage-felt").wait_for(state="visible")
    _screen(visit, "one-tap-150")
    for button in ("#felt-better", "#felt-same", "#felt-worse"):
        assert _above_the_fold(visit, button), button
    # "Something new or worrying" comes right after, one short scroll away at 150 % text.
    assert visit.page.locator("#felt-new").is_visible()


# --------------------------------------------------------------------------- 2. voice-led


def test_the_voice_counts_the_reps_calls_the_last_one_and_the_switch_of_sides_and_the_phone_buzzes(
    visit: Visit,
) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(5_000 + 10 * 9_500 + 1_000)  # the left side, into the right side's get-ready
    spoken = _spoken(visit)
    assert spoken[0] == "Get ready. Sciatic nerve glide, left side."
    assert spoken[1] == "Rep 1 of 10."
    assert "Rep 9 of 10." in spoken and "Rep 10 of 10." not in spoken
    assert spoken.index("Last one.") > spoken.index("Rep 9 of 10.")
    switch = spoken.index("Switch sides: now your right side.")
    assert spoken[switch + 1] == "Get ready. Sciatic nerve glide, right side."
    buzzes = visit.page.evaluate("window.__buzz")
    assert [60] in buzzes and [300] in buzzes  # a repetition, a switch of sides


def test_a_ten_second_hold_says_halfway_and_the_pause_between_reps_says_rest(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#skip")  # on to the press-ups, with their 10-second hold
    visit.page.locator("#ex-2-name").wait_for(state="visible")
    visit.page.click("#go")
    visit.page.clock.run_for(5_000 + 18_000 + 500)
    spoken = _spoken(visit)
    assert "Rep 1 of 10." in spoken
    assert "Halfway." in spoken
    assert "Rest." in spoken
    assert spoken.index("Halfway.") < spoken.index("Rest.") < spoken.index("Rep 2 of 10.")


def test_muted_the_voice_says_nothing_and_stays_muted_after_a_reload(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#mute")
    visit.page.click("#go")
    visit.page.clock.run_for(30_000)
    assert _spoken(visit) == []
    assert visit.page.evaluate("localStorage.getItem('backhome.muted')") == "1"
    visit.page.reload()
    assert visit.page.locator("#mute").get_attribute("aria-pressed") == "true"


# --------------------------------------------------------------------------- 3. pauses itself


def test_hiding_the_page_pauses_the_exercise_and_coming_back_counts_three_then_carries_on(
    visit: Visit,
) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(5_000 + 9_500 * 3 + 1_000)  # into rep 4
    assert visit.page.locator("#counter").inner_text().startswith("Rep 4 of 10")
    time_before = visit.page.locator("#time").inner_text()
    visit.page.evaluate(SET_VISIBILITY, True)
    visit.page.clock.run_for(40_000)  # 40 s in the background
    assert visit.page.locator("#counter").inner_text().startswith("Rep 4 of 10")
    assert visit.page.locator("#time").inner_text() == time_before

    visit.page.evaluate(SET_VISIBILITY, False)
    assert visit.page.locator("#phase-name").inner_text() == "Back in"
    assert visit.page.locator("#time").inner_text() == "3"
    assert "Welcome back. Carry on in 3" in _spoken(visit)
    _screen(visit, "back-in")
    visit.page.clock.run_for(1_100)
    assert visit.page.locator("#time").inner_text() == "2"
    visit.page.clock.run_for(2_000)
    assert "Carry on." in _spoken(visit)
    assert visit.page.locator("#phase-name").inner_text() != "Back in"
    assert visit.page.locator("#counter").inner_text().startswith("Rep 4 of 10")  # where it was


def test_an_exercise_the_person_paused_stays_paused_after_the_page_comes_back(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(2_500)
    visit.page.click("#pause")
    visit.page.evaluate(SET_VISIBILITY, True)
    visit.page.evaluate(SET_VISIBILITY, False)
    visit.page.clock.run_for(10_000)
    assert visit.page.locator("#phase-name").inner_text() == "Paused"
    assert visit.page.locator("#pause").inner_text() == "Resume"


# --------------------------------------------------------------------------- 4. one tap


def test_better_is_one_tap_and_sends_the_check_it_started_from_which_the_core_finds_not_worse(
    visit: Visit,
) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(int(DANA_SECONDS["sciatic-nerve-glide"] * 1000) + 400)
    visit.page.locator("#stage-felt").wait_for(state="visible")
    assert visit.page.locator("#check-form").is_hidden()  # no questions
    _screen(visit, "one-tap")
    _axe(visit, "floor-one-tap")
    visit.page.click("#felt-better")
    visit.page.locator("#stage-result").wait_for(state="visible")
    assert visit.page.locator("#light-title").inner_text() == "Went well"
    log = ExerciseLog.objects.get(session__person=person)
    assert (log.after_back, log.after_leg, log.after_zone) == (CALM["back"], CALM["leg"], CALM["zone"])
    assert (log.after_weakness, log.after_red_flag, log.light) == (False, False, "green")


def test_worse_asks_the_whole_check_and_the_core_decides_to_stop(visit: Visit) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(int(DANA_SECONDS["sciatic-nerve-glide"] * 1000) + 400)
    visit.page.click("#felt-worse")
    visit.page.locator("#stage-check").wait_for(state="visible")
    assert visit.page.locator(".row-weakness").is_visible()
    _answer(visit, {**CALM, "leg": 3})
    visit.page.click("#check-send")
    visit.page.locator("#stage-result").wait_for(state="visible")
    assert visit.page.locator("#light-title").inner_text() == "Stopped"
    assert visit.page.locator("#stop").is_visible()
    assert ExerciseSession.objects.get(person=person).stop_rules == ["PM-12"]  # the core's rule


def test_something_new_after_an_exercise_asks_the_warning_signs_and_a_yes_goes_to_the_red_flag_questions(
    visit: Visit,
) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(int(DANA_SECONDS["sciatic-nerve-glide"] * 1000) + 400)
    visit.page.click("#felt-new")  # the same pain, but something new (B25, PM-14)
    visit.page.locator("#stage-check").wait_for(state="visible")
    _answer(visit, {**CALM, "red_flag": "yes"})
    visit.page.click("#check-send")
    visit.page.wait_for_url("**/screening/bladder-bowel/")
    assert ExerciseSession.objects.get(person=person).stop_rules == ["PM-14"]


# --------------------------------------------------------------------------- 5. plain words


def _patient_text(visit: Visit) -> str:
    """The page's words a person reads: without the folded detail for the physical therapist."""
    text: str = visit.page.evaluate(
        """() => { const main = document.querySelector("main").cloneNode(true);
        main.querySelectorAll("details.for-pt").forEach((d) => d.remove()); return main.innerText; }"""
    )
    return text


def test_patient_pages_keep_rule_codes_for_the_physical_therapist_and_use_no_colour_names(
    visit: Visit,
) -> None:
    person, screening = person_with_plan(intake_doc(DANA, startback=WORRIED))
    session_on(person, timezone.localdate(), screening=screening)
    sign_in_as_guest(visit, person)
    for path in ("/plan/", "/history/"):
        visit.go(path)
        words = _patient_text(visit)
        assert RULE_CODE.findall(words) == [], path
        for colour in ("Green", "Amber", "Red", "Not decided yet", "clinician"):
            assert colour not in words, (path, colour)
    visit.go("/plan/")
    detail = visit.page.locator("details.for-pt").first
    assert detail.locator("summary").text_content() == "For your physical therapist"
    assert RULE_CODE.search(detail.text_content() or "")


def test_the_summary_with_nothing_done_says_no_well_done_and_links_no_check_in_for_today(
    visit: Visit,
) -> None:
    person, _ = person_with_plan()
    _open(visit, person)
    _start(visit)
    for position in (1, 2, 3):
        visit.page.locator(f"#ex-{position}-name").wait_for(state="visible")
        visit.page.click("#skip")
    visit.page.wait_for_url("**/session/*/")
    assert visit.page.locator("h1").inner_text() == "Today's session is over"
    assert visit.page.locator("a[href='/check-in/']").count() == 0
    assert "morning check-in" in visit.page.locator(".next").inner_text()


# --------------------------------------------------------------------------- 6. the worry section


def test_a_person_with_a_high_worry_score_reads_what_it_means_on_the_result_page(visit: Visit) -> None:
    person, _ = person_with_plan(intake_doc(DANA, startback=WORRIED))
    sign_in_as_guest(visit, person)
    visit.go("/plan/")
    worry = visit.page.locator("#worry")
    assert worry.is_visible()  # on the page, not in a folded list
    assert "the pain is weighing on you" in worry.inner_text()
    assert "hurting does not always mean harm" in worry.inner_text()
    assert "No clinic takes requests" not in worry.inner_text()
    worry.scroll_into_view_if_needed()
    _screen(visit, "worry")
    assert_accessible(visit, context="floor-worry")


# --------------------------------------------------------------------------- 7. installable, dark, big targets


def test_the_manifest_is_linked_and_served_and_its_icons_load(visit: Visit) -> None:
    person, _ = person_with_plan()
    sign_in_as_guest(visit, person)
    visit.go("/plan/")
    href = visit.page.locator("link[rel=manifest]").get_attribute("href")
    assert href == "/manifest.webmanifest"
    response = visit.page.request.get(visit.base + href)
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.text())
    for icon in manifest["icons"]:
        got = visit.page.request.get(visit.base + icon["src"])
        assert got.ok and got.headers["content-type"] == icon["type"], icon["src"]


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def dark_visit(request: pytest.FixtureRequest, web_browser: Any, live_server: Any) -> Iterator[Visit]:
    context = web_browser.new_context(viewport=request.param, color_scheme="dark")
    yield Visit(context.new_page(), live_server.url)
    context.close()


def test_with_the_system_set_to_dark_the_pages_are_dark_and_pass_axe(dark_visit: Visit) -> None:
    visit = dark_visit
    person, screening = person_with_plan()
    session_on(person, timezone.localdate(), screening=screening)
    sign_in_as_guest(visit, person)
    for path, name in (("/plan/", "plan"), ("/history/", "history"), ("/", "home")):
        visit.go(path)
        background = visit.page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(20, 23, 27)", (path, background)
        visit.shot(f"floor-dark-{name}")
        assert_accessible(visit, context=f"dark {path}")


def test_the_player_in_the_dark_passes_axe(dark_visit: Visit) -> None:
    visit = dark_visit
    person, _ = person_with_plan()
    _open(visit, person)
    _screen(visit, "dark-before")
    _axe(visit, "dark-before")
    _start(visit)
    visit.page.click("#go")
    visit.page.clock.run_for(7_000)
    _screen(visit, "dark-exercise")
    _axe(visit, "dark-exercise")


#: Links and buttons a person taps (not links inside a sentence, which WCAG leaves out).
SMALL_TARGETS = """() => [...document.querySelectorAll("a, button, summary, .choice")]
  .filter((e) => e.offsetParent !== null && !e.classList.contains("skip") && !(e.tagName === "A" && e.closest("p:not(.more-links):not(.links-row), li")
    && !e.classList.contains("button") && !e.closest(".foot, .top-nav")))
  .map((e) => [e.textContent.trim().slice(0, 40), Math.round(e.getBoundingClientRect().height)])
  .filter(([, h]) => h < 44)"""


@pytest.mark.parametrize("path", ["/plan/", "/history/", "/session/"])
def test_every_tap_target_is_at_least_44_pixels_tall(visit: Visit, path: str) -> None:
    person, screening = person_with_plan()
    session_on(person, timezone.localdate(), screening=screening)
    sign_in_as_guest(visit, person)
    visit.go(path)
    assert visit.page.evaluate(SMALL_TARGETS) == []
