"""The Redis cache backend: Django's, with a clear() that removes only this cache's keys.

Django's `RedisCache.clear()` empties the whole Redis database (FLUSHDB). Here that database
is shared: Celery's broker keeps its queues in it (`REDIS_URL` serves both), several sites
may share one Redis (`CACHE_KEY_PREFIX`), and the test suite's parallel workers each keep
their keys under a prefix of their own in one database. `clear()` deletes the keys under
this cache's `KEY_PREFIX` and leaves everything else alone.
"""

from __future__ import annotations

import re

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

BATCH = 1000


class RedisCache(DjangoRedisCache):
    def clear(self) -> None:
        client = self._cache.get_client(None, write=True)
        # Keys are "<prefix>:<version>:<key>" (Django's default KEY_FUNCTION); the prefix is
        # matched literally, glob characters in it escaped.
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=BATCH):
            batch.append(key)
            if len(batch) >= BATCH:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
