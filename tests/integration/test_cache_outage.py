"""``BACKHOME_CACHE_URL``: with Redis away, every cache misses instead of failing, so nobody is logged out
and every page still answers (sessions are ``cached_db``: the database keeps them). The Redis here is an
address nothing answers, so the test needs no Redis; the cluster test (``make cluster-test``) restarts a
real one under load."""

from __future__ import annotations

import time

import pytest
from django.conf import LazySettings
from django.core.cache import caches
from django.test import Client

from backhome.web.config.cache import TolerantRedisCache
from tests.integration.api_helpers import post_json
from tests.integration.people import DANA_WEB, client_for, person_with_plan
from tests.integration.screening_helpers import walk

pytestmark = pytest.mark.django_db

NOBODY = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


@pytest.fixture
def redis_away(settings: LazySettings) -> None:
    backend = {"BACKEND": "backhome.web.config.cache.TolerantRedisCache", "LOCATION": NOBODY}
    settings.CACHES = {
        "default": {**backend, "KEY_PREFIX": "page"},
        "sessions": {**backend, "KEY_PREFIX": "session"},
        "shared": {**backend, "KEY_PREFIX": "shared"},
    }


def test_with_redis_away_dana_keeps_her_plan_and_the_pages_answer(redis_away: None) -> None:
    dana, _ = person_with_plan()
    client = client_for(dana)
    started = time.monotonic()
    assert client.get("/plan/").status_code == 200
    assert client.get("/plan/").status_code == 200  # the page is rendered again: nothing was kept
    assert client.get("/session/").status_code == 200
    assert time.monotonic() - started < 10


def test_with_redis_away_a_new_guest_screens_and_then_sees_her_plan(redis_away: None) -> None:
    client = Client()
    finished = walk(client, DANA_WEB)
    assert finished.url == "/plan/"
    assert client.cookies.get("sessionid") is not None
    assert client.get("/plan/").status_code == 200


def test_with_redis_away_the_public_triage_still_decides(redis_away: None) -> None:
    response = post_json(Client(), "/api/v1/triage", DANA_WEB)
    assert response.status_code == 200


def test_the_redis_cache_reads_nothing_and_stores_nothing_while_redis_is_away(redis_away: None) -> None:
    cache = caches["shared"]
    assert isinstance(cache, TolerantRedisCache)
    cache.set("count", 1)
    assert cache.get("count") is None
    assert cache.get("count", "none") == "none"
    assert cache.add("count", 1) is False
    assert "count" not in cache
    with pytest.raises(ValueError):
        cache.incr("count")
    assert cache.get_or_set("count", 5) == 5
