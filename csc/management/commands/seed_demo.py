"""Demo data: teams, one login per role, customers, eight weeks of contacts, demo tickets
and complaints, a starter knowledge base (knowledge/demo.py), and past tickets, a
wallboard and reports for the dashboard and the reports pages (csc/demo.py).

Idempotent: everything is keyed by a natural key (team name, username, skill
code, customer phone, service number, a contact's `demo-<day>-<n>` external
ID), so a second run finds it all and creates nothing. Days already seeded
are left alone; a run on a later day adds only the days that are missing.
Generated values come from fixed random seeds, so every run wants the same data.
"""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from care.demo import seed_care
from csc.demo import seed_dashboard, seed_history
from csc.lib.resident_id import check_code
from intake.choices import Channel, CustomerType, Disposition, PaymentType, Region, VipTier
from intake.models import Contact, Customer, CustomerService
from intake.services import customer_register, customer_service_add
from knowledge.demo import seed_knowledge
from quality.demo import seed_quality
from staffing.demo import seed_staffing
from staffing.models import Agent, Skill, Team, User
from staffing.roles import Role
from staffing.services import agent_create, team_create

CUSTOMER_COUNT = 240
HISTORY_DAYS = 56  # eight weeks, so the reports and charts have a shape
CONTACT_PREFIX = "demo-"

TEAMS: tuple[tuple[str, str], ...] = (
    ("热线一班", Team.Kind.HOTLINE),
    ("热线二班", Team.Kind.HOTLINE),
    ("在线客服组", Team.Kind.ONLINE),
    ("营业厅", Team.Kind.WALK_IN),
    ("投诉处理组", Team.Kind.COMPLAINTS),
    ("技术支持组", Team.Kind.TECH_SUPPORT),
    ("市场与法律合规组", Team.Kind.MARKET_LEGAL),
    ("质检组", Team.Kind.QA),
    ("客服中心管理组", Team.Kind.MANAGEMENT),
)

SKILLS: tuple[tuple[str, str], ...] = (
    ("hotline", "热线接听"),
    ("online-chat", "在线客服"),
    ("walk-in", "营业厅受理"),
    ("vip", "VIP 服务"),
    ("broadband", "宽带业务"),
    ("billing", "资费与账单"),
    ("complaints", "投诉处理"),
    ("tech", "技术支持"),
    ("data-card", "无线上网卡"),
    ("english", "英语服务"),
)


@dataclass(frozen=True)
class DemoPerson:
    username: str
    last_name: str
    first_name: str
    team: str
    roles: tuple[str, ...]
    skills: tuple[str, ...]
    status: str = Agent.Status.OFFLINE
    leads: bool = False


A = Agent.Status
PEOPLE: tuple[DemoPerson, ...] = (
    # One login per role (README, Makefile), then the rest of the floor.
    DemoPerson(
        "agent", "张", "伟", "热线一班", (Role.AGENT,), ("hotline", "broadband"), A.AVAILABLE
    ),
    DemoPerson(
        "lead", "李", "娜", "热线一班", (Role.TEAM_LEAD,), ("hotline", "vip"), A.AVAILABLE, True
    ),
    DemoPerson(
        "handler", "王", "芳", "投诉处理组", (Role.COMPLAINT_HANDLER,), ("complaints",), A.AVAILABLE
    ),
    DemoPerson(
        "techsupport", "刘", "洋", "技术支持组", (Role.TECH_SUPPORT,), ("tech", "data-card")
    ),
    DemoPerson("legal", "陈", "静", "市场与法律合规组", (Role.MARKET_LEGAL,), ("billing",)),
    DemoPerson("qa", "杨", "磊", "质检组", (Role.QA_INSPECTOR,), ("hotline", "online-chat")),
    DemoPerson("manager", "赵", "敏", "客服中心管理组", (Role.CS_MANAGER,), ("complaints", "vip")),
    DemoPerson(
        "director", "黄", "强", "客服中心管理组", (Role.CENTRE_DIRECTOR,), (), A.OFFLINE, True
    ),
    DemoPerson("admin", "周", "杰", "客服中心管理组", (), ()),
    DemoPerson("agent02", "吴", "秀英", "热线一班", (Role.AGENT,), ("hotline", "billing"), A.BUSY),
    DemoPerson(
        "agent03", "徐", "磊", "热线一班", (Role.AGENT,), ("hotline",), A.AFTER_CONTACT_WORK
    ),
    DemoPerson("agent04", "孙", "丽", "热线一班", (Role.AGENT,), ("hotline", "english"), A.BREAK),
    DemoPerson(
        "lead2", "马", "超", "热线二班", (Role.TEAM_LEAD,), ("hotline", "vip"), A.AVAILABLE, True
    ),
    DemoPerson("agent05", "朱", "婷", "热线二班", (Role.AGENT,), ("hotline", "vip"), A.BUSY),
    DemoPerson(
        "agent06", "胡", "军", "热线二班", (Role.AGENT,), ("hotline", "broadband"), A.AVAILABLE
    ),
    DemoPerson("agent07", "郭", "敏", "热线二班", (Role.AGENT,), ("hotline",), A.OFFLINE),
    DemoPerson("agent08", "何", "佳", "在线客服组", (Role.AGENT,), ("online-chat",), A.AVAILABLE),
    DemoPerson(
        "agent09", "高", "鹏", "在线客服组", (Role.AGENT,), ("online-chat", "english"), A.BUSY
    ),
    DemoPerson(
        "agent10", "林", "霞", "在线客服组", (Role.AGENT,), ("online-chat", "billing"), A.BREAK
    ),
    DemoPerson("agent11", "罗", "刚", "营业厅", (Role.AGENT,), ("walk-in", "vip"), A.AVAILABLE),
    DemoPerson("agent12", "郑", "玉兰", "营业厅", (Role.AGENT,), ("walk-in", "data-card"), A.BUSY),
    DemoPerson("agent13", "梁", "晨", "营业厅", (Role.AGENT,), ("walk-in", "broadband"), A.OFFLINE),
    DemoPerson(
        "handler2", "宋", "涛", "投诉处理组", (Role.COMPLAINT_HANDLER,), ("complaints",), A.BUSY
    ),
    DemoPerson(
        "techsupport2", "谢", "斌", "技术支持组", (Role.TECH_SUPPORT,), ("tech", "broadband")
    ),
)

# City, region, resident-ID region code, fixed-line area code.
CITIES: tuple[tuple[str, str, str, str], ...] = (
    ("北京", Region.URBAN, "110105", "010"),
    ("上海", Region.URBAN, "310115", "021"),
    ("广州", Region.URBAN, "440106", "020"),
    ("深圳", Region.URBAN, "440305", "0755"),
    ("杭州", Region.URBAN, "330106", "0571"),
    ("成都", Region.URBAN, "510107", "028"),
    ("武汉", Region.URBAN, "420106", "027"),
    ("南京", Region.URBAN, "320102", "025"),
    ("唐县", Region.RURAL, "130627", "0312"),
    ("岳池县", Region.RURAL, "511621", "0826"),
    ("桐庐县", Region.RURAL, "330122", "0571"),
    ("宁乡市", Region.RURAL, "430182", "0731"),
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAMES = (
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "红",
    "建国",
    "志强",
    "海燕",
    "晓东",
    "雪梅",
    "国庆",
    "春花",
    "子涵",
    "浩然",
    "欣怡",
    "宇轩",
    "梓萱",
    "一鸣",
    "思远",
    "佳琪",
    "俊杰",
    "雨桐",
)
COMPANY_WORDS = (
    "华信",
    "恒通",
    "博远",
    "瑞丰",
    "宏达",
    "金桥",
    "新鸿",
    "天成",
    "盛世",
    "鼎力",
    "安泰",
    "汇丰",
    "远景",
    "星辰",
    "长青",
    "佳和",
)
COMPANY_KINDS = (
    "科技",
    "物流",
    "贸易",
    "建设",
    "餐饮",
    "医药",
    "教育",
    "文化",
    "制造",
    "商贸",
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "175",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
MOBILE_PLANS = {
    PaymentType.PREPAID: ("畅享套餐 39 元", "大王卡 19 元", "5G 畅享 59 元"),
    PaymentType.POSTPAID: ("冰激凌套餐 129 元", "5G 畅爽冰激凌 199 元", "全家享 169 元"),
}
BROADBAND_PLANS = ("光宽带 300M", "千兆宽带 1000M", "融合宽带 500M")
FIXED_PLANS = ("固话标准资费", "商务固话包 50 元")

# (weight, summary) per kind of request, as agents write them.
SUMMARIES: tuple[str, ...] = (
    "查询本月话费及余额",
    "咨询 5G 套餐变更",
    "流量超出咨询，推荐流量包",
    "宽带无法上网报障，已远程重启光猫",
    "办理套餐变更，次月生效",
    "投诉扣费异常，已提交核实",
    "补换 SIM 卡咨询，引导至营业厅",
    "积分兑换查询",
    "开通国际漫游",
    "查询宽带到期时间并续约",
    "无线上网卡无法识别，指导重装驱动",
    "家庭融合套餐加装副卡",
    "停机保号办理",
    "发票打印与寄送",
    "信号差投诉，转技术支持核查基站",
    "VIP 客户预约营业厅办理",
)

CHANNEL_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Channel.HOTLINE, 50),
    (Channel.IVR, 8),
    (Channel.ONLINE_CHAT, 14),
    (Channel.APP, 6),
    (Channel.WEB, 4),
    (Channel.SMS, 2),
    (Channel.SOCIAL, 3),
    (Channel.WALK_IN, 9),
    (Channel.ACCOUNT_MANAGER, 2),
    (Channel.EMAIL, 2),
)
# Which team's agents answer each channel; IVR is self-service.
CHANNEL_TEAMS = {
    Channel.HOTLINE: ("热线一班", "热线二班"),
    Channel.ONLINE_CHAT: ("在线客服组",),
    Channel.APP: ("在线客服组",),
    Channel.WEB: ("在线客服组",),
    Channel.SMS: ("在线客服组",),
    Channel.SOCIAL: ("在线客服组",),
    Channel.EMAIL: ("在线客服组",),
    Channel.WALK_IN: ("营业厅",),
    Channel.ACCOUNT_MANAGER: ("营业厅",),
}
DISPOSITIONS: tuple[tuple[str, int], ...] = (
    (Disposition.RESOLVED, 62),
    (Disposition.TICKET_OPENED, 16),
    (Disposition.TRANSFERRED, 8),
    (Disposition.CALLBACK, 8),
    (Disposition.OTHER, 6),
)


@dataclass(frozen=True)
class DemoService:
    service_type: str
    number: str
    plan: str


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    phone: str
    id_number: str
    customer_type: str
    payment_type: str
    vip_tier: str
    region: str
    city: str
    services: tuple[DemoService, ...]


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def demo_customers() -> list[DemoCustomer]:
    """The same customers every time: valid mobile and fixed numbers, valid resident IDs."""
    rng = random.Random(20_260_101)
    phones: set[str] = set()
    ids: set[str] = set()
    numbers: set[str] = set()

    def unique(make, taken: set[str]) -> str:
        while True:
            value = make()
            if value not in taken:
                taken.add(value)
                return value

    def mobile() -> str:
        return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"

    def fixed(area_code: str) -> str:
        length = 8 if len(area_code) == 3 else 7
        return (
            area_code
            + str(rng.randint(2, 8))
            + f"{rng.randrange(10 ** (length - 1)):0{length - 1}d}"
        )

    def resident_id(region_code: str) -> str:
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 55))
        first17 = f"{region_code}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        return first17 + check_code(first17)

    customers = []
    for _index in range(CUSTOMER_COUNT):
        city, region, region_code, area_code = rng.choice(CITIES)
        customer_type = _pick(
            rng,
            (
                (CustomerType.INDIVIDUAL, 70),
                (CustomerType.FAMILY, 18),
                (CustomerType.ENTERPRISE, 12),
            ),
        )
        payment_type = _pick(rng, ((PaymentType.PREPAID, 45), (PaymentType.POSTPAID, 55)))
        vip_tier = _pick(
            rng,
            (
                (VipTier.NONE, 62),
                (VipTier.SILVER, 15),
                (VipTier.GOLD, 11),
                (VipTier.DIAMOND, 8),
                (VipTier.SUPREME, 4),
            ),
        )
        services: list[DemoService] = []
        if customer_type == CustomerType.ENTERPRISE:
            name = f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)}有限公司"
            phone = unique(lambda area_code=area_code: fixed(area_code), phones)
            id_number = ""
            payment_type = PaymentType.POSTPAID
            services.append(DemoService("fixed", phone, rng.choice(FIXED_PLANS)))
        else:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
            phone = unique(mobile, phones)
            id_number = unique(lambda region_code=region_code: resident_id(region_code), ids)
            services.append(DemoService("mobile", phone, rng.choice(MOBILE_PLANS[payment_type])))
        if payment_type != PaymentType.POSTPAID:
            # Grade service is for postpaid VIPs only (CA-4): no prepaid VIP by chance.
            vip_tier = VipTier.NONE
        if customer_type != CustomerType.INDIVIDUAL or rng.random() < 0.35:
            account = unique(
                lambda area_code=area_code: f"KD{area_code}{rng.randrange(10**8):08d}", numbers
            )
            services.append(DemoService("broadband", account, rng.choice(BROADBAND_PLANS)))
        if customer_type == CustomerType.FAMILY:
            extra = unique(mobile, phones)
            services.append(DemoService("mobile", extra, "全家享副卡"))
            if rng.random() < 0.5:
                line = unique(lambda area_code=area_code: fixed(area_code), phones)
                services.append(DemoService("fixed", line, rng.choice(FIXED_PLANS)))
        customers.append(
            DemoCustomer(
                name=name,
                phone=phone,
                id_number=id_number,
                customer_type=customer_type,
                payment_type=payment_type,
                vip_tier=vip_tier,
                region=region,
                city=city,
                services=tuple(services),
            )
        )
    return customers


class Command(BaseCommand):
    help = (
        "Load demo data: teams, one login per role, customers, contacts, work and a "
        "starter knowledge base (idempotent)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo logins share a published password).",
        )

    def handle(self, *args, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins with a published password; it runs only with "
                "DEBUG on. Use --force to load demo data anyway."
            )
        created = {
            "teams": 0,
            "people": 0,
            "customers": 0,
            "services": 0,
            "contacts": 0,
            "tickets": 0,
            "complaints": 0,
            "articles": 0,
            "problems": 0,
        }
        with transaction.atomic():
            skills = self._skills()
            teams = self._teams(created)
            users = self._people(teams, skills, created)
            customers = self._customers(users["admin"], created)
        # One transaction per day keeps a large first run from holding one long write lock.
        self._contacts(teams, customers, created)
        with transaction.atomic():
            self._work(users, teams, customers, created)
        with transaction.atomic():
            created["articles"] = seed_knowledge(users)
        created["past tickets"] = seed_history(
            users, teams["热线一班"], [customers[phone] for phone in sorted(customers)]
        )
        with transaction.atomic():
            created["survey answers"] = seed_care(users)
        with transaction.atomic():
            created["rostered shifts"] = seed_staffing(users)
        with transaction.atomic():
            created["evaluations"] = seed_quality(users)
        # Last: the reports it generates show the care, staffing and quality figures too.
        with transaction.atomic():
            created.update(seed_dashboard(users, teams["热线一班"]))
        self.stdout.write(
            "seed_demo: created "
            + ", ".join(f"{count} {what}" for what, count in created.items())
            + f". Demo logins use the password {settings.DEMO_PASSWORD}."
        )

    def _work(self, users, teams, customers, created) -> None:
        _demo_work(self, users, teams, customers, created)

    def _skills(self) -> dict[str, Skill]:
        skills = {}
        for code, name in SKILLS:
            skills[code], _created = Skill.objects.get_or_create(code=code, defaults={"name": name})
        return skills

    def _teams(self, created: dict) -> dict[str, Team]:
        teams = {team.name: team for team in Team.objects.filter(name__in=[n for n, _k in TEAMS])}
        for name, kind in TEAMS:
            if name not in teams:
                teams[name] = team_create(name, kind)
                created["teams"] += 1
        return teams

    def _people(self, teams: dict[str, Team], skills: dict[str, Skill], created: dict) -> dict:
        users = {
            u.username: u for u in User.objects.filter(username__in=[p.username for p in PEOPLE])
        }
        with_profile = set(
            Agent.objects.filter(user__username__in=[p.username for p in PEOPLE]).values_list(
                "user__username", flat=True
            )
        )
        # Hash once: every demo login shares the password, and hashing is slow on purpose.
        password_hash = make_password(settings.DEMO_PASSWORD)
        for number, person in enumerate(PEOPLE, start=1):
            if person.username in with_profile:
                continue
            if person.username in users:
                # A user left without a profile (e.g. made by createsuperuser): give it one.
                Agent.objects.create(
                    user=users[person.username],
                    employee_number=f"CSC{number:04d}",
                    team=teams[person.team],
                    status=person.status,
                )
                continue
            agent = agent_create(
                username=person.username,
                employee_number=f"CSC{number:04d}",
                team=teams[person.team],
                roles=person.roles,
                first_name=person.first_name,
                last_name=person.last_name,
                email=f"{person.username}@csc.example.cn",
                skills=[skills[code] for code in person.skills],
                status=person.status,
            )
            user = agent.user
            user.password = password_hash
            if person.username == "admin":
                user.is_staff = user.is_superuser = True
            user.save(update_fields=["password", "is_staff", "is_superuser"])
            users[person.username] = user
            created["people"] += 1
        for person in PEOPLE:
            team = teams[person.team]
            if person.leads and team.lead_id is None:
                team.lead = users[person.username]
                team.save(update_fields=["lead"])
        return users

    def _customers(self, registered_by: User, created: dict) -> dict[str, Customer]:
        wanted = demo_customers()
        existing = {
            c.phone: c for c in Customer.objects.filter(phone__in=[w.phone for w in wanted])
        }
        numbers = set(
            CustomerService.objects.filter(
                number__in=[s.number for w in wanted for s in w.services]
            ).values_list("service_type", "number")
        )
        today = timezone.localdate()
        for index, demo in enumerate(wanted):
            customer = existing.get(demo.phone)
            if customer is None:
                customer = customer_register(
                    name=demo.name,
                    phone=demo.phone,
                    id_number=demo.id_number,
                    customer_type=demo.customer_type,
                    payment_type=demo.payment_type,
                    vip_tier=demo.vip_tier,
                    region=demo.region,
                    city=demo.city,
                    registered_by=registered_by,
                )
                existing[demo.phone] = customer
                created["customers"] += 1
            for offset, service in enumerate(demo.services):
                if (service.service_type, service.number) in numbers:
                    continue
                customer_service_add(
                    customer=customer,
                    service_type=service.service_type,
                    number=service.number,
                    plan=service.plan,
                    activated_on=today - datetime.timedelta(days=30 + (index * 37 + offset) % 2000),
                    added_by=registered_by,
                )
                created["services"] += 1
        return existing

    def _contacts(self, teams: dict[str, Team], customers: dict[str, Customer], created: dict):
        by_team: dict[str, list[User]] = {}
        for agent in Agent.objects.filter(team__in=teams.values()).select_related("user", "team"):
            by_team.setdefault(agent.team.name, []).append(agent.user)
        demo_agent = User.objects.get(username="agent")
        phones = sorted(customers)
        now = timezone.localtime()
        for days_ago in range(HISTORY_DAYS - 1, -1, -1):
            day = now.date() - datetime.timedelta(days=days_ago)
            prefix = f"{CONTACT_PREFIX}{day:%Y%m%d}-"
            if Contact.objects.filter(external_id__startswith=prefix).exists():
                continue
            with transaction.atomic():
                created["contacts"] += self._contacts_of_day(
                    day, prefix, now, by_team, demo_agent, [customers[p] for p in phones]
                )

    def _contacts_of_day(self, day, prefix, now, by_team, demo_agent, customers) -> int:
        rng = random.Random(f"csc-demo-{day.isoformat()}")
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(7, 30)))
        end = start.replace(hour=22, minute=0)
        if day == now.date():
            # Today only up to now; before opening time, the night's first calls.
            end = min(end, now - datetime.timedelta(minutes=1))
            if end <= start:
                start = start.replace(hour=0, minute=0)
            if end <= start:
                return 0  # the day is a minute old: nothing has happened yet
        span = (end - start).total_seconds()
        count = rng.randint(40, 60) if day.weekday() >= 5 else rng.randint(60, 85)
        if day == now.date():
            count = max(12, round(count * min(span / (14.5 * 3600), 1)))
        contacts = []
        for n in range(count):
            channel = _pick(rng, CHANNEL_WEIGHTS)
            queued_at = start + datetime.timedelta(seconds=rng.uniform(0, span))
            customer = rng.choice(customers) if rng.random() < 0.9 else None
            caller = (
                customer.phone
                if customer
                else rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            )
            fields = self._contact_timing(rng, channel, queued_at, customer)
            agent = None
            if fields["answered_at"] is not None and channel in CHANNEL_TEAMS:
                team_name = rng.choice(CHANNEL_TEAMS[channel])
                agent = rng.choice(by_team.get(team_name) or [None])
                # The demo agent's desk should show today's work.
                if day == now.date() and channel == Channel.HOTLINE and n % 4 == 0:
                    agent = demo_agent
            if fields["answered_at"] is not None and fields["answered_at"] > now:
                # Still waiting in the queue as the demo is loaded.
                fields.update(answered_at=None, ended_at=None, disposition="")
                agent = None
            elif fields["ended_at"] is not None and fields["ended_at"] > now:
                fields["ended_at"] = None
            contact = Contact(
                channel=channel,
                customer=customer,
                caller_number=caller
                if channel not in (Channel.EMAIL, Channel.WEB) or customer
                else "",
                agent=agent,
                summary=rng.choice(SUMMARIES) if fields["answered_at"] else "",
                external_id=f"{prefix}{n:03d}",
                **fields,
            )
            contact._history_user = agent
            contacts.append(contact)
        # Hundreds of rows a day: one insert (plus its history) instead of one per contact.
        bulk_create_with_history(contacts, Contact, default_change_reason="demo data")
        return len(contacts)

    def _contact_timing(self, rng, channel, queued_at, customer) -> dict:
        """Wait, handling time and outcome; VIP callers wait less (their target is higher)."""
        vip = customer is not None and customer.is_vip
        if channel == Channel.IVR:
            # Self-service: "answered" by the IVR at once, no agent.
            ended = queued_at + datetime.timedelta(seconds=rng.uniform(30, 180))
            return {
                "queued_at": queued_at,
                "answered_at": queued_at,
                "ended_at": ended,
                "disposition": Disposition.RESOLVED,
            }
        abandon_rate = 0.03 if channel == Channel.WALK_IN else (0.05 if vip else 0.09)
        if rng.random() < abandon_rate:
            # Half hang up within seconds (left out of the service level), half give up later.
            waited = rng.uniform(1, 4.9) if rng.random() < 0.5 else rng.uniform(20, 120)
            return {
                "queued_at": queued_at,
                "answered_at": None,
                "ended_at": queued_at + datetime.timedelta(seconds=waited),
                "disposition": Disposition.ABANDONED,
            }
        if channel == Channel.WALK_IN:
            wait = rng.uniform(60, 5 * 60 if vip else 14 * 60)
            handling = rng.uniform(4 * 60, 10 * 60)
        elif channel == Channel.HOTLINE:
            wait = rng.expovariate(1 / (8 if vip else 16))
            handling = rng.uniform(90, 9 * 60)
        else:
            wait = rng.uniform(5, 4 * 60)
            handling = rng.uniform(3 * 60, 15 * 60)
        answered = queued_at + datetime.timedelta(seconds=wait)
        return {
            "queued_at": queued_at,
            "answered_at": answered,
            "ended_at": answered + datetime.timedelta(seconds=handling),
            "disposition": _pick(rng, DISPOSITIONS),
        }


# Demo work for the desk, the complaint workbench and the SLA clocks: opened
# through the services (so clocks start and timelines fill) the first time
# seed_demo runs; later runs leave it alone.
DEMO_MARK = "【演示】"

DEMO_INQUIRIES = (
    # subject, assigned to, actions, inquiry category (DOMAIN.md W-1 to W-10)
    ("查询本月流量剩余", "agent", ("accept",), "query_package_usage"),
    ("国际漫游资费咨询", "agent", ("accept", "reply"), "consultation_basic"),
    ("宽带提速套餐介绍", "agent", ("accept", "hold"), "consultation_network"),
    ("积分兑换规则咨询", None, (), "consultation_promotions"),
    ("App 登录不上", "agent02", ("accept", "reply", "resolve"), "system_fault_app"),
    ("话费账单看不懂", "agent03", ("accept", "reply", "resolve", "close"), "query_tariff"),
    ("App 查询话费时页面报错", "agent", (), "system_fault_app"),
    ("营业厅排队太久，建议增加窗口", "agent", ("accept",), "feedback_efficiency"),
    ("企业专线叠加云主机的组网方案", None, (), "complex_cross_team"),
)
# The problem ledger (问题台账, W-6): title, owner, status reached, days to review,
# the demo inquiries counted against it, what keeps happening.
DEMO_PROBLEMS = (
    (
        "App 话费查询页面高峰期报错",
        "techsupport",
        "analysing",
        7,
        ("App 登录不上", "App 查询话费时页面报错"),
        "晚高峰 19:00–22:00 手机营业厅查询话费时提示“系统繁忙”，客户转打热线。",
    ),
    (
        "营业厅周末排队时间超过 15 分钟",
        "lead",
        "open",
        30,
        ("营业厅排队太久，建议增加窗口",),
        "周末下午取号排队普遍超过 15 分钟等候时限 (S-1)。",
    ),
    (
        "账单中“套餐外流量费”说明不清",
        "manager",
        "fixed",
        14,
        ("话费账单看不懂",),
        "客户看不懂账单中的套餐外流量计费项，反复来电咨询。",
    ),
)
DEMO_ORDERS = (
    # business type, channel, payment type, subject, actions
    ("sim_replacement", "walk_in", "prepaid", "手机丢失补卡", ("review",)),
    ("ownership_transfer", "walk_in", "postpaid", "号码过户给家人", ("review",)),
    ("product_order_change", "hotline", "postpaid", "套餐改为 5G 畅享 129", ()),
    ("international_roaming", "account_manager", "postpaid", "出国前开通国际漫游", ("review",)),
)
DEMO_COMPLAINTS = (
    # category, channel, severity, service type, content
    ("billing", "hotline", "normal", "mobile", "上月账单多扣了 30 元套餐外流量费"),
    ("service_fault", "hotline", "normal", "broadband", "家里宽带三天两头掉线，报修后无人上门"),
    ("service_fault", "online_chat", "major", "mobile", "小区手机信号中断一整天，影响工作"),
    ("service_quality", "walk_in", "normal", "mobile", "营业厅工作人员态度冷淡"),
    ("tech_support", "app", "normal", "broadband", "光猫设置后无法连接电视盒子"),
)


def _demo_work(command, users, teams, customers, created) -> None:
    from complaints.services import ComplaintIntake, complaint_record
    from worktickets import services as ticket_services
    from worktickets.models import BusinessType, InquiryCategory, Ticket

    _demo_problems(users, created)
    if Ticket.objects.filter(subject__startswith=DEMO_MARK).exists():
        return
    agent, lead = users["agent"], users["lead"]
    pool = sorted(customers.values(), key=lambda c: c.phone)
    by_payment = {
        payment: [c for c in pool if c.payment_type == payment]
        for payment in ("prepaid", "postpaid")
    }
    categories = {c.code: c for c in InquiryCategory.objects.select_related("parent")}
    for index, (subject, holder, actions, category) in enumerate(DEMO_INQUIRIES):
        ticket = ticket_services.ticket_create(
            kind="inquiry",
            channel="hotline",
            subject=DEMO_MARK + subject,
            description=subject,
            customer=pool[index],
            created_by=agent,
            team=teams["热线一班"],
            category=categories[category],
            to_team_queue=True,  # taken (or left) by the holder below
        ).ticket
        worker = users[holder] if holder else None
        for action in actions:
            if action == "accept":
                ticket = ticket_services.ticket_accept(ticket, by=worker, version=ticket.version)
            elif action == "reply":
                ticket = ticket_services.ticket_reply(
                    ticket, by=worker, version=ticket.version, body="您好，已为您查询，请稍候。"
                )
            elif action == "hold":
                ticket = ticket_services.ticket_hold(
                    ticket, by=worker, version=ticket.version, reason="等待客户重启光猫后回电"
                )
            elif action == "resolve":
                ticket = ticket_services.ticket_resolve(
                    ticket, by=worker, version=ticket.version, resolution="已向客户说明并解决"
                )
            elif action == "close":
                ticket = ticket_services.ticket_close(ticket, by=worker, version=ticket.version)
        created["tickets"] += 1
    for index, (code, channel, payment, subject, actions) in enumerate(DEMO_ORDERS):
        ticket = ticket_services.ticket_create(
            kind="business",
            channel=channel,
            subject=DEMO_MARK + subject,
            customer=by_payment[payment][index],
            business_type=BusinessType.objects.get(code=code),
            created_by=agent,
            assignee=agent,
            team=teams["热线一班"],
        ).ticket
        if "review" in actions:
            ticket_services.business_review(
                ticket, by=agent, version=ticket.version, identity_verified=True
            )
        created["tickets"] += 1
    for index, (category, channel, severity, service_type, content) in enumerate(DEMO_COMPLAINTS):
        customer = pool[-(index + 1)]
        intake = ComplaintIntake(
            channel=channel,
            category=category,
            severity=severity,
            customer=customer,
            subject=DEMO_MARK + content[:40],
            content=content,
            contact_phone=customer.phone,
            service_type=service_type,
            region=customer.region,
            area=customer.city or "市区",
            agent_concerned=users["agent02"] if category == "service_quality" else None,
            promised_repair_at=(
                timezone.now() + datetime.timedelta(hours=24)
                if category == "service_fault"
                else None
            ),
        )
        complaint_record(intake, recorded_by=agent if index % 2 == 0 else lead)
        created["complaints"] += 1
    _demo_coordinated(users, pool, created)
    _demo_problems(users, created)


def _demo_coordinated(users, pool, created) -> None:
    """An upgraded complaint and an appeal: the complaint-handling group's work, with
    market & legal and tech support collaborating (DOMAIN.md C-10 to C-12)."""
    from complaints.services import ComplaintIntake, complaint_escalate, complaint_record

    customer, appellant = pool[-(len(DEMO_COMPLAINTS) + 1)], pool[-(len(DEMO_COMPLAINTS) + 2)]
    content = "国际漫游费用与营业厅告知不符，上次投诉的答复不认可"
    first = complaint_record(
        ComplaintIntake(
            channel="hotline",
            category="billing",
            customer=customer,
            subject=DEMO_MARK + content[:40],
            content=content,
            contact_phone=customer.phone,
            service_type="mobile",
            region=customer.region,
        ),
        recorded_by=users["agent"],
    ).complaint
    complaint_escalate(
        first,
        by=users["legal"],
        version=first.ticket.version,
        mode="upgrade",
        reason="客户不认可答复，要求升级处理",
    )
    content = "宽带故障两周未修复，已向通信管理局申诉"
    complaint_record(
        ComplaintIntake(
            channel="web",
            category="service_fault",
            tier="appeal",
            regulator_reference="GXB-2026-0815",
            customer=appellant,
            subject=DEMO_MARK + content[:40],
            content=content,
            contact_phone=appellant.phone,
            service_type="broadband",
            region=appellant.region,
            promised_repair_at=timezone.now() + datetime.timedelta(hours=24),
        ),
        recorded_by=users["agent"],
    )
    created["complaints"] += 3


def _demo_problems(users, created) -> None:
    """The problem ledger, once, over the demo inquiries there are (a database seeded
    before the ledger existed gets it on its next run)."""
    from worktickets import services as ticket_services
    from worktickets.models import Problem, Ticket

    if Problem.objects.filter(title__startswith=DEMO_MARK).exists():
        return
    tickets = {
        t.subject.removeprefix(DEMO_MARK): t
        for t in Ticket.objects.filter(subject__startswith=DEMO_MARK, kind="inquiry")
    }
    if not tickets:
        return  # the demo inquiries come first
    today = timezone.localdate()
    steps = {
        "open": [],
        "analysing": [("analysing", "")],
        "fixed": [("analysing", ""), ("fixed", "账单模板增加套餐外流量计费说明，并更新答复口径。")],
    }
    for title, owner, status, days, subjects, description in DEMO_PROBLEMS:
        linked = [tickets[s] for s in subjects if s in tickets]
        problem = ticket_services.problem_raise(
            title=DEMO_MARK + title,
            description=description,
            owner=users[owner],
            review_date=today + datetime.timedelta(days=days),
            raised_by=users["agent"],
            ticket=linked[0] if linked else None,
        )
        for ticket in linked[1:]:
            problem = ticket_services.problem_link_ticket(problem, ticket, by=users["agent"])
        for to_status, note in steps[status]:
            problem = ticket_services.problem_advance(
                problem, by=users[owner], version=problem.version, to_status=to_status, note=note
            )
        created["problems"] += 1
