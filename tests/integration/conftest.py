"""Django for the integration tests. The settings module is set here (not in pyproject.toml yet), with a
throw-away data folder and secret key, before any test module imports Django."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backhome.web.config.settings")
os.environ.setdefault("BACKHOME_DATA_DIR", tempfile.mkdtemp(prefix="backhome-test-data-"))
os.environ.setdefault("BACKHOME_SECRET_KEY", "test-only-" + "k" * 50)

import django

django.setup()
