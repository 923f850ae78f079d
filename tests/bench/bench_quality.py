"""Benchmark: quality assurance at a centre's scale (issue 17), in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csc \\
        .venv/bin/python tests/bench/bench_quality.py

It creates its own database next to the one DATABASE_URL names (`<name>_qa_bench`,
made afresh and dropped after; `--keep` leaves it), migrates it, loads 500 agents in 25
teams, 10 QA inspectors, 300,000 contacts in one month (5 % led to a complaint), 100,000
of them with a transcript, and 50,000 evaluations of the month before (6 scored lines
each), with bulk inserts; then prints:

- building the month's samples for 500 agents over 300,000 contacts
  (`quality.services.sampling_build`): target ≤ 10 s; and the re-run (reproducible: it
  adds nothing);
- the inspector's worklist and a team lead's team QA page with 50,000 evaluations in
  the database: p50, p95 (target ≤ 100 ms) and the SQL statements per page, for a
  loaded inspector or team and an almost empty one (the counts must be equal);
- the automatic checks over 100,000 transcripts (`transcripts_check`): target ≤ 60 s.

Options: --agents N (500), --contacts N (300,000), --evaluations N (50,000),
--transcripts N (100,000), --rounds N (30), --keep. Exit status 1 when a target is missed.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_knowledge_search import bench_database_url  # noqa: E402
from tests.bench.bench_sla_sweep import drop_database, recreate_database  # noqa: E402

TARGETS = {"sampling_s": 10, "page_p95_ms": 100, "checks_s": 60}
MONTH = datetime.date(2026, 11, 1)
PREVIOUS = datetime.date(2026, 10, 1)
CHANNELS = ["hotline"] * 6 + ["online_chat"] * 3 + ["walk_in"]
LINES = (
    "坐席：您好，很高兴为您服务，请问有什么可以帮您？",
    "客户：我想查一下{p}的费用。",
    "坐席：好的，请您稍等，正在为您查询{p}。",
    "[保持 {s}秒]",
    "坐席：您本月{p}费用 {n} 元，请问还有其他可以帮您的吗？",
    "客户：你们这个{p}老是出问题，滚动广告也太多了。",
    "坐席：这个我不知道，你自己看吧。",
    "坐席：您登记的号码是 139{n:08d}。",
    "坐席：感谢您的来电，再见。",
)
PRODUCTS = ("宽带", "5G套餐", "国际漫游", "流量包", "固话", "积分", "彩铃")


def transcript(rng: random.Random) -> str:
    picked = [line for line in LINES if rng.random() < 0.7]
    return "\n".join(
        line.format(p=rng.choice(PRODUCTS), n=rng.randrange(10**8), s=rng.randint(5, 90))
        for line in picked
    )


def load(args) -> dict:
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from intake.models import Contact
    from quality.models import Evaluation, LineScore, Sample, Scorecard, Scoring
    from staffing.models import Agent, Team, User
    from worktickets.models import Ticket

    rng = random.Random(17)
    started = time.perf_counter()
    agent_group, lead_group = Group.objects.get(name="agent"), Group.objects.get(name="team_lead")
    qa_group = Group.objects.get(name="qa_inspector")
    teams = Team.objects.bulk_create(Team(name=f"热线{n:02d}班", kind="hotline") for n in range(25))
    qa_team = Team.objects.create(name="质检组", kind="qa")
    users = User.objects.bulk_create(User(username=f"a{n:04d}") for n in range(args.agents))
    leads = User.objects.bulk_create(User(username=f"lead{n:02d}") for n in range(len(teams)))
    inspectors = User.objects.bulk_create(User(username=f"qa{n:02d}") for n in range(10))
    quiet_qa = User.objects.create(username="qa-new")
    Group.user_set.through.objects.bulk_create(
        [Group.user_set.through(user=u, group=agent_group) for u in users]
        + [Group.user_set.through(user=u, group=lead_group) for u in leads]
        + [Group.user_set.through(user=u, group=qa_group) for u in [*inspectors, quiet_qa]]
    )
    Agent.objects.bulk_create(
        [
            Agent(user=u, team=teams[n % len(teams)], employee_number=f"A{n:05d}")
            for n, u in enumerate(users)
        ]
        + [
            Agent(user=u, team=qa_team, employee_number=f"Q{n:05d}")
            for n, u in enumerate([*inspectors, quiet_qa])
        ]
    )
    for team, lead in zip(teams, leads, strict=True):
        team.lead = lead
    Team.objects.bulk_update(teams, ["lead"])
    print(f"  people ({time.perf_counter() - started:.0f} s)", flush=True)

    tz = timezone.get_default_timezone()
    month_start = datetime.datetime.combine(MONTH, datetime.time(), tzinfo=tz)
    seconds = 29 * 86400
    batch = 10_000
    with_transcript = set(rng.sample(range(args.contacts), min(args.transcripts, args.contacts)))
    for offset in range(0, args.contacts, batch):
        rows = []
        for n in range(offset, min(offset + batch, args.contacts)):
            queued = month_start + datetime.timedelta(seconds=rng.randrange(seconds))
            rows.append(
                Contact(
                    channel=rng.choice(CHANNELS),
                    queued_at=queued,
                    answered_at=queued + datetime.timedelta(seconds=20),
                    ended_at=queued + datetime.timedelta(minutes=4),
                    agent=users[n % len(users)],
                    transcript=transcript(rng) if n in with_transcript else "",
                )
            )
        with transaction.atomic():
            created = Contact.objects.bulk_create(rows)
            Ticket.objects.bulk_create(
                Ticket(
                    number=f"B{c.pk:012d}",
                    kind="complaint",
                    status="new",
                    status_category="open",
                    channel=c.channel,
                    contact=c,
                    team=teams[0],
                    first_contact_agent_id=c.agent_id,
                    created_by_id=c.agent_id,
                    subject="投诉",
                )
                for c in created
                if rng.random() < 0.05
            )
        done = min(offset + batch, args.contacts)
        if done % 50_000 == 0 or done == args.contacts:
            print(f"  {done:>7,} contacts ({time.perf_counter() - started:.0f} s)", flush=True)

    version = Scorecard.objects.get().versions.get()
    lines = list(version.lines.order_by("position"))
    contact_ids = list(
        Contact.objects.order_by("pk").values_list("pk", flat=True)[: args.evaluations + 600]
    )
    now = timezone.now()
    for offset in range(0, args.evaluations, batch):
        samples, evaluations = [], []
        for n in range(offset, min(offset + batch, args.evaluations)):
            agent = users[n % len(users)]
            samples.append(
                Sample(
                    month=PREVIOUS,
                    agent=agent,
                    contact_id=contact_ids[n],
                    channel="hotline",
                    reason="random",
                    inspector=inspectors[n % len(inspectors)],
                    due_on=PREVIOUS + datetime.timedelta(days=20),
                )
            )
        with transaction.atomic():
            Sample.objects.bulk_create(samples)
            # 2 % stay open on the worklists; the rest are scored and closed.
            scored = [s for n, s in enumerate(samples) if n % 50]
            for sample in scored:
                points = {
                    line.pk: (line.max_points if line.is_critical else rng.randint(5, 10))
                    for line in lines
                }
                total = sum(points[line.pk] for line in lines if not line.is_critical)
                evaluations.append(
                    (
                        Evaluation(
                            sample=sample,
                            scorecard_version=version,
                            agent=sample.agent,
                            inspector=sample.inspector,
                            month=PREVIOUS,
                            state="closed",
                            score=total * 2,
                            passed=total * 2 >= 80,
                            submitted_at=now,
                            closed_at=now,
                        ),
                        points,
                    )
                )
            Evaluation.objects.bulk_create([e for e, _p in evaluations])
            scorings = Scoring.objects.bulk_create(
                Scoring(evaluation=e, number=1, score=e.score, scored_by=e.inspector)
                for e, _p in evaluations
            )
            LineScore.objects.bulk_create(
                LineScore(scoring=s, line_id=line_id, points=p)
                for s, (_e, points) in zip(scorings, evaluations, strict=True)
                for line_id, p in points.items()
            )
    # The almost empty inspector and team: for the query counts.
    quiet_team = Team.objects.create(name="新班组", kind="hotline")
    newcomer = User.objects.create(username="newcomer")
    Agent.objects.create(user=newcomer, team=quiet_team, employee_number="N00001")
    quiet_lead = User.objects.create(username="lead-new")
    quiet_lead.groups.add(lead_group)
    quiet_team.lead = quiet_lead
    quiet_team.save()
    Sample.objects.create(
        month=PREVIOUS,
        agent=newcomer,
        contact_id=contact_ids[-1],
        channel="hotline",
        reason="random",
        inspector=quiet_qa,
        due_on=PREVIOUS,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  {args.evaluations:,} evaluations ({time.perf_counter() - started:.0f} s)", flush=True)
    return {
        "inspector": inspectors[0],
        "quiet_inspector": quiet_qa,
        "lead": leads[0],
        "team": teams[0],
        "quiet_lead": quiet_lead,
        "quiet_team": quiet_team,
    }


def page_figures(client, user, url: str, rounds: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    client.get(url)  # warm
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    ordered = sorted(samples)
    return (
        statistics.median(ordered),
        ordered[max(0, round(0.95 * len(ordered)) - 1)],
        len(ctx.captured_queries),
    )


def run(args) -> bool:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from quality import services
    from quality.models import Sample

    call_command("migrate", verbosity=0)
    print("loading …", flush=True)
    people = load(args)
    ok = True

    started = time.perf_counter()
    result = services.sampling_build(MONTH, today=datetime.date(2026, 12, 1))
    sampling_s = time.perf_counter() - started
    started = time.perf_counter()
    again = services.sampling_build(MONTH, today=datetime.date(2026, 12, 1))
    rerun_s = time.perf_counter() - started
    print(
        f"sampling {result.agents} agents over {args.contacts:,} contacts: {sampling_s:.2f} s "
        f"({result.created:,} samples, {len(result.shortfalls)} short); re-run {rerun_s:.2f} s, "
        f"{again.created} added   target ≤ {TARGETS['sampling_s']} s"
    )
    ok &= sampling_s <= TARGETS["sampling_s"] and again.created == 0
    assert Sample.objects.filter(month=MONTH).count() == result.created

    client = Client()
    previous = f"?month={PREVIOUS:%Y-%m}"
    for name, user, quiet, url in (
        ("worklist", people["inspector"], people["quiet_inspector"], "/quality/worklist/"),
        ("team QA page", people["lead"], people["quiet_lead"], f"/quality/team/{previous}"),
    ):
        p50, p95, queries = page_figures(client, user, url, args.rounds)
        _q50, _q95, quiet_queries = page_figures(client, quiet, url, 3)
        print(
            f"{name:<14} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   {queries} queries "
            f"(almost empty: {quiet_queries})   target p95 ≤ {TARGETS['page_p95_ms']} ms"
        )
        ok &= p95 <= TARGETS["page_p95_ms"] and queries == quiet_queries

    started = time.perf_counter()
    checked = services.transcripts_check()
    checks_s = time.perf_counter() - started
    print(
        f"automatic checks over {checked:,} transcripts: {checks_s:.1f} s "
        f"({checked / checks_s:,.0f} a second)   target ≤ {TARGETS['checks_s']} s"
    )
    ok &= checks_s <= TARGETS["checks_s"]
    print("all targets met" if ok else "A TARGET WAS MISSED")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--contacts", type=int, default=300_000)
    parser.add_argument("--evaluations", type=int, default=50_000)
    parser.add_argument("--transcripts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("Set DATABASE_URL=postgres://… (a bench database is made next to it)")
    admin_url, bench_name, bench_url = bench_database_url(url)
    bench_name = bench_name.replace("_kb_bench", "_qa_bench")
    bench_url = bench_url.replace("_kb_bench", "_qa_bench")
    print(f"database {bench_name}: creating and migrating …", flush=True)
    recreate_database(admin_url, bench_name)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc.settings")
    try:
        ok = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, bench_name)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
