"""Every illustration renders in Chromium; screenshots go to artifacts/illustrations/ for review."""

from pathlib import Path

import pytest

from backhome.core.model import EXERCISE_IDS
from backhome.illustrate import gallery, svg
from tests.artifacts import ARTIFACTS as ARTIFACTS_ROOT

pytestmark = pytest.mark.e2e

ARTIFACTS = ARTIFACTS_ROOT / "illustrations"

# Draw the SVG document as an image (as <img> would) and count pixels that are not white-ish;
# the figure is dark blue, so a picture that rendered has many.
COUNT_INK = """async (text) => {
  const img = new Image();
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.naturalWidth * 2; c.height = img.naturalHeight * 2;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0, c.width, c.height);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] < 120 && d[i + 1] < 140 && d[i + 3] > 0) ink++;
  return ink;
}"""


def _page(browser, width: int, height: int, reduced: bool = True):
    context = browser.new_context(
        viewport={"width": width, "height": height}, reduced_motion="reduce" if reduced else "no-preference"
    )
    return context.new_page()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("svgs")
    for exercise_id in EXERCISE_IDS:
        (out / f"{exercise_id}-panels.svg").write_text(svg.exercise_panels_svg(exercise_id))
        (out / f"{exercise_id}-animation.svg").write_text(svg.exercise_svg(exercise_id))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return out


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_panels_and_the_animation_render_in_chromium(chromium_browser, folder, exercise_id):
    page = _page(chromium_browser, 900, 900)
    for kind in ("panels", "animation"):
        text = (folder / f"{exercise_id}-{kind}.svg").read_text()
        ink = page.evaluate(COUNT_INK, text)
        assert ink > 2000, f"{exercise_id} {kind} looks blank ({ink} dark pixels)"
    # the inline document: the figure has a real size
    page.set_content(svg.exercise_panels_svg(exercise_id))
    box = page.evaluate("() => document.querySelector('svg g g').getBBox().width")
    assert box > 50
    shot = f'<body style="margin:0;background:#fff;width:880px">{svg.exercise_panels_svg(exercise_id)}'
    shot += f'<div style="width:440px">{svg.exercise_svg(exercise_id)}</div></body>'
    page.set_content(shot.replace("<svg ", '<svg style="width:100%;height:auto" ', 2))
    page.screenshot(path=str(ARTIFACTS / f"{exercise_id}.png"), full_page=True)
    page.context.close()


def test_the_animation_moves_when_motion_is_allowed(chromium_browser):
    page = _page(chromium_browser, 500, 300, reduced=False)
    page.set_content(svg.exercise_svg("cat-camel", hold_s=1))
    sel = ".bh-cat-camel-anim-lumbar"
    first = page.eval_on_selector(sel, "e => getComputedStyle(e).transform")
    page.wait_for_timeout(1200)
    second = page.eval_on_selector(sel, "e => getComputedStyle(e).transform")
    assert first != second
    page.context.close()


def test_reduced_motion_stops_the_animation(chromium_browser):
    page = _page(chromium_browser, 500, 300, reduced=True)
    page.set_content(svg.exercise_svg("cat-camel"))
    name = page.eval_on_selector(".bh-cat-camel-anim-lumbar", "e => getComputedStyle(e).animationName")
    assert name == "none"
    page.context.close()


def test_a_phase_class_on_the_root_switches_the_pose(chromium_browser):
    page = _page(chromium_browser, 500, 300, reduced=True)
    page.set_content(svg.exercise_svg("prone-press-up", phase_classes=True))
    sel = ".bh-prone-press-up-anim-phases-lumbar"
    rest = page.eval_on_selector(sel, "e => getComputedStyle(e).transform")
    page.eval_on_selector("svg", "e => e.classList.add('phase-hold')")
    hold = page.eval_on_selector(sel, "e => getComputedStyle(e).transform")
    assert rest != hold
    page.context.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_the_gallery_renders_every_exercise(chromium_browser, tmp_path, width, height):
    index = gallery.write_gallery(tmp_path / "gallery")
    page = _page(chromium_browser, width, height)
    page.goto(index.as_uri())
    assert page.locator("section").count() == len(EXERCISE_IDS)
    widths = page.eval_on_selector_all("svg", "els => els.map(e => e.getBoundingClientRect().width)")
    shown = [w for w in widths if w > 0]  # the panels come in a wide and a narrow layout
    assert len(shown) >= 2 * len(EXERCISE_IDS)
    assert min(shown) > 150 and max(shown) <= width
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= width
    page.screenshot(path=str(ARTIFACTS / f"gallery-{width}x{height}.png"), full_page=True)
    page.context.close()
