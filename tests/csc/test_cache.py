"""The Redis cache (django-redis) works across a fork: gunicorn and Celery fork
their workers after the parent may have used it."""

import os

import pytest
from django.core.cache import cache
from django_redis import get_redis_connection


def _redis():
    try:
        return get_redis_connection()
    except NotImplementedError:
        return None


pytestmark = pytest.mark.skipif(_redis() is None, reason="needs Redis")


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
