"""Reference data kept per process: read once while nothing changes, read again
everywhere after a change to what it reads (and only then), and never a reason
for a request to fail."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from csc.lib import reference
from csc.lib.reference import ReferenceCache, ReferenceCachePerKey
from staffing.models import Skill, Team, User
from tests.factories import TeamFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def loads():
    """A cache of Team rows counting its loads (Skill is not among its sources)."""
    counted = []

    def load():
        counted.append(1)
        return len(counted)

    kept = ReferenceCache("test-teams", load, sources=[Team], unread_fields=["lead"])
    yield kept, counted
    reference._every_cache.remove(kept)


@pytest.fixture
def another_process(monkeypatch):
    """This process trusts no token it read: it sees what another process would."""
    monkeypatch.setattr(reference, "GENERATION_TRUST_SECONDS", 0)


def test_loaded_once_while_nothing_changes(loads):
    kept, counted = loads

    assert [kept.get() for _ in range(5)] == [1] * 5
    assert len(counted) == 1


@pytest.mark.django_db
def test_a_save_of_a_source_is_seen_at_once_here_and_in_every_process(
    loads, another_process, django_capture_on_commit_callbacks
):
    kept, _counted = loads
    assert kept.get() == 1

    with django_capture_on_commit_callbacks(execute=True):
        team = TeamFactory()
    assert kept.get() == 2

    team.delete()
    assert kept.get() == 3


@pytest.mark.django_db
def test_a_save_of_another_table_or_of_unread_fields_only_keeps_the_copy(
    loads, another_process, django_capture_on_commit_callbacks
):
    kept, _counted = loads
    team = TeamFactory()
    assert kept.get() == 1

    with django_capture_on_commit_callbacks(execute=True):
        Skill.objects.create(name="宽带")
        team.save(update_fields=["lead"])

    assert kept.get() == 1
    team.save(update_fields=["lead", "name"])
    assert kept.get() == 2


def test_a_change_made_by_another_process_is_seen_within_the_trust_time(loads, monkeypatch):
    kept, _counted = loads
    assert kept.get() == 1
    cache.set(kept.key, "set-by-another-process", timeout=None)

    assert kept.get() == 1  # this process trusts the token it read a moment ago
    monkeypatch.setattr(reference, "GENERATION_TRUST_SECONDS", 0)
    kept.forget()
    assert kept.get() == 2


@pytest.mark.django_db
def test_each_cache_has_its_own_generation(loads, another_process):
    kept, _counted = loads
    other = ReferenceCache("test-other", lambda: "other", sources=[])
    try:
        assert kept.get() == 1
        other.changed()
        assert kept.get() == 1
    finally:
        reference._every_cache.remove(other)


def test_copies_expire_by_age_even_without_a_change(loads, monkeypatch):
    kept, _counted = loads
    assert kept.get() == 1
    monkeypatch.setattr(reference, "MAX_AGE_SECONDS", -1)
    kept.forget()
    assert kept.get() == 2
    assert kept.get() == 3


@pytest.mark.django_db
def test_switched_off_every_use_reads_the_database(loads, settings):
    settings.REFERENCE_CACHE_ENABLED = False
    kept, _counted = loads

    assert [kept.get() for _ in range(3)] == [1, 2, 3]
    kept.changed()  # does not need the cache either


@pytest.mark.django_db
def test_an_unreachable_cache_reads_the_database_instead_of_failing(loads, monkeypatch):
    kept, _counted = loads

    def unreachable(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get_or_set", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)

    assert [kept.get() for _ in range(2)] == [1, 2]
    kept.changed()  # does not raise either


def test_every_cache_connects_its_signals_in_every_process():
    """A process that never imports a cache's module would not renew it on a change
    (a management command saving a team): every app's ready() imports them all."""
    declared = set()
    for app in ROOT.glob("*/apps.py"):
        for path in app.parent.rglob("*.py"):
            declared |= set(
                re.findall(r'ReferenceCache(?:PerKey)?\(\s*"([\w-]+)"', path.read_text())
            )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "csc.settings"}
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from csc.lib.reference import _every_cache; "
            "print(' '.join(kept.key for kept in _every_cache))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert len(declared) >= 8
    assert set(started.stdout.split()) == {f"reference-data:{name}" for name in declared}


# ---------------------------------------------------------------- a value per key


@pytest.fixture
def per_team():
    """A value per team id counting its loads: a team's save changes that team's, a
    skill's save every team's."""
    counted: list[int] = []

    def load(key):
        def read():
            counted.append(key)
            return counted.count(key)

        return read

    kept = ReferenceCachePerKey(
        "test-per-team",
        sources={
            Team: lambda team, fields: [team.pk],
            Skill: lambda skill, fields: None,
        },
    )
    yield kept, load, counted
    reference._every_cache.remove(kept)


@pytest.mark.django_db
def test_a_change_of_one_key_leaves_the_other_keys_alone(
    per_team, another_process, django_capture_on_commit_callbacks
):
    kept, load, _counted = per_team
    first, second = TeamFactory(), TeamFactory()
    assert [kept.get(team.pk, load(team.pk)) for team in (first, second)] == [1, 1]
    assert kept.get(first.pk, load(first.pk)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        first.save()

    assert kept.get(first.pk, load(first.pk)) == 2
    assert kept.get(second.pk, load(second.pk)) == 1


@pytest.mark.django_db
def test_a_change_for_every_key_renews_them_all(per_team, another_process):
    kept, load, _counted = per_team
    first, second = TeamFactory(), TeamFactory()
    for team in (first, second):
        kept.get(team.pk, load(team.pk))

    Skill.objects.create(code="broadband", name="宽带")

    assert [kept.get(team.pk, load(team.pk)) for team in (first, second)] == [2, 2]


@pytest.mark.django_db
def test_a_many_to_many_change_concerns_the_keys_of_its_forward_side_or_every_key(
    another_process,
):
    """By user: a change of a user's roles from the user's side is that user's, from
    the role's side every user's."""
    counted: list[int] = []

    def load(key):
        return lambda: counted.append(key) or counted.count(key)

    kept = ReferenceCachePerKey(
        "test-per-user", sources={User.groups.through: lambda user, fields: [user.pk]}
    )
    try:
        first, second = UserFactory(), UserFactory()
        role = Group.objects.create(name="test-role")
        for user in (first, second):
            kept.get(user.pk, load(user.pk))

        first.groups.add(role)
        assert [kept.get(user.pk, load(user.pk)) for user in (first, second)] == [2, 1]

        role.user_set.remove(first)
        assert [kept.get(user.pk, load(user.pk)) for user in (first, second)] == [3, 2]
    finally:
        reference._every_cache.remove(kept)


def test_a_kept_value_that_no_longer_serves_is_read_again(per_team):
    kept, load, _counted = per_team

    assert kept.get(1, load(1), lambda value: value < 2) == 1
    assert kept.get(1, load(1), lambda value: value < 2) == 1
    assert kept.get(1, load(1), lambda value: value > 1) == 2


@pytest.mark.django_db
def test_per_key_switched_off_or_unreachable_every_use_reads_the_database(
    per_team, settings, monkeypatch
):
    kept, load, _counted = per_team
    settings.REFERENCE_CACHE_ENABLED = False
    assert [kept.get(1, load(1)) for _ in range(2)] == [1, 2]

    settings.REFERENCE_CACHE_ENABLED = True

    def unreachable(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get_or_set", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    assert [kept.get(1, load(1)) for _ in range(2)] == [3, 4]
    kept.changed([1])  # does not raise either
