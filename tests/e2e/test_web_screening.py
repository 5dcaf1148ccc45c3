"""Dana walks through the screening to her plan in a real browser, on a phone and on a laptop; someone
with a warning sign lands on the emergency page. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest

from backhome.web.patient import questions
from tests.e2e import web_fixtures
from tests.e2e.web_fixtures import Visit
from tests.integration.screening_helpers import DANA_WEB, flat, posted

# The fixtures this module uses (tests/e2e/conftest.py belongs to the illustration tests).
allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOOT = {"bladder-bowel", "pain-now", "how-far", "about-you"}


def _answer(visit: Visit, step: questions.Step, answers: dict) -> None:
    for question in step.questions:
        value = posted(answers[question.field], question.kind)
        if question.kind == "number":
            visit.page.fill(f"#q-{question.name}", value)
        else:
            visit.page.click(f"label:has(input[name='{question.name}'][value='{value}'])")


def test_dana_answers_the_questions_and_gets_her_plan(visit: Visit) -> None:
    visit.go("/")
    visit.shot("home")
    visit.page.click("text=Start the questions")
    answers = flat(DANA_WEB)
    steps = questions.screening().steps
    for number, step in enumerate(steps, 1):
        if not questions.applies(step, answers):
            continue  # a follow-up asked only after a yes (B23's legs-change): not Dana's
        visit.page.wait_for_url(f"**/screening/{step.id}/")
        assert visit.page.locator("#progress-label").inner_text() == f"Step {number} of {len(steps)}"
        _answer(visit, step, answers)
        if step.id in SHOOT:
            visit.shot(f"step-{step.id}")
        visit.page.click("button[type=submit]")
    visit.page.wait_for_url("**/plan/")
    assert visit.page.locator("h1").inner_text() == "You can start your programme"
    assert visit.page.locator("#exercise-prone-press-up").is_visible()
    assert "slider" in visit.page.locator("#exercise-sciatic-nerve-glide").inner_text()
    # each exercise shows its picture, and the animation's style is allowed by the nonce
    assert visit.page.locator("#exercise-prone-press-up .picture svg[role=img]").count() == 1
    box = visit.page.locator("#exercise-prone-press-up .picture svg").bounding_box()
    assert box is not None and box["width"] > 200
    visit.shot("plan")
    assert visit.foreign_requests() == []
    assert visit.console_errors == []


def test_a_missing_answer_is_shown_clearly(visit: Visit) -> None:
    visit.go("/screening/bladder-bowel/")
    visit.page.click("label:has(input[name='symptoms__bladder_change'][value='no'])")
    visit.page.click("button[type=submit]")
    assert visit.page.locator("#error-summary").is_visible()
    assert "Please choose Yes or No." in visit.page.locator("#q-symptoms__bowel_change").inner_text()
    visit.shot("step-error")
    assert visit.foreign_requests() == []


def test_saddle_numbness_sends_the_person_to_the_emergency_page_at_once(visit: Visit) -> None:
    visit.go("/screening/bladder-bowel/")
    visit.page.click("label:has(input[name='symptoms__bladder_change'][value='no'])")
    visit.page.click("label:has(input[name='symptoms__bowel_change'][value='no'])")
    visit.page.click("button[type=submit]")
    visit.page.wait_for_url("**/screening/saddle/")
    visit.page.click("label:has(input[name='symptoms__saddle_numbness'][value='yes'])")
    visit.page.click("button[type=submit]")
    visit.page.wait_for_url("**/emergency/")
    assert visit.page.locator("h1").inner_text() == "Get emergency help now"
    assert visit.page.locator("ol.todo li").count() == 4
    visit.shot("emergency")
    visit.go("/plan/")
    visit.page.wait_for_url("**/emergency/")
    assert visit.foreign_requests() == []


def test_the_gallery_shows_every_exercise_with_its_pictures_and_nothing_is_refused(visit: Visit) -> None:
    visit.go("/exercises/")
    cards = visit.page.locator("li.exercise")
    assert cards.count() == 9
    for index in range(cards.count()):
        card = cards.nth(index)
        assert card.locator(".picture svg[role=img]").count() == 1
        assert card.locator(".panels svg[role=img]").count() == 1
        assert card.locator("ol.steps-list li").count() >= 3
    # the animation runs: a styled element of the press-up picture has a running CSS animation
    running = visit.page.evaluate(
        "() => [...document.querySelectorAll('#exercise-prone-press-up .picture svg *')]"
        ".some(e => getComputedStyle(e).animationName !== 'none')"
    )
    assert running
    visit.shot("gallery")
    assert visit.foreign_requests() == []
    assert visit.console_errors == []
