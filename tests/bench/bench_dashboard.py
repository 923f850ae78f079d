"""Benchmark: the shift dashboard's refresh and the monthly report at scale.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/csc_bench \\
        .venv/bin/python -m tests.bench.bench_dashboard [--contacts N] [--rounds N]

On the bench database of `make bench` (1,000,000 tickets, loaded by
tests/bench/dataset.py when missing), it adds a year of contacts (1,000,000 by
default, spread over the last 365 days with the channels' mix, waits, abandons and
VIP callers; once), then, with production settings, prints:

- the dashboard's live refresh (`/dashboard/?live=1` as htmx asks it) for the
  CS manager (the whole centre) and a team lead (one team): p50, p95, the SQL
  statements per refresh;
- the monthly service-quality report of last month for the whole centre, built
  as the background task builds it: seconds.

Targets (issue: the dashboard and reports): refresh p95 ≤ 300 ms at a constant
query count; the monthly report ≤ 30 s. Exit status 1 when one is missed.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import time

from tests.bench import dataset
from tests.bench.servers import Environment

REFRESH_P95_MS = 300
MONTHLY_SECONDS = 30
CONTACT_MARK = "bench-contact-"
CHANNELS = (("hotline", 60), ("online_chat", 15), ("ivr", 10), ("walk_in", 8), ("app", 7))


def log(message: str = "") -> None:
    print(message, flush=True)


def ensure_contacts(url: str, count: int) -> int:
    """Add `count` contacts over the last 365 days unless they are there; returns how
    many were added. COPY through psycopg: a year of calls in about a minute."""
    import psycopg

    with psycopg.connect(url) as connection:
        have = connection.execute(
            "SELECT count(*) FROM intake_contact WHERE external_id LIKE %s", [CONTACT_MARK + "%"]
        ).fetchone()[0]
        if have >= count:
            return 0
        mine = [CONTACT_MARK + "%"]
        connection.execute("DELETE FROM intake_contact WHERE external_id LIKE %s", mine)
        customers = [
            row[0] for row in connection.execute("SELECT id FROM intake_customer LIMIT 50000")
        ]
        agents = [
            row[0]
            for row in connection.execute(
                "SELECT a.user_id FROM staffing_agent a JOIN staffing_team t ON t.id = a.team_id "
                "WHERE t.kind IN ('hotline', 'online')"
            )
        ] or [row[0] for row in connection.execute("SELECT user_id FROM staffing_agent LIMIT 50")]
        rng = random.Random(20261206)
        pick = dataset.weighted(CHANNELS)
        now = datetime.datetime.now(datetime.UTC)
        start = now - datetime.timedelta(days=365)
        span = (now - start).total_seconds()
        columns = (
            "channel, customer_id, caller_number, queued_at, answered_at, ended_at, agent_id, "
            "summary, disposition, external_id, created_at, recording_url, transcript"
        )
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY intake_contact ({columns}) FROM STDIN") as copy,
        ):
            for n in range(count):
                queued = start + datetime.timedelta(seconds=rng.random() * span)
                channel = pick(rng)
                abandoned = channel != "ivr" and rng.random() < 0.08
                wait = datetime.timedelta(seconds=rng.expovariate(1 / 15))
                answered = None if abandoned else queued + wait
                ended = (answered or queued) + datetime.timedelta(
                    seconds=rng.randrange(3, 600) if not abandoned else rng.randrange(1, 90)
                )
                agent = None if abandoned or channel == "ivr" else rng.choice(agents)
                disposition = (
                    "abandoned"
                    if abandoned
                    else rng.choice(("resolved", "resolved", "ticket_opened", "other"))
                )
                copy.write_row(
                    (
                        channel,
                        rng.choice(customers) if customers and rng.random() < 0.9 else None,
                        "",
                        queued,
                        answered,
                        ended,
                        agent,
                        "",
                        disposition,
                        f"{CONTACT_MARK}{n}",
                        queued,
                        "",
                        "",
                    )
                )
        connection.execute("ANALYZE intake_contact")
    return count


def timed(call, rounds: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm: reference data, template loading
    times, queries = [], set()
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        queries.add(len(captured))
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95) - 1],
        "queries": sorted(queries),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    with Environment() as env:
        env.apply()
        import django

        django.setup()
        url = env.env["DATABASE_URL"]
        meta, _loaded = dataset.ensure(url, tickets=args.tickets, customers=args.customers)
        added = ensure_contacts(url, args.contacts)
        log(f"data set: {meta.tickets:,} tickets, {args.contacts:,} contacts ({added:,} added now)")

        from django.contrib.auth.models import Group
        from django.test import Client
        from django.utils import timezone

        from csc import reports
        from csc.choices import ReportKind
        from staffing.models import Team, User

        manager, _ = User.objects.get_or_create(username="bench-manager")
        manager.groups.add(Group.objects.get(name="cs_manager"))
        team = Team.objects.get(pk=meta.agent_team_id)
        lead = team.lead or User.objects.get(username=meta.agent_username)
        lead.groups.add(Group.objects.get(name="team_lead"))
        if team.lead_id is None:
            team.lead = lead
            team.save(update_fields=["lead"])

        failed = []
        for label, user in (("CS manager, whole centre", manager), ("team lead, one team", lead)):
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            figures = timed(
                lambda client=client: client.get("/dashboard/?live=1", HTTP_HX_REQUEST="true"),
                args.rounds,
            )
            log(
                f"dashboard refresh, {label}: p50 {figures['p50_ms']:.0f} ms, "
                f"p95 {figures['p95_ms']:.0f} ms, SQL {figures['queries']}"
            )
            if figures["p95_ms"] > REFRESH_P95_MS or len(figures["queries"]) != 1:
                failed.append(f"dashboard refresh ({label})")

        last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
        report = reports.report_request(ReportKind.MONTHLY, last_month, in_background=False)
        started = time.perf_counter()
        reports.report_build(report.pk)
        seconds = time.perf_counter() - started
        log(f"monthly report, whole centre, {last_month:%Y-%m}: {seconds:.1f} s")
        if seconds > MONTHLY_SECONDS:
            failed.append("monthly report")

    if failed:
        log("missed: " + ", ".join(failed))
        return 1
    log(f"targets held: refresh p95 ≤ {REFRESH_P95_MS} ms, monthly report ≤ {MONTHLY_SECONDS} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
