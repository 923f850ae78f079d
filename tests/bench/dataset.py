"""The benchmark's data set: a centre three years into its life.

1,000,000 tickets (about 30 % complaints with their Complaint rows) over three
years of dates, 200,000 customers, the teams and agents who work them, SLA
clocks for every active ticket and for the tickets closed in the last 60 days
(met, some late), a `created` timeline event and a simple-history row per
ticket. Rows are generated here and streamed with COPY; derived rows (events,
history) are written by PostgreSQL itself with INSERT … SELECT. Secondary
indexes are dropped for the load and built afterwards, foreign-key triggers
are off in the loading session only (the generator keeps every reference
valid), and the tables are analysed at the end.

`ensure()` reuses a database that already holds this data set (the
`bench_dataset` row says what was loaded and when) and reloads it otherwise.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

# Bump when the generated data changes shape: a database loaded by another
# version is reloaded.
VERSION = 3
BENCH_PASSWORD = "csc-bench-password"
API_CLIENT_NAME = "bench-integration"
SHANGHAI = ZoneInfo("Asia/Shanghai")
YEARS = 3
# Tickets closed this recently keep their (met or breached) clocks.
CLOCKS_FOR_CLOSED_DAYS = 60
CHUNK = 20_000

BIG_TABLES = (
    "intake_customer",
    "intake_historicalcustomer",
    "worktickets_ticket",
    "worktickets_historicalticket",
    "worktickets_ticketevent",
    "complaints_complaint",
    "complaints_historicalcomplaint",
    "sla_clock",
    "sla_clockevent",
)

# (name, kind, agents)
TEAMS: tuple[tuple[str, str, int], ...] = (
    *((f"热线{i}班", "hotline", 40) for i in range(1, 7)),
    ("在线客服一组", "online", 30),
    ("在线客服二组", "online", 30),
    ("营业厅东区", "walk_in", 20),
    ("营业厅西区", "walk_in", 20),
    ("投诉处理一组", "complaints", 15),
    ("投诉处理二组", "complaints", 15),
    ("技术支持组", "tech_support", 15),
    ("市场与法律合规组", "market_legal", 10),
    ("质检组", "qa", 5),
    ("客服中心管理组", "management", 3),
)
ROLE_OF_KIND = {
    "hotline": "agent",
    "online": "agent",
    "walk_in": "agent",
    "complaints": "complaint_handler",
    "tech_support": "tech_support",
    "market_legal": "market_legal",
    "qa": "qa_inspector",
    "management": "cs_manager",
}

CHANNELS = (
    ("hotline", 45),
    ("online_chat", 14),
    ("app", 10),
    ("walk_in", 9),
    ("web", 5),
    ("ivr", 4),
    ("sms", 3),
    ("social", 3),
    ("email", 3),
    ("account_manager", 4),
)
FRONT_KIND_OF_CHANNEL = {
    "hotline": "hotline",
    "ivr": "hotline",
    "sms": "hotline",
    "online_chat": "online",
    "app": "online",
    "web": "online",
    "social": "online",
    "email": "online",
    "walk_in": "walk_in",
    "account_manager": "walk_in",
}
KINDS = (("inquiry", 50), ("business", 20), ("complaint", 30))
VIP_TIERS = (("none", 850), ("silver", 80), ("gold", 40), ("diamond", 20), ("supreme", 10))
PRIORITIES = ((1, 10), (2, 70), (3, 15), (4, 5))
CATEGORIES = (
    ("service_fault", 35),
    ("billing", 30),
    ("tech_support", 10),
    ("service_quality", 15),
    ("business_error", 10),
)
HANDLING_KIND_OF_CATEGORY = {
    "service_fault": "tech_support",
    "billing": "market_legal",
    "tech_support": "tech_support",
    "service_quality": "complaints",
    "business_error": "complaints",
}
SEVERITIES = (("normal", 95), ("major", 4), ("critical", 1))
SERVICE_TYPES = ("mobile", "fixed", "broadband")

ACTIVE_STATUSES = {
    "inquiry": (("new", 30), ("in_progress", 55), ("pending_customer", 15)),
    "business": (("accepted", 45), ("reviewed", 25), ("approved", 10), ("pending_customer", 20)),
    "complaint": (
        ("new", 20),
        ("accepted", 20),
        ("investigating", 25),
        ("handling", 20),
        ("feedback_given", 15),
    ),
}
DONE_STATUSES = {
    "inquiry": (("closed", 90), ("resolved", 10)),
    "business": (("closed", 80), ("rejected", 8), ("cancelled", 7), ("delivered", 5)),
    "complaint": (("closed", 85), ("confirmed", 15)),
}
# The statuses a ticket is in only shortly before it closes.
RECENT_ONLY = {"resolved", "delivered", "confirmed"}
CATEGORY = {
    "new": "open",
    "in_progress": "open",
    "accepted": "open",
    "reviewed": "open",
    "investigating": "open",
    "handling": "open",
    "pending_customer": "waiting_customer",
    "feedback_given": "waiting_customer",
    "approved": "waiting_internal",
    "resolved": "resolved",
    "delivered": "resolved",
    "confirmed": "resolved",
    "closed": "closed",
    "rejected": "closed",
    "cancelled": "closed",
}
INITIAL_STATUS = {"inquiry": "new", "business": "accepted", "complaint": "new"}
# Metrics met by the first answer, and by reaching a complaint stage.
FIRST_ANSWER_METRICS = {"first_response", "complaint_acceptance"}
STAGE_DONE = {
    "complaint_investigation": {"handling", "feedback_given"},
    "complaint_feedback": {"feedback_given"},
    "initial_solution": {"in_progress", "pending_customer"},
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩然子涵欣怡梓轩"
CITIES = ("广州", "深圳", "佛山", "东莞", "珠海", "中山", "惠州", "江门", "汕头", "湛江")
SUBJECTS = {
    "inquiry": (
        "咨询流量套餐",
        "查询本月话费",
        "咨询宽带资费",
        "咨询国际漫游",
        "咨询积分兑换",
        "咨询5G套餐升级",
        "查询合约到期时间",
    ),
    "business": (
        "办理套餐变更",
        "办理宽带提速",
        "补办SIM卡",
        "办理停机保号",
        "开通国际漫游",
        "办理过户",
    ),
    "complaint": (
        "宽带频繁掉线",
        "话费扣费异常",
        "手机信号差",
        "营业员态度差",
        "业务办理错误",
        "固话无法拨出",
        "网速达不到签约速率",
    ),
}


def weighted(choices):
    values = [value for value, _weight in choices]
    cumulative = list(accumulate(weight for _value, weight in choices))
    total = cumulative[-1]

    def pick(rng: random.Random):
        return values[bisect_right(cumulative, rng.random() * total)]

    return pick


# ---------------------------------------------------------------- progress


class Progress:
    """A plain progress bar on stderr: `[#####-----]  52%  tickets 520,000 / 1,000,000`."""

    WIDTH = 30

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.started = time.perf_counter()
        self.label = ""
        self.shown = 0.0
        self.tty = stream.isatty()

    def stage(self, label: str) -> None:
        self.label = label
        self.show(force=True)

    def advance(self, units: int, label: str | None = None) -> None:
        self.done = min(self.total, self.done + units)
        if label is not None:
            self.label = label
        self.show()

    def show(self, force: bool = False) -> None:
        now = time.perf_counter()
        # On a terminal the bar redraws in place; in a log, a line every 5 s.
        if not force and now - self.shown < (0.2 if self.tty else 5):
            return
        self.shown = now
        fraction = self.done / self.total if self.total else 1
        filled = int(self.WIDTH * fraction)
        elapsed = now - self.started
        line = (
            f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {fraction:4.0%}  "
            f"{elapsed:5.0f} s  {self.label}"
        )
        self.stream.write(("\r" + line.ljust(100)) if self.tty else line + "\n")
        self.stream.flush()

    def finish(self, label: str) -> None:
        self.done = self.total
        self.label = label
        self.show(force=True)
        if self.tty:
            self.stream.write("\n")


# ---------------------------------------------------------------- COPY helpers


def text_value(value) -> str:
    """One field in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    value = str(value)
    if "\\" in value or "\t" in value or "\n" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return value


class CopyBuffer:
    """Rows for one table, sent with COPY when the buffer is flushed."""

    def __init__(self, table: str, columns: tuple[str, ...]):
        self.table, self.columns = table, columns
        self.lines: list[str] = []

    def add(self, *values) -> None:
        self.lines.append("\t".join(map(text_value, values)))

    def take(self) -> tuple[str, str] | None:
        if not self.lines:
            return None
        data = "\n".join(self.lines) + "\n"
        self.lines = []
        sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        return sql, data


class Copier:
    """Sends COPY batches from a second thread, so PostgreSQL ingests one chunk
    while Python generates the next (two cores, both busy)."""

    def __init__(self, connection):
        self.connection = connection
        self.pending: list[tuple[str, str]] = []
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def _send(self, batches):
        try:
            with self.connection.cursor() as cursor:
                for sql, data in batches:
                    with cursor.copy(sql) as copy:
                        copy.write(data)
        except BaseException as error:  # re-raised in the generating thread
            self.error = error

    def send(self, buffers) -> None:
        batches = [batch for batch in (b.take() for b in buffers) if batch]
        self.wait()
        self.thread = threading.Thread(target=self._send, args=(batches,))
        self.thread.start()

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            raise self.error


# ---------------------------------------------------------------- the data set


@dataclass
class Meta:
    tickets: int
    customers: int
    loaded_at: datetime
    seconds: float
    agent_username: str
    handler_username: str
    agent_team_id: int
    handler_team_id: int
    load_usernames: list[str]

    def as_json(self) -> dict:
        return {
            "tickets": self.tickets,
            "customers": self.customers,
            "loaded_at": self.loaded_at.isoformat(),
            "seconds": round(self.seconds, 1),
            "agent_username": self.agent_username,
            "handler_username": self.handler_username,
            "agent_team_id": self.agent_team_id,
            "handler_team_id": self.handler_team_id,
            "load_usernames": self.load_usernames,
        }

    @classmethod
    def from_json(cls, data: dict) -> Meta:
        return cls(**{**data, "loaded_at": datetime.fromisoformat(data["loaded_at"])})


def read_meta(connection) -> Meta | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_dataset')")
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute("SELECT version, meta FROM bench_dataset")
        row = cursor.fetchone()
    if row is None or row[0] != VERSION:
        return None
    return Meta.from_json(row[1])


def write_meta(connection, meta: Meta) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_dataset (version integer, meta jsonb)")
        cursor.execute(
            "INSERT INTO bench_dataset VALUES (%s, %s)", [VERSION, json.dumps(meta.as_json())]
        )
    connection.commit()


class Generator:
    def __init__(self, *, tickets: int, customers: int, seed: int = 20240601):
        self.n_tickets, self.n_customers = tickets, customers
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.plans: dict = {}

    # ------------------------------------------------------------ people

    def people(self) -> dict:
        """Teams, agents with their roles, and the bench's own logins (through the ORM)."""
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from staffing.models import Agent, Team, User

        rng = self.rng
        password = make_password(BENCH_PASSWORD)
        groups = {group.name: group for group in Group.objects.all()}
        membership = User.groups.through
        teams, members = [], {}
        employee = 0
        for index, (name, kind, size) in enumerate(TEAMS, start=1):
            team = Team.objects.create(name=name, kind=kind)
            users = [
                User(
                    username=f"bench-{index:02d}-{n:03d}",
                    first_name=rng.choice(GIVEN) + rng.choice(GIVEN),
                    last_name=rng.choice(SURNAMES),
                    password=password,
                )
                for n in range(size)
            ]
            users = User.objects.bulk_create(users)
            agents = []
            links = []
            for n, user in enumerate(users):
                employee += 1
                agents.append(Agent(user=user, employee_number=f"B{employee:05d}", team=team))
                roles = {ROLE_OF_KIND[kind]} if n else {"team_lead", ROLE_OF_KIND[kind]}
                links += [membership(user_id=user.pk, group_id=groups[r].pk) for r in roles]
            Agent.objects.bulk_create(agents)
            membership.objects.bulk_create(links, ignore_conflicts=True)
            team.lead = users[0]
            team.save(update_fields=["lead"])
            teams.append(team)
            members[team.pk] = [user.pk for user in users]
        by_kind: dict[str, list[int]] = {}
        for team in teams:
            by_kind.setdefault(team.kind, []).append(team.pk)
        hotline = by_kind["hotline"][0]
        handling = by_kind["complaints"][0]
        return {
            "teams": teams,
            "members": members,
            "by_kind": by_kind,
            "agent_team_id": hotline,
            "handler_team_id": handling,
            # The queue reader is an agent (not the lead) of the first hotline team.
            "agent_username": User.objects.get(pk=members[hotline][1]).username,
            "handler_username": User.objects.get(pk=members[handling][1]).username,
            "load_usernames": list(
                User.objects.filter(pk__in=members[hotline][1:21]).values_list(
                    "username", flat=True
                )
            ),
        }

    # ------------------------------------------------------------ SLA plans

    def plan(self, facts_key: tuple):
        """The (version, target, calendar) list the SLA policies give these facts, cached."""
        plan = self.plans.get(facts_key)
        if plan is None:
            from sla.matching import TicketFacts
            from sla.services import _plan

            facts = TicketFacts(**dict(facts_key))
            plan = self.plans[facts_key] = [
                (version, target, self.calendars[target["calendar_id"]])
                for version, target in _plan(facts)
            ]
        return plan

    # ------------------------------------------------------------ loading

    def created_times(self) -> list[datetime]:
        """Three years of creation times, busier as the centre grows, oldest first."""
        rng = self.rng
        span = YEARS * 365 * 86400
        # Density grows linearly from 1 to 2: inverse of the CDF of that ramp.
        moments = []
        for _ in range(self.n_tickets):
            u = rng.random()
            x = (-1 + (1 + 3 * u) ** 0.5) * 1.0  # in [0, 1]
            moments.append(span * (1 - x))
        moments.sort(reverse=True)
        now = self.now.timestamp()
        return [datetime.fromtimestamp(now - 60 - m, UTC) for m in moments]

    def active_probability(self, age: timedelta) -> float:
        days = age.total_seconds() / 86400
        if days < 3:
            return 0.7
        if days < 14:
            return 0.3
        if days < 60:
            return 0.08
        return 0.012


def drop_secondary_indexes(cursor) -> list[str]:
    """Drop every index but the primary keys of the big tables; return the SQL to rebuild them."""
    rebuild = []
    for table in BIG_TABLES:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                   c.conname, pg_get_constraintdef(c.oid)
            FROM pg_index i
            LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype IN ('u', 'x')
            WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
            """,
            [table],
        )
        for index, indexdef, constraint, constraintdef in cursor.fetchall():
            if constraint:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraintdef}')
            else:
                cursor.execute(f"DROP INDEX {index}")
                rebuild.append(indexdef)
    return rebuild


def load(connection, *, tickets: int, customers: int, progress_stream=sys.stderr) -> Meta:
    """Load the data set into a freshly migrated database (psycopg `connection`)."""
    from django.db import connection as django_connection

    from complaints.models import Subcategory
    from sla.deadlines import base_due, granted_minutes, next_warning_at
    from sla.models import BusinessCalendar
    from worktickets.models import BusinessType, DeliveryLimit

    started = time.perf_counter()
    gen = Generator(tickets=tickets, customers=customers)
    rng = gen.rng
    now = gen.now
    # Work units for the bar: customers, ticket rows, the derived tables, indexes.
    progress = Progress(customers + tickets + tickets // 2 + tickets // 2, progress_stream)
    progress.stage("teams and agents")
    people = gen.people()
    django_connection.close()
    gen.calendars = {c.pk: c for c in BusinessCalendar.objects.all()}
    business_types = list(BusinessType.objects.filter(is_active=True))
    limits: dict[int, list[DeliveryLimit]] = {}
    for limit in DeliveryLimit.objects.all():
        limits.setdefault(limit.business_type_id, []).append(limit)

    def limit_minutes(business_type: BusinessType, channel: str) -> int | None:
        """The delivery limit the order gets (no service type named)."""
        matching = [x for x in limits.get(business_type.pk, []) if x.matches(channel, "")]
        return max(matching, key=lambda x: x.specificity).minutes if matching else None

    subcategories: dict[str, list[int]] = {}
    for sub in Subcategory.objects.filter(is_active=True):
        subcategories.setdefault(sub.category, []).append(sub.pk)
    django_connection.close()

    cursor = connection.cursor()
    cursor.execute("SET synchronous_commit = off")
    cursor.execute("SET maintenance_work_mem = '256MB'")
    # Foreign-key triggers off in this session only: every reference below is generated valid.
    cursor.execute("SET session_replication_role = replica")
    rebuild = drop_secondary_indexes(cursor)
    connection.commit()
    copier = Copier(connection)

    # -------------------------------------------------------- customers
    progress.stage("customers")
    pick_vip = weighted(VIP_TIERS)
    customer_buffer = CopyBuffer(
        "intake_customer",
        (
            "id",
            "name",
            "phone",
            "id_number_encrypted",
            "id_number_index",
            "id_number_masked",
            "customer_type",
            "payment_type",
            "vip_tier",
            "region",
            "city",
            "created_at",
            "updated_at",
        ),
    )
    customer_facts = [None]  # index = customer id: (vip_tier, region, name, phone)
    span = YEARS * 365 * 86400 + 200 * 86400
    for customer_id in range(1, customers + 1):
        vip = pick_vip(rng)
        region = "urban" if rng.random() < 0.8 else "rural"
        name = (
            rng.choice(SURNAMES)
            + rng.choice(GIVEN)
            + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        )
        phone = f"1{'3589'[customer_id % 4]}{customer_id * 7 % 1_000_000_000:09d}"
        registered = now - timedelta(seconds=span * rng.random())
        customer_buffer.add(
            customer_id,
            name,
            phone,
            "",
            "",
            "",
            "enterprise" if rng.random() < 0.05 else "individual",
            "postpaid" if vip != "none" or rng.random() < 0.4 else "prepaid",
            vip,
            region,
            rng.choice(CITIES),
            registered,
            registered,
        )
        customer_facts.append((vip, region, name, phone))
        if customer_id % CHUNK == 0:
            copier.send([customer_buffer])
            progress.advance(CHUNK, f"customers {customer_id:,} / {customers:,}")
    copier.send([customer_buffer])
    copier.wait()
    progress.advance(customers % CHUNK)

    # -------------------------------------------------------- tickets, complaints, clocks
    ticket_buffer = CopyBuffer(
        "worktickets_ticket",
        (
            "id",
            "number",
            "kind",
            "status",
            "status_category",
            "status_before_hold",
            "priority",
            "caller_number",
            "channel",
            "transfer_pending",
            "subject",
            "description",
            "order_details",
            "identity_verified",
            "resolution",
            "rejection_reason",
            "created_at",
            "updated_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "sla_due_at",
            "in_escalation_queue",
            "version",
            "assignee_id",
            "business_type_id",
            "contact_id",
            "created_by_id",
            "customer_id",
            "first_contact_agent_id",
            "team_id",
            "callback_reason",
        ),
    )
    complaint_buffer = CopyBuffer(
        "complaints_complaint",
        (
            "ticket_id",
            "customer_name",
            "contact_phone",
            "contact_email",
            "contact_address",
            "category",
            "severity",
            "tier",
            "regulator_reference",
            "support_level",
            "service_type",
            "service_number",
            "region",
            "area",
            "media_involved",
            "regulator_involved",
            "is_major",
            "major_reasons",
            "recurrence_count",
            "accepted_at",
            "evidence_head",
            "customer_response",
            "subcategory_id",
        ),
    )
    clock_buffer = CopyBuffer(
        "sla_clock",
        (
            "id",
            "ticket_id",
            "metric",
            "policy_version_id",
            "calendar_id",
            "target",
            "target_minutes",
            "started_at",
            "due_at",
            "warn_at",
            "sweep_at",
            "paused_since",
            "paused_total",
            "state",
            "at_risk",
            "at_risk_since",
            "warnings_sent",
            "breached_at",
            "met_at",
            "stopped_at",
            "lateness",
            "calendar_revision",
        ),
    )
    clock_event_buffer = CopyBuffer(
        "sla_clockevent", ("clock_id", "kind", "at", "due_at", "data", "recorded_at")
    )
    buffers = (ticket_buffer, complaint_buffer, clock_buffer, clock_event_buffer)

    pick_channel = weighted(CHANNELS)
    pick_kind = weighted(KINDS)
    pick_priority = weighted(PRIORITIES)
    pick_category = weighted(CATEGORIES)
    pick_severity = weighted(SEVERITIES)
    pick_active = {kind: weighted(choices) for kind, choices in ACTIVE_STATUSES.items()}
    pick_done = {kind: weighted(choices) for kind, choices in DONE_STATUSES.items()}
    pick_done_old = {
        kind: weighted([(s, w) for s, w in choices if s not in RECENT_ONLY])
        for kind, choices in DONE_STATUSES.items()
    }
    members = people["members"]
    by_kind = people["by_kind"]
    frontline = {kind: by_kind[kind] for kind in ("hotline", "online", "walk_in")}
    # Agents who take contacts: everyone in a front-line team but its lead.
    front_agents = {team_id: members[team_id][1:] for ids in frontline.values() for team_id in ids}
    day_counters: dict = {}
    clock_id = 0
    closed_clock_horizon = now - timedelta(days=CLOCKS_FOR_CLOSED_DAYS)
    policy_names: dict[int, tuple[str, int]] = {}
    progress.stage("tickets")
    times = gen.created_times()
    for ticket_id, created in enumerate(times, start=1):
        kind = pick_kind(rng)
        channel = pick_channel(rng)
        front_team = rng.choice(frontline[FRONT_KIND_OF_CHANNEL[channel]])
        taker = rng.choice(front_agents[front_team])
        has_customer = rng.random() < 0.92 or kind == "business"
        customer_id = 1 + int(customers * rng.random() ** 2.2) if has_customer else None
        if customer_id is not None:
            vip, region, customer_name, phone = customer_facts[customer_id]
        else:
            vip, region, customer_name, phone = "none", "urban", "", f"139{ticket_id:08d}"
        priority = pick_priority(rng)
        if vip in ("diamond", "supreme") and priority < 3:
            priority = 3
        age = now - created
        active = rng.random() < gen.active_probability(age)
        recent = age < timedelta(days=7)
        if active:
            status = pick_active[kind](rng)
        else:
            status = (pick_done if recent else pick_done_old)[kind](rng)
        business_type = None
        facts: dict = {"kind": kind, "channel": channel, "priority": priority, "vip_tier": vip}
        complaint = None
        if kind == "business":
            business_type = rng.choice(business_types)
            if status == "approved" and not business_type.requires_approval:
                status = "reviewed"
            facts.update(
                business_type_code=business_type.code,
                delivery_limit_minutes=limit_minutes(business_type, channel),
                region=region,
            )
        team_id = front_team
        if kind == "complaint":
            category = pick_category(rng)
            team_id = rng.choice(by_kind[HANDLING_KIND_OF_CATEGORY[category]])
            severity = pick_severity(rng)
            tier = "appeal" if rng.random() < 0.01 else "complaint"
            service_type = rng.choice(SERVICE_TYPES) if category == "service_fault" else ""
            complaint = (category, severity, tier, service_type)
            facts.update(
                complaint_category=category,
                complaint_tier=tier,
                region=region,
                service_type=service_type,
            )
        category_of_status = CATEGORY[status]
        is_active = category_of_status in ("open", "waiting_customer", "waiting_internal")
        handlers = members[team_id]
        if kind == "complaint":
            assignee = rng.choice(handlers) if status != "new" or rng.random() < 0.3 else None
        elif status == "new" and rng.random() < 0.5:
            assignee = None
        else:
            # Most tickets stay with the agent who took them.
            assignee = taker if rng.random() < 0.8 else rng.choice(handlers[1:] or handlers)
        first_response = None
        if status != "new":
            first_response = created + timedelta(seconds=rng.randint(60, 1800))
        resolved = closed = None
        if not is_active:
            resolved = created + timedelta(seconds=rng.randint(1800, 5 * 86400))
            if resolved > now:
                resolved = now - timedelta(seconds=rng.randint(1, 600))
            if first_response is None or first_response > resolved:
                first_response = resolved
            if category_of_status == "closed":
                closed = min(now, resolved + timedelta(seconds=rng.randint(60, 3 * 86400)))
                if status in ("rejected", "cancelled"):
                    resolved = None
        day = created.astimezone(SHANGHAI).date()
        sequence = day_counters[day] = day_counters.get(day, 0) + 1
        number = f"T{day:%Y%m%d}-{sequence:06d}"

        # Clocks: every active ticket, and the recently finished ones.
        due_times = []
        with_clocks = is_active or (resolved or closed or now) >= closed_clock_horizon
        if with_clocks:
            facts_key = tuple(sorted(facts.items()))
            for version, target, calendar in gen.plan(facts_key):
                metric = target["metric"]
                due, _limbs = base_due(calendar, created, target)
                target_minutes = granted_minutes(calendar, created, due)
                fractions = sorted(target.get("warn_fractions") or [])
                clock_id += 1
                state, met_at, stopped_at, breached_at = "running", None, None, None
                warn_at = sweep_at = paused_since = at_risk_since = None
                warnings_sent = 0
                met_by = None
                if metric in FIRST_ANSWER_METRICS and first_response is not None:
                    met_by = first_response
                elif is_active and status in STAGE_DONE.get(metric, ()):
                    met_by = first_response + timedelta(seconds=rng.randint(600, 7200))
                    met_by = min(met_by, now)
                elif not is_active:
                    met_by = resolved
                if met_by is not None:
                    state, met_at = "met", met_by
                    if met_at > due:
                        breached_at = due
                    warnings_sent = len(fractions)
                elif not is_active:
                    state, stopped_at = "stopped", closed
                elif category_of_status == "waiting_customer" and target.get(
                    "pauses_while_waiting_customer"
                ):
                    state = "paused"
                    paused_since = max(created, now - timedelta(seconds=rng.randint(600, 86400)))
                elif due <= now:
                    state, breached_at = "breached", due
                    warnings_sent = len(fractions)
                    at_risk_since = due
                    due_times.append(due)
                else:
                    while warnings_sent < len(fractions):
                        moment = next_warning_at(
                            calendar, due, target_minutes, fractions, warnings_sent
                        )
                        if moment is None or moment > now:
                            break
                        at_risk_since = at_risk_since or moment
                        warnings_sent += 1
                    warn_at = next_warning_at(
                        calendar, due, target_minutes, fractions, warnings_sent
                    )
                    sweep_at = min(m for m in (due, warn_at) if m is not None)
                    due_times.append(due)
                if version.pk not in policy_names:
                    policy_names[version.pk] = (version.policy.name, version.number)
                name, number_of_version = policy_names[version.pk]
                clock_buffer.add(
                    clock_id,
                    ticket_id,
                    metric,
                    version.pk,
                    calendar.pk,
                    target,
                    target_minutes,
                    created,
                    due,
                    warn_at,
                    sweep_at,
                    paused_since,
                    "0",
                    state,
                    at_risk_since is not None and state != "met",
                    at_risk_since,
                    warnings_sent,
                    breached_at,
                    met_at,
                    stopped_at,
                    (met_at - due) if met_at else None,
                    calendar.revision,
                )
                clock_event_buffer.add(
                    clock_id,
                    "started",
                    created,
                    due,
                    {"policy": name, "version": number_of_version},
                    created,
                )
                if breached_at is not None:
                    clock_event_buffer.add(clock_id, "breached", breached_at, due, {}, breached_at)
                if met_at is not None:
                    late = int((met_at - due).total_seconds())
                    clock_event_buffer.add(
                        clock_id, "met", met_at, due, {"lateness_seconds": late}, met_at
                    )
                elif paused_since is not None:
                    clock_event_buffer.add(clock_id, "paused", paused_since, due, {}, paused_since)
                elif stopped_at is not None:
                    clock_event_buffer.add(
                        clock_id, "stopped", stopped_at, due, {"reason": "closed"}, stopped_at
                    )
        subject = rng.choice(SUBJECTS[kind])
        updated = closed or resolved or first_response or created
        ticket_buffer.add(
            ticket_id,
            number,
            kind,
            status,
            category_of_status,
            ("in_progress" if kind == "inquiry" else "accepted")
            if status == "pending_customer"
            else "",
            priority,
            phone,
            channel,
            False,
            subject,
            f"{subject}。客户来电反映，已记录详情。",
            {},
            kind == "business" and status != "accepted",
            "已答复客户。" if resolved else "",
            "不符合办理条件。" if status in ("rejected", "cancelled") else "",
            created,
            updated,
            first_response,
            resolved,
            closed,
            min(due_times) if due_times else None,
            False,
            1 + (status != INITIAL_STATUS[kind]) + (closed is not None),
            assignee,
            business_type.pk if business_type else None,
            None,
            taker,
            customer_id,
            taker,
            team_id,
            "",
        )
        if complaint is not None:
            category, severity, tier, service_type = complaint
            subs = subcategories.get(category) or [None]
            major = severity != "normal"
            complaint_buffer.add(
                ticket_id,
                customer_name or "匿名客户",
                phone,
                "",
                "",
                category,
                severity,
                tier,
                f"GX{ticket_id:08d}" if tier == "appeal" else "",
                1,
                service_type,
                phone if service_type else "",
                region,
                "",
                False,
                tier == "appeal",
                major,
                ["severity"] if major else [],
                0,
                first_response if status != "new" else None,
                "0" * 64,
                "",
                rng.choice(subs) if rng.random() < 0.7 else None,
            )
        if ticket_id % CHUNK == 0:
            copier.send(buffers)
            progress.advance(CHUNK, f"tickets {ticket_id:,} / {tickets:,}")
    copier.send(buffers)
    copier.wait()
    progress.advance(tickets % CHUNK)

    with connection.cursor() as cursor:
        days = "".join(f"{day}\t{last}\n" for day, last in day_counters.items())
        with cursor.copy("COPY worktickets_ticketdaysequence (day, last) FROM STDIN") as copy:
            copy.write(days)
    connection.commit()

    # -------------------------------------------------------- derived rows, server side
    derived = (
        (
            "timeline events",
            """INSERT INTO worktickets_ticketevent
                (ticket_id, kind, at, from_status, to_status, body, is_customer_facing, data,
                 actor_id)
            SELECT id, 'created', created_at, '',
                   CASE kind WHEN 'business' THEN 'accepted' ELSE 'new' END,
                   description, false, '{}', created_by_id
            FROM worktickets_ticket WHERE id BETWEEN %s AND %s""",
        ),
        (
            "ticket history",
            """INSERT INTO worktickets_historicalticket
                (id, number, kind, status, status_category, status_before_hold, priority,
                 caller_number, channel, transfer_pending, subject, description, order_details,
                 identity_verified, resolution, rejection_reason, created_at, first_response_at,
                 resolved_at, closed_at, in_escalation_queue, version, history_date,
                 history_change_reason, history_type, assignee_id, business_type_id, contact_id,
                 created_by_id, customer_id, first_contact_agent_id, history_user_id, team_id,
                 callback_reason)
            SELECT id, number, kind, status, status_category, status_before_hold, priority,
                   caller_number, channel, transfer_pending, subject, description, order_details,
                   identity_verified, resolution, rejection_reason, created_at, first_response_at,
                   resolved_at, closed_at, in_escalation_queue, version, created_at,
                   NULL, '+', assignee_id, business_type_id, contact_id,
                   created_by_id, customer_id, first_contact_agent_id, created_by_id, team_id,
                   callback_reason
            FROM worktickets_ticket WHERE id BETWEEN %s AND %s""",
        ),
        (
            "complaint history",
            """INSERT INTO complaints_historicalcomplaint
                (ticket_id, customer_name, contact_phone, contact_email, contact_address,
                 category, severity, tier, regulator_reference, support_level, service_type,
                 service_number, region, area, media_involved, regulator_involved, is_major,
                 major_reasons, recurrence_count, accepted_at, customer_response, subcategory_id,
                 history_date, history_change_reason, history_type, history_user_id)
            SELECT c.ticket_id, c.customer_name, c.contact_phone, c.contact_email,
                   c.contact_address, c.category, c.severity, c.tier, c.regulator_reference,
                   c.support_level, c.service_type, c.service_number, c.region, c.area,
                   c.media_involved, c.regulator_involved, c.is_major, c.major_reasons,
                   c.recurrence_count, c.accepted_at, c.customer_response, c.subcategory_id,
                   t.created_at, NULL, '+', t.created_by_id
            FROM complaints_complaint c JOIN worktickets_ticket t ON t.id = c.ticket_id
            WHERE c.ticket_id BETWEEN %s AND %s""",
        ),
    )
    step = 100_000
    for label, sql in derived:
        for low in range(1, tickets + 1, step):
            high = min(tickets, low + step - 1)
            with connection.cursor() as cursor:
                cursor.execute(sql, [low, high])
            connection.commit()
            progress.advance((high - low + 1) // 6, f"{label} {high:,} / {tickets:,}")
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO intake_historicalcustomer
                (id, name, phone, id_number_encrypted, id_number_index, id_number_masked,
                 customer_type, payment_type, vip_tier, region, city,
                 created_at, updated_at, history_date, history_change_reason, history_type)
            SELECT id, name, phone, id_number_encrypted, id_number_index, id_number_masked,
                   customer_type, payment_type, vip_tier, region,
                   city, created_at, updated_at, created_at, NULL, '+'
            FROM intake_customer"""
        )
    connection.commit()

    # -------------------------------------------------------- indexes, sequences, statistics
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for n, sql in enumerate(rebuild, start=1):
            progress.advance(tickets // 2 // max(len(rebuild), 1), f"indexes {n} / {len(rebuild)}")
            cursor.execute(sql)
            connection.commit()
        for table, column in (
            ("intake_customer", "id"),
            ("intake_historicalcustomer", "history_id"),
            ("worktickets_ticket", "id"),
            ("worktickets_historicalticket", "history_id"),
            ("worktickets_ticketevent", "id"),
            ("complaints_historicalcomplaint", "history_id"),
            ("sla_clock", "id"),
            ("sla_clockevent", "id"),
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f"(SELECT coalesce(max({column}), 1) FROM {table}))",
                [table, column],
            )
        connection.commit()
        progress.stage("analyse")
        connection.autocommit = True
        cursor.execute("VACUUM (ANALYZE)")
        connection.autocommit = False
    seconds = time.perf_counter() - started
    progress.finish(f"loaded {tickets:,} tickets in {seconds:.0f} s")
    meta = Meta(
        tickets=tickets,
        customers=customers,
        loaded_at=now,
        seconds=seconds,
        agent_username=people["agent_username"],
        handler_username=people["handler_username"],
        agent_team_id=people["agent_team_id"],
        handler_team_id=people["handler_team_id"],
        load_usernames=people["load_usernames"],
    )
    write_meta(connection, meta)
    return meta


def ensure(
    url: str, *, tickets: int, customers: int, reload: bool = False, max_age_hours: float = 24
) -> tuple[Meta, bool]:
    """The loaded data set at `url`, loading it first when it is missing, stale or
    of another size; returns (meta, loaded now?). Django must be set up on `url`."""
    import psycopg
    from django.core.management import call_command
    from django.db import connections

    meta = None
    if not reload:
        try:
            connection = psycopg.connect(url)
        except psycopg.OperationalError:
            connection = None
        if connection is not None:
            meta = read_meta(connection)
            connection.close()
    reason = ""
    if reload:
        reason = "--reload"
    elif meta is None:
        reason = "no bench data set in the database"
    elif (meta.tickets, meta.customers) != (tickets, customers):
        reason = f"it holds {meta.tickets:,} tickets, {tickets:,} asked for"
    elif datetime.now(UTC) - meta.loaded_at > timedelta(hours=max_age_hours):
        # Deadlines are relative to the load: after a day most running clocks are overdue.
        reason = f"loaded more than {max_age_hours:.0f} h ago, its deadlines have passed"
    if not reason:
        # Migrations added since the load (other work moves on) apply to the loaded data.
        call_command("migrate", verbosity=0)
        return meta, False
    print(f"loading the data set ({reason}) …", file=sys.stderr, flush=True)
    connections.close_all()
    recreate_database(url)
    call_command("migrate", verbosity=0)
    connections.close_all()
    connection = psycopg.connect(url)
    try:
        meta = load(connection, tickets=tickets, customers=customers)
    finally:
        connection.close()
    return meta, True


def recreate_database(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
