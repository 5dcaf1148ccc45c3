"""The web app manifest (``/manifest.webmanifest``): lets a phone add backhome to its home screen, with
its own icon, opening on the person's plan in a window of its own."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from backhome.web.patient.icons import ICONS

#: The manifest's own content type (https://www.w3.org/TR/appmanifest/#media-type-registration).
CONTENT_TYPE = "application/manifest+json"


def manifest_document() -> dict[str, object]:
    return {
        "name": "backhome: exercises for low back pain",
        "short_name": "backhome",
        "description": "Your exercises for low back pain, one at a time, with timers and pain checks.",
        "start_url": reverse("patient:plan"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": "#0b4a8f",
        "icons": [
            {
                "src": static(f"patient/icons/{name}"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "maskable" if maskable else "any",
            }
            for name, size, maskable in ICONS
        ]
        + [{"src": static("patient/favicon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }


@require_GET
def web_manifest(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(json.dumps(manifest_document(), indent=1), content_type=CONTENT_TYPE)
    response["Cache-Control"] = "public, max-age=86400"
    return response
