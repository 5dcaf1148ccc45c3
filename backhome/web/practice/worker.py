"""The service worker of the session player, served from ``/sw.js`` so that its scope covers the whole
site (``/session/``, ``/plan/``, ``/emergency/``); a worker's scope is limited to its own folder.

The source is ``static/practice/sw.js``. This view fills in its configuration: the pages it keeps for
offline use, the static files those pages use, and a version made from the contents of all of them.
The static files' names carry no hash (``CompressedStaticFilesStorage``), so the version is what makes a
new release reach the browser: when any of these files changes, ``/sw.js`` changes, the browser installs
the new worker, and that worker drops the caches of the old version (docs/web-session.md, "Offline").
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

SOURCE = Path(__file__).resolve().parent / "static" / "practice" / "sw.js"
#: Where the source says what this view fills in.
PLACEHOLDER = "{/* filled in by backhome.web.practice.worker */}"

#: The ES modules that player.js and offline.js import: every one of them, or an offline page cannot load.
MODULES = tuple(sorted(f"practice/player/{path.name}" for path in (SOURCE.parent / "player").glob("*.js")))

#: The static files of the pages the worker keeps (their pictures are inline SVG: nothing else to keep).
ASSETS = (
    "patient/site.css",
    "patient/site.js",
    "patient/favicon.svg",
    "practice/player.css",
    "practice/player.js",
    "practice/offline.js",
    *MODULES,
    "practice/coach/coach.css",
    "progress/progress.css",
)

#: The camera coach's code and model: kept the first time a person turns the camera on, never before
#: (the model is about 19 MB), then served from the cache, so the coach also works offline.
LAZY = (
    "practice/coach/camera.js",
    "practice/coach/count.js",
    "practice/coach/landmarks.js",
    "practice/coach/worker.js",
    "practice/coach/vendor/vision_bundle.mjs",
    "practice/coach/vendor/wasm/vision_wasm_module_internal.js",
    "practice/coach/vendor/wasm/vision_wasm_module_internal.wasm",
    "practice/coach/vendor/pose_landmarker_lite.task",
)


@cache
def _script() -> bytes:
    """The worker's source with its configuration (computed once per process)."""
    source = SOURCE.read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode())
    for name in ASSETS + LAZY:
        found = finders.find(name)
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    config = {
        "version": digest.hexdigest()[:16],
        "pages": [reverse("practice:player"), reverse("patient:plan")],
        "public": [reverse("patient:emergency")],
        "assets": [static(name) for name in ASSETS],
        "lazy": [static(name) for name in LAZY],
        "forget": [reverse("accounts:login"), reverse("accounts:logout"), reverse("accounts:delete")],
    }
    return source.replace(PLACEHOLDER, json.dumps(config, sort_keys=True)).encode()


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: always checked with the server (``no-cache``), so a new version is found at once."""
    response = HttpResponse(_script(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
