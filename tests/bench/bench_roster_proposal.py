"""Benchmark: a roster proposal (staffing/proposal.py, OR-Tools CP-SAT) for a 40-agent
team and next month, from the request to the draft written.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csc \
        .venv/bin/python tests/bench/bench_roster_proposal.py

It creates its own database next to the one DATABASE_URL names
(`<name>_roster_bench`, dropped and made afresh; `--keep` leaves it), migrates it,
makes a team of 40 agents and its lead on shift pattern A, gives three of them
approved leave, and registers a requirement per interval shaped like a hotline's day
(12 people by day, 16 at the 10:00 and 14:00 peaks, 8 in the evening, 4 after 21:00)
in place of the forecast (the bench has no contact history). Then it times the
proposal: building the model, the solver (its time limit is ROSTER_PROPOSAL_SECONDS,
30 s by default) and writing the draft.

Target: ≤ 60 s. Options: --agents N (default 40), --seconds S (the solver's limit),
--keep.
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

TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=None, help="the solver's time limit")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a bench database is made next to it)")
    parts = urlsplit(url)
    bench_name = f"{parts.path.lstrip('/') or 'postgres'}_roster_bench"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    print(f"database {bench_name}: creating and migrating …", flush=True)
    recreate_database(admin_url, bench_name)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{bench_name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc.settings")
    if args.seconds is not None:
        os.environ["ROSTER_PROPOSAL_SECONDS"] = str(args.seconds)
    try:
        ok = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, bench_name)
    sys.exit(0 if ok else 1)


def requirement(team, start: datetime.date, days: int) -> list[tuple[datetime.datetime, int]]:
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    rows = []
    for offset in range(days):
        midnight = datetime.datetime.combine(
            start + datetime.timedelta(days=offset), datetime.time.min, tzinfo=tz
        )
        for slot in range(48):
            hour = slot / 2
            if hour in (10, 10.5, 14, 14.5):
                people = 16
            elif 8 <= hour < 17:
                people = 12
            elif 17 <= hour < 21:
                people = 8
            elif hour >= 21:
                people = 4
            else:
                people = 0
            rows.append((midnight + datetime.timedelta(minutes=30 * slot), people))
    return rows


def run(args) -> bool:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from staffing import proposal, rosters
    from staffing.models import Agent, LeaveRequest, ShiftPattern, Team, User

    call_command("migrate", verbosity=0)
    lead = User.objects.create(username="bench-lead")
    lead.groups.add(Group.objects.get(name="team_lead"))
    team = Team.objects.create(name="Bench hotline", kind="hotline", lead=lead)
    Agent.objects.create(user=lead, team=team, employee_number="L0001")
    agents = []
    for n in range(args.agents):
        user = User.objects.create(username=f"bench-agent{n:02d}")
        agents.append(Agent.objects.create(user=user, team=team, employee_number=f"B{n:04d}"))
    month = rosters.next_month(timezone.localdate())
    tz = timezone.get_default_timezone()
    for n, agent in enumerate(agents[:3]):
        first = month + datetime.timedelta(days=3 + 7 * n)
        LeaveRequest.objects.create(
            agent=agent,
            kind=LeaveRequest.Kind.ORDINARY,
            starts_at=datetime.datetime.combine(first, datetime.time.min, tzinfo=tz),
            ends_at=datetime.datetime.combine(
                first + datetime.timedelta(days=4), datetime.time.min, tzinfo=tz
            ),
            reason="bench",
            status=LeaveRequest.Status.APPROVED,
            requested_by=agent.user,
        )
    proposal.register_requirement(requirement)
    pattern = ShiftPattern.objects.get(code="A")
    print(
        f"proposing {month:%Y-%m} for {args.agents} agents on pattern A "
        f"(solver limit {settings.ROSTER_PROPOSAL_SECONDS} s, "
        f"{settings.ROSTER_PROPOSAL_WORKERS} workers, load {os.getloadavg()[0]:.1f}) …",
        flush=True,
    )
    started = time.perf_counter()
    asked = proposal.roster_proposal_request(
        team=team, requested_by=lead, month=month, pattern=pattern, in_background=False
    )
    done = proposal.roster_propose(asked.pk)
    elapsed = time.perf_counter() - started
    if done.status != done.Status.DONE:
        print(f"proposal failed: {done.failure}")
        return False
    nights = [row["nights"] for row in done.per_agent]
    holidays = [row["holidays"] for row in done.per_agent]
    shifts = [row["shifts"] for row in done.per_agent]
    print(
        f"proposal: {done.shifts} shifts, solver {done.solver_status} in {done.solve_seconds} s; "
        f"under-staffed intervals {done.under_staffed_intervals} of {done.intervals}, "
        f"shifts below minimum {done.shifts_below_minimum}; per agent shifts "
        f"{min(shifts)}–{max(shifts)}, nights {min(nights)}–{max(nights)}, "
        f"holidays {min(holidays)}–{max(holidays)}"
    )
    print(f"time: {elapsed:.1f} s from request to draft (target ≤ {TARGET_SECONDS:.0f} s)")
    return elapsed <= TARGET_SECONDS


if __name__ == "__main__":
    main()
