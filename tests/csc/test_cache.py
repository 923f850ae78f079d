"""The Redis cache keeps one client per pool, and still works across a fork."""

import os

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient

from csc.lib.cache import KeptClientRedisCacheClient

pytestmark = pytest.mark.skipif(
    not isinstance(getattr(cache, "_cache", None), RedisCacheClient), reason="needs Redis"
)


def test_one_client_per_pool_serves_every_call():
    redis_cache = cache._cache
    assert isinstance(redis_cache, KeptClientRedisCacheClient)
    first = redis_cache.get_client("a", write=True)

    assert redis_cache.get_client("b", write=True) is first
    cache.set("kept-client", {"n": 1}, 30)
    assert cache.get("kept-client") == {"n": 1}
    assert cache.add("kept-client-counter", 0)
    assert cache.incr("kept-client-counter") == 1


def test_a_forked_process_talks_to_redis_through_its_own_connection():
    cache.set("before-fork", "parent", 30)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            cache.set("from-child", "child", 30)
            os.write(writer, (cache.get("before-fork") or "").encode())
        finally:
            os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    assert os.read(reader, 100) == b"parent"
    assert cache.get("from-child") == "child"
    assert cache.get("before-fork") == "parent"
