"""Django's Redis cache that a Redis outage degrades instead of breaking (``BACKHOME_CACHE_URL``).

Every use of a cache in backhome can do without it: sessions are ``cached_db`` (the database keeps
each one; the cache only spares a query), the plan page is rendered again, and a rate limit counts from
zero. Django's own ``RedisCache`` raises ``redis.ConnectionError`` when Redis cannot be reached, and
``cached_db`` only tolerates that on some paths (it writes back to the cache after reading the
database without catching anything), so a Redis restart would answer 500 to every page. This backend is
``RedisCache`` with the behaviour of a cache that misses while Redis is away: a read finds nothing, a
write stores nothing (and says so, as ``add`` returning False), ``incr`` raises ``ValueError`` as for a
key that is not there. Each failure is logged once a second at most, and for a second after a failure
the process does not try Redis again, so a Redis host that does not answer costs each request nothing
more than a database query.

Short timeouts (half a second) and one immediate retry replace redis-py's default of several retries
with a back-off of up to seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds after a failure during which the process does not try Redis.
PAUSE_AFTER_FAILURE = 1.0
#: Options of each connection, unless ``OPTIONS`` in ``CACHES`` says otherwise.
CONNECTION_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "health_check_interval": 30,
}
_FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)


class _Away(Exception):
    """Redis failed a moment ago: do not try it yet."""


class TolerantRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._options: dict[str, Any] = {
            **CONNECTION_OPTIONS,
            "retry": Retry(NoBackoff(), 1),
            **self._options,
        }
        self._away_until = 0.0
        self._lock = threading.Lock()

    def _call(self, operation: Callable[[], T], missing: T) -> T:
        if time.monotonic() < self._away_until:
            return missing
        try:
            return operation()
        except _FAILURES as error:
            with self._lock:
                now = time.monotonic()
                if now >= self._away_until:
                    log.warning("the Redis cache cannot be reached (%s); going on without it", error)
                self._away_until = now + PAUSE_AFTER_FAILURE
            return missing

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call(lambda: super(TolerantRedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._call(lambda: super(TolerantRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call(lambda: super(TolerantRedisCache, self).has_key(key, version), False)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(lambda: super(TolerantRedisCache, self).add(key, value, timeout, version), False)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._call(lambda: super(TolerantRedisCache, self).set(key, value, timeout, version), None)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._call(
            lambda: super(TolerantRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(lambda: super(TolerantRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call(lambda: super(TolerantRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._call(lambda: super(TolerantRedisCache, self).delete_many(keys, version), None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        found = self._call(lambda: super(TolerantRedisCache, self).incr(key, delta, version), None)
        if found is None:
            raise ValueError(f"Key '{key}' not found (the Redis cache cannot be reached)")
        return found

    def clear(self) -> None:
        self._call(lambda: super(TolerantRedisCache, self).clear(), None)
