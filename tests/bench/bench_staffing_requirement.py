"""Benchmark: the staffing requirement per 30-minute interval for 4 weeks, forecast
from 1,000,000 contacts (csc/workforce.py: one grouped query, then Erlang C).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csc \
        .venv/bin/python tests/bench/bench_staffing_requirement.py

It creates its own database next to the one DATABASE_URL names
(`<name>_staffing_bench`, dropped and made afresh; `--keep` leaves it), migrates it,
inserts the contacts server side (hotline, spread over the 8 weeks before today,
busier by day than by night, 85 % answered with 60–400 s of talk), and times
`requirements(["hotline"], start=today, days=28, weeks=4)` a few times.

Target: ≤ 5 s. Options: --contacts N (default 1,000,000), --rounds N (default 3), --keep.
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

from tests.bench.bench_sla_sweep import drop_database, recreate_database  # noqa: E402

TARGET_SECONDS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a bench database is made next to it)")
    parts = urlsplit(url)
    bench_name = f"{parts.path.lstrip('/') or 'postgres'}_staffing_bench"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    print(f"database {bench_name}: creating and migrating …", flush=True)
    recreate_database(admin_url, bench_name)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{bench_name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc.settings")
    try:
        ok = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, bench_name)
    sys.exit(0 if ok else 1)


def run(args) -> bool:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from csc import workforce

    call_command("migrate", verbosity=0)
    print(f"inserting {args.contacts:,} contacts …", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Spread over 8 weeks; the hour of day follows a day-heavy curve (g * 7919 mod 24
        # folded towards 08–22), so intervals differ as a real queue's do.
        cursor.execute(
            """
            INSERT INTO intake_contact
                (channel, caller_number, queued_at, answered_at, ended_at, summary,
                 disposition, external_id, created_at)
            SELECT 'hotline', '', q, CASE WHEN g %% 100 < 85 THEN q + interval '15 seconds' END,
                   CASE WHEN g %% 100 < 85
                        THEN q + interval '15 seconds' + (60 + g %% 340) * interval '1 second'
                   END,
                   '', '', '', now()
            FROM generate_series(1, %s) g,
                 LATERAL (SELECT date_trunc('day', now()) - (1 + g %% 56) * interval '1 day'
                          + (CASE WHEN g %% 10 < 8 THEN 8 + g %% 14 ELSE g %% 24 END)
                            * interval '1 hour'
                          + (g %% 3600) * interval '1 second' AS q) t
            """,
            [args.contacts],
        )
        cursor.execute("ANALYZE intake_contact")
    print(f"  inserted in {time.perf_counter() - started:.1f} s", flush=True)

    today = timezone.localdate()
    timings = []
    for _round in range(args.rounds):
        started = time.perf_counter()
        rows = workforce.requirements(["hotline"], start=today, days=28, weeks=4)
        timings.append(time.perf_counter() - started)
    busiest = max(rows, key=lambda row: row.agents)
    print(
        f"requirement: {len(rows)} intervals; busiest {busiest.starts_at:%a %H:%M} "
        f"{busiest.general_volume:.0f} contacts → {busiest.agents} people"
    )
    median = statistics.median(timings)
    print(
        f"time: median {median:.2f} s, max {max(timings):.2f} s (target ≤ {TARGET_SECONDS:.0f} s)"
    )
    return max(timings) <= TARGET_SECONDS


if __name__ == "__main__":
    main()
