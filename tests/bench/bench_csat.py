"""Benchmark: CSAT aggregates over a month of 300,000 survey answers in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csc \
        .venv/bin/python tests/bench/bench_csat.py

It creates its own database next to the one DATABASE_URL names (`<name>_csat_bench`,
dropped and made afresh; `--keep` leaves it), migrates it, writes 1,000 tickets and
the answers (server side, one INSERT … SELECT over generate_series; scores mostly 4
and 5, spread over 30 days, 16 teams, 200 agents, the channels and tiers), vacuums and
analyses the table and prints p50/p95/max of each aggregate the care home and the shift
dashboard read (care.selectors): CSAT of the month, per channel, team, agent, ticket
kind and tier, the daily trend, and the satisfaction index.

Target (issue 15): every aggregate's p95 ≤ 200 ms. Options: --answers N (default
300,000), --rounds N (default 10), --keep.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_sla_sweep import clone_rows  # noqa: E402
from tests.bench.scratch_db import in_scratch_database  # noqa: E402

TARGET_P95_MS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    in_scratch_database("csat_bench", lambda: run(args), keep=args.keep)


def load(answers: int) -> None:
    from django.db import connection

    from staffing.models import Team, User
    from tests.factories import CustomerFactory, TicketFactory
    from worktickets.models import Ticket

    teams = [Team.objects.create(name=f"bench team {n}", kind="hotline") for n in range(16)]
    agents = User.objects.bulk_create([User(username=f"bench{n}") for n in range(200)])
    customer = CustomerFactory()
    first = TicketFactory(team=teams[0], customer=customer, status="closed", created_by=agents[0])
    with connection.cursor() as cursor:
        # 999 more tickets, copied server side from the first (numbers made unique).
        clone_rows(
            cursor, "worktickets_ticket", first.pk, 999, {"number": "'B' || lpad(g::text, 8, '0')"}
        )
    team_ids = [t.pk for t in teams]
    agent_ids = [a.pk for a in agents]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Scores: 5 (55 %), 4 (30 %), 3 (8 %), 2 (4 %), 1 (3 %), from g's hash.
        cursor.execute(
            """
            INSERT INTO care_survey (
                ticket_id, customer_id, token_hash, status, send_at, sent_at, expires_at,
                answered_at, answered_via, score, comment, agent_id, team_id,
                ticket_kind, channel, tier, created_at
            )
            SELECT (%(tickets)s::int[])[1 + g %% 1000], %(customer)s,
                   md5(g::text) || md5((g + 1)::text),
                   'answered', at, at, at + interval '3 days', at + interval '10 minutes',
                   'sms_link',
                   CASE WHEN h < 55 THEN 5 WHEN h < 85 THEN 4 WHEN h < 93 THEN 3
                        WHEN h < 97 THEN 2 ELSE 1 END,
                   '', (%(agents)s::int[])[1 + g %% 200], (%(teams)s::int[])[1 + g %% 16],
                   (ARRAY['inquiry','business','complaint'])[1 + g %% 3],
                   (ARRAY['hotline','online_chat','app','walk_in','web'])[1 + g %% 5],
                   (ARRAY['none','none','none','silver','gold','diamond','supreme'])[1 + g %% 7],
                   at
            FROM generate_series(1, %(n)s) g,
                 LATERAL (SELECT now() - (g %% 43200) * interval '1 minute' AS at,
                                 abs(hashtext(g::text)) %% 100 AS h) x
            """,
            {
                "tickets": list(Ticket.objects.order_by("pk").values_list("pk", flat=True)[:1000]),
                "customer": customer.pk,
                "agents": agent_ids,
                "teams": team_ids,
                "n": answers,
            },
        )
        # What autovacuum does after a bulk insert: statistics, and the visibility map
        # the index-only scans (CSAT of the month, the trend) rely on.
        cursor.execute("VACUUM ANALYZE care_survey")
    print(f"loaded {answers:,} answers in {time.perf_counter() - started:.1f} s", flush=True)


def measure(name: str, call, rounds: int) -> float:
    call()  # warm
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"{name:<28} p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {ordered[-1]:7.1f} ms",
        flush=True,
    )
    return p95


def run(args) -> None:
    import datetime

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from care import selectors

    call_command("migrate", verbosity=0)
    load(args.answers)
    end = timezone.now() + datetime.timedelta(minutes=1)
    start = end - datetime.timedelta(days=31)
    checks = {
        "CSAT of the month": lambda: selectors.csat(start, end),
        "CSAT per channel": lambda: selectors.csat_by("channel", start, end),
        "CSAT per team": lambda: selectors.csat_by("team", start, end),
        "CSAT per agent": lambda: selectors.csat_by("agent", start, end),
        "CSAT per ticket kind": lambda: selectors.csat_by("kind", start, end),
        "CSAT per tier": lambda: selectors.csat_by("tier", start, end),
        "daily trend": lambda: selectors.csat_trend("day", start, end),
        "satisfaction index": lambda: selectors.satisfaction_index(start, end),
    }
    worst = max(measure(name, call, args.rounds) for name, call in checks.items())
    verdict = "met" if worst <= TARGET_P95_MS else "MISSED"
    print(f"worst p95 {worst:.1f} ms; target ≤ {TARGET_P95_MS} ms: {verdict}")
    if worst > TARGET_P95_MS:
        sys.exit(1)


if __name__ == "__main__":
    main()
