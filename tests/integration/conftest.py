"""Django for the integration tests. The settings module is set here (not in pyproject.toml yet), with a
throw-away data folder and secret key, before any test module imports Django."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest
from django.conf import LazySettings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backhome.web.config.settings")
os.environ.setdefault("BACKHOME_DATA_DIR", tempfile.mkdtemp(prefix="backhome-test-data-"))
os.environ.setdefault("BACKHOME_SECRET_KEY", "test-only-" + "k" * 50)

import django

django.setup()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings: LazySettings) -> None:
    """Argon2 is slow on purpose (tens of milliseconds a hash), and the cast signs in a handful of
    people per test. Tests hash with MD5 unless marked ``real_password_hashing``; production settings
    keep Argon2 first (tests/integration/test_accounts_reset.py checks it with the real hasher)."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    """Every test client is 127.0.0.1: the counts of the rate limits and of django-axes (the shared
    cache, files that outlive a test) start at nothing in each test."""
    from django.core.cache import caches

    caches["shared"].clear()


@pytest.fixture(autouse=True)
def _no_remembered_fault() -> Iterator[None]:
    """A database fault a test provokes (a read-only database) is remembered by the process for a minute,
    and /healthz would then ask the database: no test starts with another test's fault."""
    from backhome.web.config import dberrors

    dberrors.forget()
    yield
    dberrors.forget()
