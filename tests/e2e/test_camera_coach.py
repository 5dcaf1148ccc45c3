"""The camera coach in a real browser, offline: MediaPipe's pose model, served by backhome itself, finds
a real person (scikit-image's astronaut photograph) and, through Chromium's fake camera showing that
photograph, runs inside the session player at phone size, with no request leaving the site."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from skimage import data as skimage_data

from tests.artifacts import ARTIFACTS
from tests.e2e import web_fixtures  # first: it sets Django up
from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.web_fixtures import PHONE, Visit, sign_in_as_guest

from tests.integration.people import person_with_plan  # isort: skip

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VENDOR = web_fixtures.REPO / "backhome/web/practice/static/practice/coach/vendor"
BENCH = ARTIFACTS / "camera-coach-fps.json"
FAKE_SPEECH = """
window.__spoken = [];
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
  getVoices: function () { return [{name: "Test voice", lang: "en-GB"}]; },
  speak: function (u) { window.__spoken.push(u.text); },
  cancel: function () {}, addEventListener: function () {}
}});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
"""
CALM = {"back": 3, "leg": 2, "zone": 3, "numbness": "no", "red_flag": "no"}


def _astronaut_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(skimage_data.astronaut()).save(out, format="PNG")
    return out.getvalue()


def _y4m(path: Path, frames: int = 2) -> Path:
    """The photograph as a YUV4MPEG2 video (4:2:0, BT.601), for Chromium's fake camera."""
    rgb = skimage_data.astronaut().astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = (b - y) * 0.564 + 128
    v = (r - y) * 0.713 + 128
    h, w = y.shape

    def sub(c: Any) -> Any:  # 4:2:0: one chroma sample per 2 x 2 pixels
        return c.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))

    planes = b"".join(np.clip(p, 0, 255).astype(np.uint8).tobytes() for p in (y, sub(u), sub(v)))
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + planes)
    return path


@pytest.fixture(scope="module")
def camera_browser(web_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A second Chromium whose camera shows the astronaut (no camera prompt, no real device)."""
    if not (VENDOR / "pose_landmarker_lite.task").is_file():
        pytest.fail("the camera coach's model is not built: run `make npm` (scripts/coach_model.py)")
    video = _y4m(tmp_path_factory.mktemp("camera") / "astronaut.y4m")
    fake = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = web_browser.browser_type.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def phone(camera_browser: Any, live_server: Any) -> Iterator[Visit]:
    context = camera_browser.new_context(viewport=PHONE, permissions=["camera"])
    # Offline: anything not asked of the site itself fails (and is recorded by Visit).
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(live_server.url) else route.abort(),
    )
    page = context.new_page()
    yield Visit(page, live_server.url)
    context.close()


def test_the_pose_model_loads_from_the_site_and_finds_the_astronaut(phone: Visit) -> None:
    person, _ = person_with_plan()
    sign_in_as_guest(phone, person)
    phone.go("/session/")  # the player's page: the one allowed to run the model
    found = phone.page.evaluate(
        """async (png) => {
          const { loadLandmarker, detect, frameOf } = await import("/static/practice/coach/camera.js");
          const blob = new Blob([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], { type: "image/png" });
          const started = performance.now();
          const worker = await loadLandmarker();
          const loadMs = performance.now() - started;
          const first = await detect(worker, await createImageBitmap(blob), 1);
          // the speed: frames of a phone camera's size (640 x 480), one after another
          const frame = await createImageBitmap(blob, { resizeWidth: 640, resizeHeight: 480 });
          const t0 = performance.now();
          let n = 0;
          while (performance.now() - t0 < 5000) {
            await detect(worker, await frameOf(frame, 640, 480), 2 + n * 40);
            n += 1;
          }
          const fps = n / ((performance.now() - t0) / 1000);
          worker.terminate();
          return { loadMs, landmarks: first.landmarks, fps };
        }""",
        base64.b64encode(_astronaut_png()).decode(),
    )
    marks = found["landmarks"]
    assert len(marks) == 33, "no person found in the photograph"
    nose, left_shoulder, right_shoulder = marks[0], marks[11], marks[12]
    # The astronaut's face is in the upper middle of the picture, her shoulders below it.
    assert 0.3 < nose["x"] < 0.6 and 0.1 < nose["y"] < 0.4 and nose["visibility"] > 0.9
    assert min(left_shoulder["y"], right_shoulder["y"]) > nose["y"]
    assert phone.foreign_requests() == []
    BENCH.parent.mkdir(parents=True, exist_ok=True)
    BENCH.write_text(
        json.dumps({"model": "pose_landmarker_lite", "fps_640x480": found["fps"], "load_ms": found["loadMs"]})
    )
    print(
        f"camera coach: {found['fps']:.1f} frames per second (640x480, lite model), model ready in {found['loadMs']:.0f} ms"
    )


def _frames_read(visit: Visit) -> int:
    counts = [w.evaluate("self.framesRead || 0") for w in visit.page.workers]
    return max(counts, default=0)


def test_the_camera_coach_counts_along_in_the_player_and_stops_with_one_tap(phone: Visit) -> None:
    person, _ = person_with_plan()  # Dana: the nerve glide, then the press-up and cat-camel
    sign_in_as_guest(phone, person)
    phone.page.add_init_script(FAKE_SPEECH)
    phone.go("/session/")
    for name, value in CALM.items():
        phone.page.click(f"#check-form label:has(input[name='{name}'][value='{value}'])")
    phone.page.click("#check-send")
    phone.page.locator("#stage-exercise").wait_for(state="visible")
    assert phone.page.locator("#coach-toggle").count() == 0, "offered on the nerve glide, seen from the front"
    phone.page.click("#skip")
    phone.page.locator("#ex-2-name").wait_for(state="visible")
    toggle = phone.page.locator("#coach-toggle")
    assert toggle.inner_text() == "Use the camera to count for me"
    before = len(phone.requests)
    assert not any("/coach/vendor/" in url for url in phone.requests), (
        "the model loaded before it was asked for"
    )

    toggle.click()
    phone.page.locator("#coach-on").wait_for(state="visible", timeout=60_000)
    assert toggle.inner_text() == "Stop the camera" and toggle.get_attribute("aria-pressed") == "true"
    assert any(url.endswith("pose_landmarker_lite.task") for url in phone.requests[before:])
    phone.page.click("#go")  # the timer runs while the camera counts
    time_before = phone.page.inner_text("#time")
    start_frames, t0 = _frames_read(phone), time.monotonic()
    phone.page.wait_for_timeout(5000)
    fps = (_frames_read(phone) - start_frames) / (time.monotonic() - t0)
    assert fps > 0, "no camera frame reached the pose model"
    assert phone.page.inner_text("#time") != time_before, "the timer stalled while the camera ran"
    assert "Reps counted: 0" in phone.page.inner_text("#coach-counts")
    phone.shot("camera-coach-on")
    assert_accessible(phone, context="camera coach on")

    toggle.click()  # one tap stops it
    assert toggle.inner_text() == "Use the camera to count for me"
    assert phone.page.locator("#coach-live").is_hidden()
    assert phone.page.evaluate("document.getElementById('coach-video').srcObject") is None
    saved = phone.page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('backhome.session.')).map(k => JSON.parse(localStorage[k]))"
    )
    camera = [s["camera"] for s in saved if s and s.get("camera")]
    assert camera and camera[0]["2"]["counted_by"] == "camera" and camera[0]["2"]["reps"] == 0
    phone.page.wait_for_timeout(1500)  # the model closes after the camera: nothing is sent then either
    assert phone.foreign_requests() == []
    print(f"camera coach in the player: {fps:.1f} frames per second")


CONTROLLED = """() => navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller ? true :
  new Promise(resolve => navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true))))"""


def test_once_used_the_camera_coach_also_works_in_a_session_opened_offline(
    camera_browser: Any, live_server: Any
) -> None:
    context = camera_browser.new_context(viewport=PHONE, permissions=["camera"])
    visit = Visit(context.new_page(), live_server.url)
    try:
        person, _ = person_with_plan()
        sign_in_as_guest(visit, person)
        visit.page.add_init_script(FAKE_SPEECH)
        visit.go("/session/")
        assert visit.page.evaluate(CONTROLLED)
        for name, value in CALM.items():
            visit.page.click(f"#check-form label:has(input[name='{name}'][value='{value}'])")
        visit.page.click("#check-send")
        visit.page.locator("#stage-exercise").wait_for(state="visible")
        visit.page.click("#skip")
        visit.page.locator("#coach-toggle").click()
        visit.page.locator("#coach-on").wait_for(state="visible", timeout=60_000)
        visit.page.locator("#coach-toggle").click()

        context.set_offline(True)
        visit.page.reload()
        visit.page.locator("#stage-exercise").wait_for(state="visible")
        assert visit.page.locator("#player").get_attribute("data-source") == "cache"
        visit.page.locator("#coach-toggle").click()
        visit.page.locator("#coach-on").wait_for(state="visible", timeout=60_000)
        visit.page.wait_for_timeout(1500)
        assert _frames_read(visit) > 0, "the model kept by the service worker read no frame"
        visit.page.locator("#coach-toggle").click()
        visit.page.wait_for_timeout(1500)
        assert visit.foreign_requests() == []
    finally:
        context.close()
