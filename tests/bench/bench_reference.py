"""Micro benchmark: what kept reference data and an API client's kept service user
cost per use, and what an agent's status change costs every process afterwards.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csc REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python -m tests.bench.bench_reference [--agents 300] [--rounds 2000]

It works in the test database next to DATABASE_URL's (`test_<name>`, migrated on
first use and kept), inside a transaction it rolls back, and flushes nothing but
its own keys from Redis. It prints, in microseconds of this process's time:

- per kept cache (csc.lib.reference): a use while the token is trusted, a use
  that reads the token from Redis (once a second per process), and a load with
  its queries (what every use costs with REFERENCE_CACHE_ENABLED=0);
- the API's per-request lookup of a key's client with a permission check, with
  the service user kept and with API_CLIENT_CACHE_SECONDS=0;
- the first use of every cache and the API lookup after an agent's status
  change (the telephony system sets one on every call).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc.settings")


def timed(call, rounds: int) -> tuple[float, float]:
    """Mean microseconds per call: wall time, and this process's CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        call()
    return (
        (time.perf_counter() - wall) / rounds * 1e6,
        (time.process_time() - cpu) / rounds * 1e6,
    )


def shown(figures: tuple[float, float]) -> str:
    return f"{figures[0]:>10.0f}{figures[1]:>8.0f}"


def queries_of(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def populate(agents: int):
    from staffing.models import Agent, hash_api_key
    from staffing.roles import Role
    from staffing.services import agent_create, api_client_create, team_create

    teams = [team_create(f"Bench hotline {n}", "hotline") for n in range(10)]
    for n in range(agents):
        agent_create(
            username=f"bench-agent-{n}",
            employee_number=f"B{n:05d}",
            team=teams[n % len(teams)],
            roles=[Role.AGENT],
            first_name=f"Agent {n}",
        )
    _client, key = api_client_create("bench-micro", ["tickets:read"])
    return Agent.objects.get(employee_number="B00000"), hash_api_key(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test.utils import override_settings

    connection.creation.create_test_db(verbosity=0, keepdb=True)
    settings.DEBUG = False  # no query log: it would be most of what is measured

    from csc.lib import reference
    from staffing.models import Agent
    from staffing.reference import api_client_for_key
    from staffing.services import agent_set_status

    if not settings.REFERENCE_CACHE_ENABLED:
        raise SystemExit("Set REDIS_URL: kept reference data needs the shared cache.")
    rounds = args.rounds
    with transaction.atomic():
        agent, key_hash = populate(args.agents)
        caches = sorted(reference._every_cache, key=lambda kept: kept.key)
        trust = reference.GENERATION_TRUST_SECONDS
        print(f"{'µs per use: wall, CPU':<36}{'kept':>18}{'token read':>18}{'load':>18}  queries")
        for kept in caches:
            kept.get()
            hit = timed(kept.get, rounds)
            reference.GENERATION_TRUST_SECONDS = 0
            kept.forget()
            kept.get()
            token = timed(kept.get, rounds)
            reference.GENERATION_TRUST_SECONDS = trust
            load = timed(kept.load, max(rounds // 20, 5))
            name = kept.key.split(":")[1]
            print(f"{name:<36}{shown(hit)}{shown(token)}{shown(load)}  {queries_of(kept.load)}")

        def lookup():
            api_client_for_key(key_hash).service_user.has_perm("worktickets.view_all_tickets")

        lookup()
        kept_lookup, kept_queries = timed(lookup, rounds), queries_of(lookup)
        entry = f"api-client-user:{agent.user_id}"
        cache.set(entry, api_client_for_key(key_hash).service_user)
        kept_entry = timed(lambda: cache.get(entry), rounds)
        with override_settings(API_CLIENT_CACHE_SECONDS=0):
            read_lookup, read_queries = timed(lookup, rounds // 4), queries_of(lookup)
        print()
        print(f"{'API key lookup, a permission check':<36}{shown(kept_lookup)}  {kept_queries}")
        print(f"{'  of which the kept user (Redis GET)':<36}{shown(kept_entry)}")
        print(f"{'  API_CLIENT_CACHE_SECONDS=0':<36}{shown(read_lookup)}  {read_queries}")

        # The first use of each after a status change, in a process whose trust in
        # the token it read has run out (every other process, within a second).
        reference.GENERATION_TRUST_SECONDS = 0
        for kept in caches:
            kept.forget()
            kept.get()
        flips = 10
        wall = cpu = 0.0
        queries = 0
        for flip in range(flips):
            status = Agent.Status.BREAK if flip % 2 == 0 else Agent.Status.AVAILABLE
            agent_set_status(agent, status, changed_by=agent.user)
            began, began_cpu = time.perf_counter(), time.process_time()
            for use in [kept.get for kept in caches] + [lookup]:
                queries += queries_of(use)
            wall += time.perf_counter() - began
            cpu += time.process_time() - began_cpu
        reference.GENERATION_TRUST_SECONDS = trust
        print(
            f"{'Each first use after a status flip':<36}"
            f"{shown((wall / flips * 1e6, cpu / flips * 1e6))}  {queries / flips:.0f}"
        )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
