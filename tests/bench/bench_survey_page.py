"""Benchmark: the public survey page (the SMS link, no login) under 8 clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csc REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python tests/bench/bench_survey_page.py

The page is hit in bursts after an SMS batch (issue 15). This script makes its own
database next to the one DATABASE_URL names (`<name>_survey_page_bench`, dropped
afterwards; `--keep` leaves it), migrates it, writes 200 sent surveys with known
links, starts csc under gunicorn with production settings (DEBUG=0, hashed static
files; tests/bench/servers.py) and has 8 client threads open the links (GET, the
page as the customer first sees it), each request on its own connection as a
phone's would be. It prints the SQL statements one page view runs (counted inside
gunicorn, tests/bench/counting_wsgi.py), the request rate, p50 and p95, and the
CPU the web workers and their PostgreSQL backends spent per request.

The per-address rate limit is raised for the run (every client is 127.0.0.1);
its Redis count still runs on each request, and the limit itself is tested in
tests/care/test_views.py. REDIS_URL names the Redis database the server uses.

Target (issue 15): at least 200 requests/s with 8 clients. Options: --requests N
per client (default 250), --workers N (gunicorn, default 4), --keep. Exit status 1
when the target is missed.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench import client  # noqa: E402
from tests.bench.scratch_db import in_scratch_database  # noqa: E402
from tests.bench.servers import (  # noqa: E402
    DEFAULT_WORKERS,
    Environment,
    Gunicorn,
    backend_pids,
)

TARGET_RPS = 200
CLIENTS = 8
SURVEYS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=250, help="per client")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    with Environment() as env:
        in_scratch_database("survey_page_bench", lambda: run(args, env, redis_url), keep=args.keep)


def load() -> list[str]:
    """200 surveys sent and not yet answered; returns their links' tokens."""
    import datetime
    import secrets

    from django.utils import timezone

    from care.models import Survey, token_digest
    from staffing.models import User
    from tests.factories import CustomerFactory, TicketFactory

    agent = User.objects.create(username="bench-agent")
    customer = CustomerFactory()
    now = timezone.now()
    tokens = [secrets.token_urlsafe(24) for _ in range(SURVEYS)]
    surveys = []
    for token in tokens:
        ticket = TicketFactory(customer=customer, status="closed", created_by=agent)
        surveys.append(
            Survey(
                ticket=ticket,
                customer=customer,
                token_hash=token_digest(token),
                status="sent",
                send_at=now,
                sent_at=now,
                expires_at=now + datetime.timedelta(days=3),
                ticket_kind=ticket.kind,
                channel=ticket.channel,
                tier="none",
            )
        )
    Survey.objects.bulk_create(surveys)
    return tokens


def run(args, env: Environment, redis_url: str) -> None:
    env.env.update(
        DATABASE_URL=os.environ["DATABASE_URL"],  # the scratch database
        REDIS_URL=redis_url,
        SURVEY_PAGE_RATE_PER_MINUTE="100000000",
    )
    env.apply()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    tokens = load()
    connections.close_all()
    db_pids = backend_pids(env.env["DATABASE_URL"])
    with Gunicorn("tests.bench.counting_wsgi:application", env.env, workers=args.workers) as web:
        print(f"csc (gunicorn, {args.workers} workers, DEBUG=0) on :{web.port}", flush=True)
        http = client.Http(web.port)
        paths = [f"/care/s/{token}/" for token in tokens]
        queries, sql_ms = client.query_count(http, paths[0])
        print(f"one page view: {queries} SQL statements ({sql_ms:.1f} ms)", flush=True)
        meter = client.Meter(web.worker_pids, db_pids)

        def call(c: int, i: int) -> client.Reply:
            # A fresh visitor each time: no cookies, as a phone opening the SMS link.
            return client.Http(web.port).get(paths[(c * 31 + i) % len(paths)])

        figures = client.concurrent(call, CLIENTS, args.requests, warmup=5, meter=meter)
    summary = figures.summary()
    print(
        f"{CLIENTS} clients × {args.requests}: {summary['requests_per_s']} req/s, "
        f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, errors {summary['errors']}, "
        f"CPU {summary['cpu_ms_app']} + {summary['cpu_ms_db']} ms/request "
        f"(the rate the machine's cores could give at that cost: {summary['cpu_bound_rps']}/s; "
        f"load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    if summary.get("error_samples"):
        print("errors:", summary["error_samples"])
    met = summary["requests_per_s"] >= TARGET_RPS and not summary["errors"]
    print(f"target ≥ {TARGET_RPS} req/s with {CLIENTS} clients: {'met' if met else 'MISSED'}")
    if not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
