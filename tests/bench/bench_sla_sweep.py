"""Benchmark: the SLA sweep over 1,000,000 running clocks in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csc \
        .venv/bin/python tests/bench/bench_sla_sweep.py

It creates its own database next to the one DATABASE_URL names
(`<name>_sla_bench`, dropped and made afresh; `--keep` leaves it), migrates
it, loads the clocks with server-side INSERT … SELECT (one ticket per clock),
and prints:

- one sweep's time with nothing due (target ≤ 50 ms);
- one sweep's time with 10,000 due (target ≤ 10 s), checking that each due
  clock took each ladder step exactly once;
- the SQL statements per batch.

Options: --clocks N (default 1,000,000), --due N (default 10,000), --keep.

`make bench` (tests/bench/run.py) measures the sweep too, on its full data set
of 1,000,000 tickets, next to the rest of the benchmarks.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_IDLE_MS = 50
TARGET_DUE_S = 10


def bench_database_url(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (postgres://…)")
    name = parts.path.lstrip("/") or "postgres"
    bench_name = f"{name}_sla_bench"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    return admin_url, bench_name, urlunsplit(parts._replace(path=f"/{bench_name}"))


def recreate_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def clone_rows(cursor, table: str, template_id: int, count: int, overrides: dict[str, str]) -> None:
    """Insert `count` copies of one row, server side; `overrides` are SQL over g (1..count)."""
    cols = [c for c in columns(cursor, table) if c != "id"]
    select = [overrides.get(c, f'"{c}"') for c in cols]
    quoted = ", ".join(f'"{c}"' for c in cols)
    cursor.execute(
        f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(select)} '
        f'FROM "{table}" t, generate_series(1, %s) g WHERE t.id = %s',
        [count, template_id],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clocks", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("Set DATABASE_URL=postgres://… (a bench database is made next to it)")
    admin_url, bench_name, bench_url = bench_database_url(url)
    print(f"database {bench_name}: creating and migrating …", flush=True)
    recreate_database(admin_url, bench_name)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, bench_name)


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import datetime

    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from sla import escalation, sweeper
    from sla.choices import ClockState
    from sla.matching import TicketFacts
    from sla.models import Clock, EscalationLevel
    from sla.services import clocks_start
    from staffing.models import Agent, Team, User
    from worktickets.models import Ticket

    # worktickets registers these from its AppConfig; batch stand-ins when it does not (yet).
    def raise_priority(firings):
        ids = [clock.ticket_id for clock, _level in firings]
        Ticket.objects.filter(pk__in=ids, priority__lt=4).update(priority=4)

    def move_to_escalation_queue(firings):
        ids = [clock.ticket_id for clock, _level in firings]
        Ticket.objects.filter(pk__in=ids).update(in_escalation_queue=True)

    for name, func in (
        ("raise_priority", raise_priority),
        ("move_to_escalation_queue", move_to_escalation_queue),
    ):
        action = escalation.get_action(name)
        if action is None:
            escalation.register_action(name, func, name, many=True)
            print(f"  {name}: stand-in (one UPDATE per batch)")
        else:
            how = "per batch" if action.many else "per clock"
            print(f"  {name}: {action.func.__module__} ({how})")

    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        lead = User.objects.create(username="bench-lead", email="lead@bench.invalid")
        agent = User.objects.create(username="bench-agent", email="agent@bench.invalid")
        manager = User.objects.create(username="bench-manager", email="manager@bench.invalid")
        manager.groups.add(Group.objects.get(name="cs_manager"))
        team = Team.objects.create(name="Bench hotline", kind="hotline", lead=lead)
        Agent.objects.create(user=agent, employee_number="B00001", team=team)
        template = Ticket(
            number="BENCH-0",
            kind="inquiry",
            channel="hotline",
            team=team,
            assignee=agent,
            first_contact_agent=agent,
            created_by=agent,
            subject="Bench inquiry",
        )
        template.set_status("in_progress")
        template.save()
        facts = TicketFacts(kind="inquiry", channel="hotline", priority=2, vip_tier="none")
        closure = next(c for c in clocks_start(template, facts, at=now) if c.metric == "closure")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sla_clockevent WHERE clock_id <> %s", [closure.pk])
        cursor.execute("DELETE FROM sla_clock WHERE id <> %s", [closure.pk])
        # Tickets: copies of the template, numbered uniquely.
        clone_rows(
            cursor, "worktickets_ticket", template.pk, args.clocks - 1, {"number": "'BENCH-' || g"}
        )
        # Clocks: one running closure clock per ticket, due spread over the next 48 hours.
        cursor.execute("SELECT min(id), max(id) FROM worktickets_ticket")
        first_id, last_id = cursor.fetchone()
        cols = [c for c in columns(cursor, "sla_clock") if c != "id"]
        spread = "interval '1 second' * ((t2.id * 7919) %% 172800)"
        moments = {  # closure: warned 24 h before due, swept then
            "due_at": now + datetime.timedelta(hours=25),
            "warn_at": now + datetime.timedelta(hours=1),
            "sweep_at": now + datetime.timedelta(hours=1),
        }
        select, params = [], []
        for c in cols:
            if c == "ticket_id":
                select.append("t2.id")
            elif c in moments:
                select.append(f"%s::timestamptz + {spread}")
                params.append(moments[c])
            else:
                select.append(f'c."{c}"')
        quoted = ", ".join(f'"{c}"' for c in cols)
        cursor.execute(
            f"INSERT INTO sla_clock ({quoted}) SELECT {', '.join(select)} "
            f"FROM sla_clock c, worktickets_ticket t2 WHERE c.id = %s AND t2.id <> %s",
            [*params, closure.pk, template.pk],
        )
        cursor.execute("ANALYZE worktickets_ticket")
        cursor.execute("ANALYZE sla_clock")
    running = Clock.objects.filter(state=ClockState.RUNNING).count()
    print(
        f"loaded {running:,} running clocks and {last_id - first_id + 1:,} tickets "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    # 1. Nothing due.
    idle = []
    for _ in range(20):
        t = time.perf_counter()
        result = sweeper.sweep(now=now)
        idle.append((time.perf_counter() - t) * 1000)
        assert result.clocks == 0
    with CaptureQueriesContext(connection) as idle_queries:
        sweeper.sweep(now=now)
    idle_ms = statistics.median(idle)
    print(
        f"sweep, nothing due:   median {idle_ms:.2f} ms, max {max(idle):.2f} ms over 20 runs, "
        f"{len(idle_queries)} queries  (target ≤ {TARGET_IDLE_MS} ms)  "
        f"{'OK' if idle_ms <= TARGET_IDLE_MS else 'MISSED'}",
        flush=True,
    )
    with transaction.atomic():
        plan = (
            Clock.objects.filter(sweep_at__lte=now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket__assignee", "ticket__team__lead")
            .order_by("sweep_at")[: sweeper.BATCH_SIZE]
            .explain()
        )
    print("  claim plan: " + " / ".join(line.strip() for line in plan.splitlines()))

    # 2. A breach wave: N clocks, warned and at risk earlier, reach their due time now.
    #    Due steps: the breach (notify the team lead, raise the priority).
    chosen = "SELECT id FROM sla_clock WHERE state = 'running' ORDER BY id LIMIT %s"
    at_risk_level = EscalationLevel.objects.get(order=10, metric="")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE sla_clock SET due_at = %s, sweep_at = %s, warn_at = NULL, warnings_sent = 2, "
            f"at_risk = true, at_risk_since = %s WHERE id IN ({chosen})",
            [
                now - datetime.timedelta(seconds=20),
                now - datetime.timedelta(seconds=20),
                now - datetime.timedelta(hours=24),
                args.due,
            ],
        )
        cursor.execute(
            "INSERT INTO sla_escalationrecord (clock_id, level_id, due_at, recorded_at, outcome, "
            "results) SELECT id, %s, at_risk_since, at_risk_since, 'done', '{}' FROM sla_clock "
            "WHERE at_risk AND state = 'running'",
            [at_risk_level.pk],
        )
    wave = measure(f"{args.due:,} clocks breaching now", sweeper, connection, now, TARGET_DUE_S)
    check_once(wave, args.due, sweeper=sweeper, now=now)

    # 3. Catch-up after an outage: N more clocks that breached two days ago with
    #    nothing swept since: two warnings, the breach and every ladder step at once.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE sla_clock SET due_at = %s, warn_at = %s, sweep_at = %s WHERE id IN ({chosen})",
            [
                now - datetime.timedelta(days=2),
                now - datetime.timedelta(days=3),
                now - datetime.timedelta(days=3),
                args.due,
            ],
        )
    catch_up = measure(
        f"{args.due:,} clocks, every step at once", sweeper, connection, now, TARGET_DUE_S
    )
    # Warnings and the at-risk step overtaken by the breach are skipped, not sent late.
    check_once(catch_up, args.due * 2, sweeper=sweeper, now=now)


def measure(label, sweeper, connection, now, target_s):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            result = profile.runcall(sweeper.sweep, now=now)
            order = os.environ.get("BENCH_PROFILE_SORT", "cumulative")
            pstats.Stats(profile).sort_stats(order).print_stats(30)
        elif os.environ.get("BENCH_STATEMENTS"):
            spent: dict[str, list[float]] = {}

            def timed(execute, sql, params, many, context):
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    key = " ".join(sql.split()[:4])[:60]
                    spent.setdefault(key, []).append(time.perf_counter() - start)

            with connection.execute_wrapper(timed):
                result = sweeper.sweep(now=now)
            for key, times in sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:10]:
                print(f"    {sum(times):6.3f} s {len(times):4d}x  {key}")
        else:
            result = sweeper.sweep(now=now)
        seconds = time.perf_counter() - began
    print(
        f"sweep, {label}: {seconds:.2f} s in {result.batches} batches of ≤{sweeper.BATCH_SIZE}: "
        f"{result.breaches:,} breaches, {result.warnings:,} warnings, "
        f"{result.escalations:,} ladder steps  (target ≤ {target_s} s)  "
        f"{'OK' if seconds <= target_s else 'MISSED'}",
        flush=True,
    )
    statements = [q["sql"] for q in queries.captured_queries]
    by_verb: dict[str, int] = {}
    for sql in statements:
        verb = sql.split(None, 1)[0].upper()
        by_verb[verb] = by_verb.get(verb, 0) + 1
    per_batch = len(statements) / max(result.batches, 1)
    print(
        f"  SQL statements per batch: {per_batch:.0f} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(by_verb.items()))} in all)",
        flush=True,
    )
    return result


def check_once(result, expected_steps, *, sweeper, now):
    from django.db.models import Count

    from sla.models import EscalationRecord

    duplicates = (
        EscalationRecord.objects.values("clock_id", "level_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    again = sweeper.sweep(now=now)
    ok = result.escalations == expected_steps and duplicates == 0 and again.escalations == 0
    print(
        f"  each due clock took each due step exactly once: {'yes' if ok else 'NO'} "
        f"({result.escalations:,} steps for {expected_steps:,} due; {duplicates} duplicates; "
        f"a second sweep took {again.escalations})",
        flush=True,
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
