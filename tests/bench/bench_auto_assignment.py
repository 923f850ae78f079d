"""Benchmark: ticket creation with auto-assignment on against the same with it off
(worktickets/assignment.py), on one database, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csc \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python tests/bench/bench_auto_assignment.py [--in-process]

It creates its own database next to the one DATABASE_URL names
(`<name>_assign_bench`, dropped and made afresh; `--keep` leaves it), migrates it,
makes a team of agents (a third of them VIP seats) rostered on a published roster
around now, with a cap they stay under; then opens tickets in blocks, alternating
the team's switch off and on, so both ways see the same table sizes and the same
machine load; between blocks (untimed) the team's tickets are closed, as agents
work them off, and the database vacuumed. Every third ticket is a VIP customer's.

By default, the measure that counts: csc served by gunicorn with production settings
as `make bench` serves it (tests/bench/servers.py; BENCH_REDIS_URL, default
db 13, is flushed), 8 clients creating tickets through POST /api/v1/tickets/ with
an API key, in rounds of one block each way (--rounds 6, --tickets 300 a round each
way: 24 agents, cap 20). Printed for each way: the rate and the CPU per request of the
web workers and their PostgreSQL backends (client.Meter), the load average, and
the kept ratio by rate and by CPU.

`--in-process`: `ticket_create` called in this process, blocks of 100 (--tickets
2,000 each way: 12 agents, cap 10), CPU of this process and its backends; the
reference data kept per process through BENCH_REDIS_URL (flushed), as in production.

Target: with auto-assignment on, at least 90 % of the rate with it off, by CPU per
ticket; exit status 1 when missed. On a shared machine the wall-time
rate moves with the neighbours; CPU per request much less.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.scratch_db import in_scratch_database  # noqa: E402

TARGET_RATIO = 0.90
BLOCK = 100
CLIENTS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--in-process", action="store_true", help="call ticket_create here, not the API"
    )
    parser.add_argument(
        "--tickets",
        type=int,
        help="tickets each way (300 a round through the API, 2,000 in process)",
    )
    # One round's ratio moves by ±13 points on a shared machine: six make the figure.
    parser.add_argument("--rounds", type=int, default=6, help="rounds through the API")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="clients through the API")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    verdict: list[bool] = []
    in_scratch_database(
        "assign_bench",
        lambda: verdict.append(run_in_process(args) if args.in_process else run_http(args)),
        keep=args.keep,
    )
    sys.exit(0 if verdict and verdict[0] else 1)


def _setup(*, agents: int, cap: int):
    from django.utils import timezone

    from intake.models import Customer
    from staffing.models import Agent, Roster, RosterEntry, ShiftPattern, ShiftTemplate
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
    for n in range(agents):
        agent = agent_create(
            username=f"bench-agent-{n}",
            employee_number=f"B{n:04d}",
            team=team,
            status=Agent.Status.AVAILABLE,
        )
        if n < agents // 3:
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
    team.assignment_cap = cap
    team.save()
    plain = Customer.objects.create(
        name="普通客户", phone="13900000001", payment_type="postpaid", vip_tier="none"
    )
    vip = Customer.objects.create(
        name="VIP客户", phone="13900000002", payment_type="postpaid", vip_tier="gold"
    )
    return team, plain, vip


def close_open_tickets(team) -> None:
    """Untimed: the agents work their tickets off, so each holds what a shift's agent
    holds (a block's share, under the cap) rather than thousands. Then the database is
    vacuumed, so the cleaning up of the block's rows (and of this closing, all at once)
    is not done by autovacuum during a later timed block, whichever way that block
    goes: the bench would charge it to that way alone."""
    from django.db import connection

    from worktickets.choices import STATUS_CATEGORY, TicketStatus
    from worktickets.models import ACTIVE_CATEGORY_VALUES, Ticket

    Ticket.objects.filter(team=team, status_category__in=ACTIVE_CATEGORY_VALUES).update(
        status=TicketStatus.CLOSED, status_category=STATUS_CATEGORY[TicketStatus.CLOSED]
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def print_ratios(rate: dict[bool, float], cpu_ms: dict[bool, float]) -> bool:
    by_rate = rate[True] / rate[False]
    by_cpu = cpu_ms[False] / cpu_ms[True]
    load = os.getloadavg()
    print(
        f"kept with auto-assignment on: {by_rate:.1%} by rate, {by_cpu:.1%} by CPU "
        f"(target ≥ {TARGET_RATIO:.0%} by CPU); load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} on {os.cpu_count()} cores"
    )
    return by_cpu >= TARGET_RATIO


# ---------------------------------------------------------------- through the API


def run_http(args) -> bool:
    """8 clients through POST /api/v1/tickets/, csc under gunicorn (make bench's way)."""
    from tests.bench import client
    from tests.bench.run import api_key, flush_bench_redis
    from tests.bench.servers import Environment, Gunicorn, backend_pids

    total = args.tickets or 300 * args.rounds
    per_client = max(1, total // args.rounds // args.clients)
    # The production settings read the bench database from here.
    os.environ["BENCH_DATABASE_URL"] = os.environ["DATABASE_URL"]
    with Environment() as env:
        env.apply()
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from csc.lib.reference import GENERATION_TRUST_SECONDS
        from worktickets.models import Ticket

        call_command("migrate", verbosity=0)
        flush_bench_redis(env.env["REDIS_URL"])
        # A block (its warm-up too) spread over 24 agents stays under the cap of 20.
        team, plain, vip = _setup(agents=24, cap=20)
        key = api_key()
        connections.close_all()
        load_before = os.getloadavg()

        def body(c: int, i: int) -> dict:
            customer = vip if (c * per_client + i) % 3 == 0 else plain
            return {
                "kind": "inquiry",
                "channel": "hotline",
                "subject": "流量查询",
                "description": "客户询问资费与办理方式。",
                "customer": customer.pk,
                "team": team.pk,
            }

        def switch(on: bool) -> None:
            team.auto_assign = on
            team.save(update_fields=["auto_assign"])
            # The workers keep the teams per process: let them see the new generation.
            time.sleep(GENERATION_TRUST_SECONDS + 0.5)

        rounds: dict[bool, list[dict]] = {False: [], True: []}
        url = env.env["DATABASE_URL"]
        with Gunicorn("tests.bench.counting_wsgi:application", env.env) as web:
            print(f"csc under gunicorn ({web.workers} workers, DEBUG=0) on :{web.port}")
            http = client.Http(web.port, headers={"Authorization": f"Token {key}"})
            meter = client.Meter(web.worker_pids, backend_pids(url))

            def create(c: int, i: int) -> client.Reply:
                return http.post("/api/v1/tickets/", body(c, i))

            # Untimed: every worker runs both ways once before the first round.
            for on in (False, True):
                switch(on)
                client.concurrent(create, args.clients, 5)
                close_open_tickets(team)
            for number in range(1, args.rounds + 1):
                for on in (False, True):
                    switch(on)
                    since = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
                    figures = client.concurrent(create, args.clients, per_client, meter=meter)
                    summary = figures.summary()
                    made = Ticket.objects.filter(team=team, pk__gt=since or 0)
                    summary["assigned"] = made.filter(assignee__isnull=False).count()
                    summary["made"] = made.count()
                    rounds[on].append(summary)
                    print(
                        f"round {number} {'on: ' if on else 'off:'} "
                        f"{summary['requests_per_s']:.1f} req/s, CPU "
                        f"{summary['cpu_ms_app']} + {summary['cpu_ms_db']} ms/request, "
                        f"p50 {summary['p50_ms']} ms, errors {summary['errors']}, "
                        f"{summary['assigned']} of {summary['made']} assigned",
                        flush=True,
                    )
                    close_open_tickets(team)
            connections.close_all()

    print(
        f"{args.clients} clients, {args.rounds} rounds × {per_client * args.clients} tickets "
        f"each way (and {3 * args.clients} warm-up requests a block); load average before "
        f"{load_before[0]:.2f}"
    )
    rate, cpu_ms = {}, {}
    for on in (False, True):
        done = rounds[on]
        requests = sum(s["requests"] for s in done)
        seconds = sum(s["requests"] / s["requests_per_s"] for s in done)
        rate[on] = requests / seconds
        app = statistics.fmean(s["cpu_ms_app"] for s in done)
        db = statistics.fmean(s["cpu_ms_db"] for s in done)
        cpu_ms[on] = app + db
        print(
            f"{'on: ' if on else 'off:'} {rate[on]:.1f} req/s; CPU {cpu_ms[on]:.2f} ms a "
            f"request (app {app:.2f} + PostgreSQL {db:.2f})"
        )
    paired = [
        f"{on['requests_per_s'] / off['requests_per_s']:.0%} by rate, "
        f"{_cpu_ms(off) / _cpu_ms(on):.0%} by CPU"
        for off, on in zip(rounds[False], rounds[True], strict=True)
    ]
    print(f"each round, on against the off block just before it: {'; '.join(paired)}")
    errors = sum(s["errors"] for done in rounds.values() for s in done)
    unassigned_on = sum(s["made"] - s["assigned"] for s in rounds[True])
    assigned_off = sum(s["assigned"] for s in rounds[False])
    if errors or unassigned_on or assigned_off:
        print(
            f"NOT AS SET UP: {errors} errors, {unassigned_on} tickets left unassigned with "
            f"the switch on, {assigned_off} assigned with it off"
        )
        print_ratios(rate, cpu_ms)
        return False
    return print_ratios(rate, cpu_ms)


def _cpu_ms(summary: dict) -> float:
    return summary["cpu_ms_app"] + summary["cpu_ms_db"]


# ---------------------------------------------------------------- in process


def run_in_process(args) -> bool:
    from tests.bench.run import flush_bench_redis

    # Reference data kept per process, renewed through Redis, as in production.
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    flush_bench_redis(os.environ["REDIS_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from staffing.models import Team, User
    from worktickets.models import Ticket
    from worktickets.services import ticket_create

    call_command("migrate", verbosity=0)
    team, plain, vip = _setup(agents=12, cap=10)
    creator = User.objects.create(username="bench-integration")
    tickets = args.tickets or 2000

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

    def switch(on: bool) -> None:
        Team.objects.filter(pk=team.pk).update(auto_assign=on)
        team.auto_assign = on

    create_block(50, 0)  # warm the per-process reference data and the plans
    seconds = {False: 0.0, True: 0.0}
    cpu = {False: 0.0, True: 0.0}
    made = 0
    while made < tickets:
        n = min(BLOCK, tickets - made)
        for on in (False, True):
            switch(on)
            wall, used = create_block(n, made)
            seconds[on] += wall
            cpu[on] += used
            close_open_tickets(team)
        made += n
    assigned = Ticket.objects.filter(team=team, assignee__isnull=False).count()
    print(f"tickets: {tickets:,} each way, in process; {assigned:,} assigned automatically")
    for on in (False, True):
        print(
            f"{'on: ' if on else 'off:'} {tickets / seconds[on]:.0f} tickets/s wall "
            f"({seconds[on]:.1f} s); CPU {cpu[on] / tickets * 1000:.2f} ms a ticket "
            f"(this process and its PostgreSQL backends)"
        )
    return print_ratios(
        {on: tickets / seconds[on] for on in (False, True)},
        {on: cpu[on] / tickets * 1000 for on in (False, True)},
    )


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
