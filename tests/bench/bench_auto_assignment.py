"""Benchmark: ticket creation with auto-assignment on against the same with it off
(worktickets/assignment.py), in process, on one database, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csc \
        .venv/bin/python tests/bench/bench_auto_assignment.py

It creates its own database next to the one DATABASE_URL names
(`<name>_assign_bench`, dropped and made afresh; `--keep` leaves it), migrates it,
makes a team of 12 agents (4 of them VIP seats) rostered on a published roster
around now, and an integration user; then opens tickets with `ticket_create` in
blocks of 100, alternating the team's switch off and on, so both ways see the same
table sizes and the same machine load; between blocks (untimed) the team's tickets
are closed, as agents work them off, so each agent holds under ten open tickets (the
cap is 10). Every third ticket is a VIP customer's.

Target: the rate with auto-assignment on is at least 90 % of the rate with it off
(issue 16), by CPU per ticket (this process and its PostgreSQL backends, read from
/proc when the server runs on this machine), the measure of the creation benchmark
with 8 clients; wall time is printed too, but on a shared machine a single client's
wall time is mostly waiting. Options: --tickets N (default 2,000 each way), --keep.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_sla_sweep import drop_database, recreate_database  # noqa: E402

TARGET_RATIO = 0.90
BLOCK = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=2000, help="tickets each way")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a bench database is made next to it)")
    parts = urlsplit(url)
    bench_name = f"{parts.path.lstrip('/') or 'postgres'}_assign_bench"
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


def _setup():
    from django.utils import timezone

    from intake.models import Customer
    from staffing.models import Agent, Roster, RosterEntry, ShiftPattern, ShiftTemplate, User
    from staffing.services import agent_create, team_create

    now = timezone.now()
    team = team_create("Bench hotline", "hotline")
    pattern = ShiftPattern.objects.get(code="A")
    template = ShiftTemplate.objects.get(pattern=pattern, code="day")
    roster = Roster.objects.create(
        team=team,
        month=timezone.localdate().replace(day=1),
        pattern=pattern,
        status=Roster.Status.PUBLISHED,
    )
    for n in range(12):
        agent = agent_create(
            username=f"bench-agent-{n}",
            employee_number=f"B{n:04d}",
            team=team,
            status=Agent.Status.AVAILABLE,
        )
        if n < 4:
            agent.job_type = Agent.JobType.VIP_SEAT
            agent.save(update_fields=["job_type"])
        RosterEntry.objects.create(
            roster=roster,
            agent=agent,
            day=timezone.localdate(),
            template=template,
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(hours=8),
        )
    team.assignment_cap = 10
    team.save()
    creator = User.objects.create(username="bench-integration")
    plain = Customer.objects.create(
        name="普通客户", phone="13900000001", payment_type="postpaid", vip_tier="none"
    )
    vip = Customer.objects.create(
        name="VIP客户", phone="13900000002", payment_type="postpaid", vip_tier="gold"
    )
    return team, creator, plain, vip


def run(args) -> bool:
    import django

    django.setup()
    from django.core.management import call_command

    from staffing.models import Team
    from worktickets.choices import STATUS_CATEGORY, TicketStatus
    from worktickets.models import ACTIVE_CATEGORY_VALUES, Ticket
    from worktickets.services import ticket_create

    call_command("migrate", verbosity=0)
    team, creator, plain, vip = _setup()

    def create_block(n: int, start: int) -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time() + backend_cpu()
        for i in range(start, start + n):
            ticket_create(
                kind="inquiry",
                channel="hotline",
                subject="流量查询",
                created_by=creator,
                team=team,
                customer=vip if i % 3 == 0 else plain,
            )
        return (
            time.perf_counter() - started,
            time.process_time() + backend_cpu() - cpu,
        )

    def close_open_tickets() -> None:
        Ticket.objects.filter(team=team, status_category__in=ACTIVE_CATEGORY_VALUES).update(
            status=TicketStatus.CLOSED, status_category=STATUS_CATEGORY[TicketStatus.CLOSED]
        )

    def switch(on: bool) -> None:
        Team.objects.filter(pk=team.pk).update(auto_assign=on)
        team.auto_assign = on

    create_block(50, 0)  # warm the per-process reference data and the plans
    seconds = {False: 0.0, True: 0.0}
    cpu = {False: 0.0, True: 0.0}
    made = 0
    while made < args.tickets:
        n = min(BLOCK, args.tickets - made)
        for on in (False, True):
            switch(on)
            wall, used = create_block(n, made)
            seconds[on] += wall
            cpu[on] += used
            # Untimed: the agents work their tickets off, so each holds what a shift's
            # agent holds (a block's share, under ten) rather than thousands.
            close_open_tickets()
        made += n
    assigned = Ticket.objects.filter(team=team, assignee__isnull=False).count()
    print(f"tickets: {args.tickets:,} each way; {assigned:,} assigned automatically")
    for on in (False, True):
        print(
            f"{'on: ' if on else 'off:'} {args.tickets / seconds[on]:.0f} tickets/s wall "
            f"({seconds[on]:.1f} s); CPU {cpu[on] / args.tickets * 1000:.2f} ms a ticket "
            f"(this process and its PostgreSQL backends)"
        )
    wall_ratio = seconds[False] / seconds[True]
    cpu_ratio = cpu[False] / cpu[True]
    print(f"rate on/off: {wall_ratio:.1%} by wall time, {cpu_ratio:.1%} by CPU (target ≥ 90 %)")
    return cpu_ratio >= TARGET_RATIO


def backend_cpu() -> float:
    """CPU seconds of this process's PostgreSQL backends (the default and the numbers
    connection), read from /proc when the server runs on this machine; else 0."""
    from django.db import connections

    total = 0.0
    for alias in ("default", "numbers"):
        if alias not in connections.settings:
            continue
        connection = connections[alias]
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


if __name__ == "__main__":
    main()
