"""Reference data kept per process: read once while nothing changes, read
again everywhere after a change, and never a reason for a request to fail."""

import pytest
from django.core.cache import cache

from csc.lib import reference
from csc.lib.reference import ReferenceCache, reference_data_changed


@pytest.fixture
def loads():
    counted = []

    def load():
        counted.append(1)
        return len(counted)

    kept = ReferenceCache(load)
    yield kept, counted
    reference._every_cache.remove(kept)


def test_loaded_once_while_nothing_changes(loads):
    kept, counted = loads

    assert [kept.get() for _ in range(5)] == [1] * 5
    assert len(counted) == 1


@pytest.mark.django_db
def test_a_change_in_this_process_is_seen_at_once(loads, django_capture_on_commit_callbacks):
    kept, _counted = loads
    assert kept.get() == 1

    with django_capture_on_commit_callbacks(execute=True):
        reference_data_changed()

    assert kept.get() == 2


def test_a_change_made_by_another_process_is_seen_within_the_trust_time(loads, monkeypatch):
    kept, _counted = loads
    assert kept.get() == 1
    cache.set(reference.GENERATION_KEY, "set-by-another-process", timeout=None)

    assert kept.get() == 1  # this process trusts the token it read a moment ago
    monkeypatch.setattr(reference, "GENERATION_TRUST_SECONDS", 0)
    reference._known.token = None
    assert kept.get() == 2


def test_copies_expire_by_age_even_without_a_change(loads, monkeypatch):
    kept, _counted = loads
    assert kept.get() == 1
    monkeypatch.setattr(reference, "MAX_AGE_SECONDS", -1)
    kept.clear()
    assert kept.get() == 2
    assert kept.get() == 3


def test_without_a_shared_cache_every_use_reads_the_database(loads, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    kept, _counted = loads

    assert [kept.get() for _ in range(3)] == [1, 2, 3]


@pytest.mark.django_db
def test_an_unreachable_cache_reads_the_database_instead_of_failing(loads, monkeypatch):
    kept, _counted = loads

    def unreachable(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)

    assert [kept.get() for _ in range(2)] == [1, 2]
    reference_data_changed()  # does not raise either
