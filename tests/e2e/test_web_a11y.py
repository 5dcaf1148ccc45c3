"""Every patient page passes axe-core (no serious or critical problem) on a phone and on a laptop, and
can be used with a keyboard, with reduced motion and with the browser's text made twice as large.
Screenshots of each page at 390 and 1280 px go to artifacts/screenshots/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from backhome.web.patient import questions
from tests.builders import intake_doc
from tests.e2e import web_fixtures
from tests.e2e.a11y import assert_accessible
from tests.e2e.web_fixtures import PHONE, SCREENSHOTS, Visit, sign_in_as_guest
from tests.integration.screening_helpers import CALM, DANA_WEB, WALT_WEB, flat, posted

# The fixtures this module uses (tests/e2e/conftest.py belongs to the illustration tests).
allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STEPS = questions.screening().steps
NOTHING_WRONG = intake_doc(startback=CALM)


#: One error state of each kind of question is photographed (axe checks them all).
SHOOT_ERRORS = {"bladder-bowel", "legs", "about-you", "how-long", "pain-now", "how-far", "thoughts"}


def _check(visit: Visit, name: str, *, shoot: bool = True) -> None:
    """The page the visit shows: a screenshot, no axe problem, nothing refused, nothing from elsewhere."""
    if shoot:
        visit.shot(name)
    assert_accessible(visit, context=name)
    assert visit.console_errors == [], name
    assert visit.foreign_requests() == [], name


def _forget_the_400(visit: Visit) -> None:
    """A step re-shown with its errors has status 400, which Chromium logs as a console error; any
    other console error (a refused style or script) still counts."""
    visit.console_errors[:] = [e for e in visit.console_errors if "status of 400" not in e]


def _answer(visit: Visit, step: questions.Step, answers: dict[str, Any]) -> None:
    for question in step.questions:
        value = posted(answers[question.field], question.kind)
        if question.kind == "number":
            visit.page.fill(f"#q-{question.name}", value)
        else:
            visit.page.click(f"label:has(input[name='{question.name}'][value='{value}'])")


def _person_with_open_answers(doc: dict[str, Any]) -> Any:
    """A guest who has answered every question of ``doc`` but not yet asked for the result."""
    from backhome.web.patient import services
    from backhome.web.patient.models import Person

    person = Person.objects.create()
    services.screening_save_answers(person=person, step_id=STEPS[0].id, answers=flat(doc))
    return person


def person_with_plan(doc: dict[str, Any]) -> Any:
    from tests.integration.people import person_with_plan as made

    return made(doc)[0]


# --------------------------------------------------------------------------- axe on every page


def test_the_home_page_has_no_serious_accessibility_problem_for_a_newcomer_or_for_dana(visit: Visit) -> None:
    visit.go("/")
    _check(visit, "home")
    person = person_with_plan(DANA_WEB)
    sign_in_as_guest(visit, person)
    visit.go("/")
    _check(visit, "home-with-result")


def test_every_screening_step_and_its_error_state_has_no_serious_accessibility_problem(visit: Visit) -> None:
    answers = flat(DANA_WEB)
    visit.go("/screening/")
    for number, step in enumerate(STEPS, 1):
        if not questions.applies(step, answers):  # B23's follow-up is asked only after a yes to both legs
            continue
        visit.page.wait_for_url(f"**/screening/{step.id}/")
        assert visit.page.locator("#progress-label").inner_text() == f"Step {number} of {len(STEPS)}"
        _check(visit, f"step-{step.id}")
        # sent with no answer: the same step with an error summary and a message per question
        visit.page.click("button[type=submit]")
        visit.page.wait_for_selector("#error-summary")
        assert visit.page.locator("#error-summary li").count() == len(step.questions)
        _forget_the_400(visit)
        _check(visit, f"step-{step.id}-error", shoot=step.id in SHOOT_ERRORS)
        _answer(visit, step, answers)
        visit.page.click("button[type=submit]")
    visit.page.wait_for_url("**/plan/")


def test_a_bad_age_shows_its_message_accessibly(visit: Visit) -> None:
    sign_in_as_guest(visit, _person_with_open_answers(DANA_WEB))
    visit.go("/screening/about-you/")
    visit.page.fill("#q-age", "300")
    visit.page.click("button[type=submit]")
    visit.page.wait_for_selector("#error-summary")
    assert visit.page.locator("#q-age").get_attribute("aria-invalid") == "true"
    _forget_the_400(visit)
    _check(visit, "step-about-you-bad-age")


@pytest.mark.parametrize(
    ("page", "doc"),
    [
        ("emergency", intake_doc(NOTHING_WRONG, symptoms={"saddle_numbness": True})),
        ("urgent", intake_doc(NOTHING_WRONG, symptoms={"fever": True})),
        ("soon", intake_doc(NOTHING_WRONG, symptoms={"night_pain": True})),
    ],
)
def test_each_see_someone_page_has_no_serious_accessibility_problem(
    visit: Visit, page: str, doc: dict[str, Any]
) -> None:
    from backhome.web.patient import services

    person = _person_with_open_answers(doc)
    if page != "emergency":  # an emergency answer stops the screening as soon as it is saved
        services.screening_submit(person=person)
    sign_in_as_guest(visit, person)
    visit.go(f"/{page}/")
    assert visit.page.url.endswith(f"/{page}/")
    _check(visit, page)


def test_the_emergency_information_page_has_no_serious_accessibility_problem_for_anyone(
    visit: Visit,
) -> None:
    visit.go("/emergency/")
    _check(visit, "emergency-information")


@pytest.mark.parametrize(("who", "doc"), [("dana", DANA_WEB), ("walt", WALT_WEB)])
def test_the_plan_has_no_serious_accessibility_problem(visit: Visit, who: str, doc: dict[str, Any]) -> None:
    person = person_with_plan(doc)
    sign_in_as_guest(visit, person)
    visit.go("/plan/")
    assert visit.page.url.endswith("/plan/")
    _check(visit, f"plan-{who}")


def test_the_gallery_has_no_serious_accessibility_problem(visit: Visit) -> None:
    visit.go("/exercises/")
    _check(visit, "gallery")


# --------------------------------------------------------------------------- keyboard


def _tab_until(visit: Visit, selector: str, *, most: int = 12) -> None:
    for _ in range(most):
        visit.page.keyboard.press("Tab")
        if visit.page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{most} presses of Tab never reached {selector}")


FOCUS_RING = """() => {
  const e = document.activeElement;
  const ring = (x) => x && getComputedStyle(x).outlineStyle !== 'none' && parseFloat(getComputedStyle(x).outlineWidth) >= 2;
  return ring(e) || ring(e.closest('label'));
}"""


def test_a_step_can_be_answered_with_the_keyboard_alone_and_the_focus_is_always_visible(visit: Visit) -> None:
    visit.go("/screening/bladder-bowel/")
    visit.page.keyboard.press("Tab")
    assert visit.page.evaluate("() => document.activeElement.matches('a.skip')")
    assert visit.page.locator("a.skip").is_visible()
    first = "input[name='symptoms__bladder_change']"
    _tab_until(visit, first)
    assert visit.page.evaluate(FOCUS_RING), "the first answer's focus does not show"
    visit.shot("keyboard-first-answer")
    visit.page.keyboard.press("ArrowRight")  # the radio group's arrow keys move to, and choose, No
    assert visit.page.locator("input[name='symptoms__bladder_change'][value='no']").is_checked()
    _tab_until(visit, "input[name='symptoms__bowel_change']")
    visit.page.keyboard.press("ArrowRight")
    assert visit.page.locator("input[name='symptoms__bowel_change'][value='no']").is_checked()
    _tab_until(visit, "button[type=submit]")
    assert visit.page.evaluate(FOCUS_RING), "the Next button's focus does not show"
    visit.shot("keyboard-next")
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_url("**/screening/saddle/")


# --------------------------------------------------------------------------- reduced motion


@pytest.fixture
def still_visit(web_browser: Any, live_server: Any) -> Iterator[Visit]:
    """A phone whose person has asked for reduced motion."""
    context = web_browser.new_context(viewport=PHONE, reduced_motion="reduce")
    yield Visit(context.new_page(), live_server.url)
    context.close()


MOVING_PARTS = """(root) => [...document.querySelectorAll(root + ' svg *')]
  .filter(e => getComputedStyle(e).animationName !== 'none').length"""


def test_with_reduced_motion_the_plans_pictures_do_not_move(still_visit: Visit, visit: Visit) -> None:
    person = person_with_plan(DANA_WEB)
    for each in (still_visit, visit):
        sign_in_as_guest(each, person)
        each.go("/plan/")
    # the same picture moves for someone who has not asked for less motion ...
    assert visit.page.evaluate(MOVING_PARTS, "#exercise-prone-press-up .picture") > 0
    # ... and nothing of any picture moves for someone who has
    assert still_visit.page.locator(".picture svg").count() > 0
    assert still_visit.page.evaluate(MOVING_PARTS, ".picture") == 0
    still_visit.shot("plan-reduced-motion")
    assert still_visit.console_errors == []


# --------------------------------------------------------------------------- larger text


NORMAL_ROOT_PX = 18  # site.css: html { font-size: 112.5% } of the browser's 16 px on a phone


def _double_the_text(visit: Visit) -> None:
    """The browser's text size setting doubled (16 px to 32 px), as a person with low vision sets it."""
    cdp = visit.page.context.new_cdp_session(visit.page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})


def _root_font_px(visit: Visit) -> float:
    return float(visit.page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)"))


def _shot_large(visit: Visit, name: str, focus: str) -> None:
    """A screenshot of the viewport with ``focus`` scrolled to its top. (A full-page screenshot
    re-emulates the screen and so drops the doubled text size while it is taken.)"""
    visit.page.locator(focus).first.evaluate("(e) => e.scrollIntoView()")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(SCREENSHOTS / f"large-text-{name}-{PHONE['width']}.png"))
    assert _root_font_px(visit) == pytest.approx(2 * NORMAL_ROOT_PX), "the screenshot lost the text size"


def _horizontal_overflow(visit: Visit) -> int:
    return int(
        visit.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


@pytest.fixture
def phone_visit(web_browser: Any, live_server: Any) -> Iterator[Visit]:
    context = web_browser.new_context(viewport=PHONE)
    yield Visit(context.new_page(), live_server.url)
    context.close()


def test_with_the_text_twice_as_large_no_step_scrolls_sideways_on_a_phone(phone_visit: Visit) -> None:
    visit = phone_visit
    sign_in_as_guest(visit, _person_with_open_answers(DANA_WEB))
    visit.go("/screening/bladder-bowel/")
    assert _root_font_px(visit) == pytest.approx(NORMAL_ROOT_PX)
    _double_the_text(visit)
    too_wide = {}
    for step in STEPS:
        visit.go(f"/screening/{step.id}/")
        assert _root_font_px(visit) == pytest.approx(2 * NORMAL_ROOT_PX)
        if overflow := _horizontal_overflow(visit):
            too_wide[step.id] = overflow
        if step.id in {"bladder-bowel", "pain-now", "how-far", "about-you", "thoughts"}:
            _shot_large(visit, f"step-{step.id}", ".question")
    assert too_wide == {}, f"pixels of sideways scroll with doubled text: {too_wide}"


@pytest.mark.parametrize("path", ["/", "/emergency/", "/exercises/"])
def test_with_the_text_twice_as_large_the_other_pages_do_not_scroll_sideways(
    phone_visit: Visit, path: str
) -> None:
    visit = phone_visit
    _double_the_text(visit)
    visit.go(path)
    assert _root_font_px(visit) == pytest.approx(2 * NORMAL_ROOT_PX)
    assert _horizontal_overflow(visit) == 0
    _shot_large(visit, path.strip("/") or "home", "main")


# --------------------------------------------------------------------------- the check itself


def test_the_check_finishes_while_a_test_holds_the_pages_clock(visit: Visit) -> None:
    """Browser tests of timers pause the page's clock; axe must still finish (it waits on timers)."""
    later = int(time.time()) + 3600  # seconds
    visit.page.clock.install()
    visit.go("/screening/bladder-bowel/")
    visit.page.clock.pause_at(later)
    assert_accessible(visit, context="a paused clock")
    assert visit.page.evaluate("() => Date.now()") == later * 1000  # axe did not move the page's time


def test_a_missing_axe_fails_the_check_and_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from tests.e2e import a11y

    monkeypatch.setattr(a11y, "AXE", tmp_path / "axe.min.js")
    monkeypatch.setattr(a11y, "REPO", tmp_path)
    a11y.axe_source.cache_clear()
    a11y.axe_with_real_timers.cache_clear()
    try:
        with pytest.raises(AssertionError, match="npm ci"):
            a11y.axe_with_real_timers()
    finally:
        a11y.axe_source.cache_clear()
        a11y.axe_with_real_timers.cache_clear()
