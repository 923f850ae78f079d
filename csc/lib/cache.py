"""Django's Redis cache, keeping one client per connection pool.

Django's `RedisCacheClient` makes a new `redis.Redis` for every cache call,
and redis-py fills a table of about 170 response callbacks in each: about
0.1 ms per call, paid on every API request by the rate limit's counter. A
client holds no connection of its own (the pool does, and renews it in a
forked process), so one per pool serves every thread.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class KeptClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class KeptClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
