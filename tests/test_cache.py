"""The cache's clear() empties the cache, and only the cache: the Redis database it shares
with Celery's queues (and with other sites, or the test suite's parallel workers, each under
its own key prefix) keeps everything else."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from redis import Redis

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"), reason="needs Redis (REDIS_URL)"
)


def test_clearing_the_cache_leaves_the_broker_and_other_prefixes_alone():
    redis = Redis.from_url(settings.CELERY_BROKER_URL)
    with redis:
        tag = uuid.uuid4().hex
        queue, other_site = f"queue-{tag}", f"another-site:1:{tag}"
        redis.rpush(queue, "a task")
        redis.set(other_site, "theirs")
        try:
            cache.set("mine", "ours")
            cache.set_many({f"mine-{n}": n for n in range(1500)})  # more than one batch
            assert cache.get("mine") == "ours"
            cache.clear()
            assert cache.get("mine") is None
            assert cache.get_many([f"mine-{n}" for n in range(1500)]) == {}
            assert redis.lrange(queue, 0, -1) == [b"a task"]
            assert redis.get(other_site) == b"theirs"
        finally:
            redis.delete(queue, other_site)


def test_a_prefix_with_glob_characters_is_matched_literally():
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

    from seniorene.cache import RedisCache

    location = settings.CACHES["default"]["LOCATION"]
    tag = uuid.uuid4().hex[:8]
    starred = RedisCache(location, {"KEY_PREFIX": f"t{tag}*"})
    plain = DjangoRedisCache(location, {"KEY_PREFIX": f"t{tag}x"})
    plain.set("kept", 1)
    starred.set("gone", 2)
    try:
        starred.clear()
        assert starred.get("gone") is None
        assert plain.get("kept") == 1  # "t…*" taken as a glob would have matched "t…x:…"
    finally:
        plain.delete("kept")
