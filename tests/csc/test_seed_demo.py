"""`seed_demo`: idempotent, refused outside DEBUG, and every demo login lands on its page."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from csc.lib.phones import normalise_phone
from csc.lib.resident_id import normalise_resident_id
from intake.choices import Channel, CustomerType, PaymentType, Region, VipTier
from intake.models import Contact, Customer, CustomerService
from staffing.models import Agent, Skill, Team, User
from staffing.roles import Role, roles_of
from worktickets.models import Problem, Ticket

pytestmark = pytest.mark.django_db

DEMO_HEADINGS = {
    "agent": "<h1>我的工作台</h1>",
    "lead": "<h1>班组看板 · 热线一班</h1>",
    "handler": "<h1>班组看板 · 投诉处理组</h1>",
    "techsupport": "<h1>班组看板 · 技术支持组</h1>",
    "legal": "<h1>班组看板 · 市场与法律合规组</h1>",
    "qa": "<h1>待质检联络</h1>",
    "manager": "<h1>中心概览</h1>",
    "director": "<h1>中心概览</h1>",
    "admin": "<h1>中心概览</h1>",
}
MODELS = (
    User,
    Team,
    Skill,
    Agent,
    Customer,
    CustomerService,
    Contact,
    Agent.history.model,
    Ticket,
    Problem,
)


@pytest.fixture(autouse=True)
def _an_afternoon():
    # Mid-afternoon, so "today" already has its contacts whenever the suite runs.
    with time_machine.travel(
        datetime.datetime(2026, 3, 10, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    ):
        yield


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    seed()


def test_second_run_changes_nothing(settings):
    settings.DEBUG = True
    seed()
    first = counts()
    passwords = dict(User.objects.values_list("username", "password"))

    output = seed()

    assert counts() == first
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert "0 customers" in output and "0 contacts" in output


def test_a_run_on_a_later_day_adds_only_the_missing_day(settings):
    settings.DEBUG = True
    seed()
    before = counts()
    days_before = set(Contact.objects.dates("queued_at", "day"))

    with time_machine.travel(
        datetime.datetime(2026, 3, 11, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    ):
        seed()

    after = counts()
    new_days = set(Contact.objects.dates("queued_at", "day")) - days_before
    assert new_days == {datetime.date(2026, 3, 11)}
    assert after["Contact"] > before["Contact"]
    assert {k: v for k, v in after.items() if "Contact" not in k} == {
        k: v for k, v in before.items() if "Contact" not in k
    }


def test_refused_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        seed()

    assert not Customer.objects.exists()
    assert not User.objects.filter(username="agent").exists()


def test_force_runs_it_when_debug_is_off(settings):
    settings.DEBUG = False

    seed(force=True)

    assert User.objects.filter(username="agent").exists()


def test_every_demo_login_lands_on_its_page_in_chinese(seeded, client):
    for username, heading in DEMO_HEADINGS.items():
        # Sign-in throttling (django-axes) needs the request that signs in.
        assert client.login(
            request=HttpRequest(), username=username, password=settings.DEMO_PASSWORD
        ), username

        response = client.get("/")

        assert response.status_code == 200, username
        assert heading in response.content.decode(), username
        client.logout()


def test_one_login_per_role_each_with_a_profile_in_a_fitting_team(seeded):
    expected = {
        "agent": (Role.AGENT, Team.Kind.HOTLINE),
        "lead": (Role.TEAM_LEAD, Team.Kind.HOTLINE),
        "handler": (Role.COMPLAINT_HANDLER, Team.Kind.COMPLAINTS),
        "techsupport": (Role.TECH_SUPPORT, Team.Kind.TECH_SUPPORT),
        "legal": (Role.MARKET_LEGAL, Team.Kind.MARKET_LEGAL),
        "qa": (Role.QA_INSPECTOR, Team.Kind.QA),
        "manager": (Role.CS_MANAGER, Team.Kind.MANAGEMENT),
        "director": (Role.CENTRE_DIRECTOR, Team.Kind.MANAGEMENT),
        "admin": (Role.ADMINISTRATOR, Team.Kind.MANAGEMENT),
    }
    for username, (role, team_kind) in expected.items():
        user = User.objects.select_related("agent__team").get(username=username)
        assert roles_of(user)[0] == role, username
        assert user.agent.team.kind == team_kind, username
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.filter(username="agent", is_staff=True).exists()
    assert Team.objects.filter(kind=Team.Kind.HOTLINE).count() == 2
    assert set(Team.objects.values_list("kind", flat=True)) == set(Team.Kind.values)
    assert Agent.objects.count() > 9  # a few more agents than the role logins
    # The demo lead's team assigns new tickets to its agents on shift.
    assert Team.objects.get(lead__username="lead").auto_assign


def test_customers_are_many_varied_and_valid(seeded):
    customers = list(Customer.objects.all())

    assert len(customers) >= 200
    assert {c.customer_type for c in customers} == set(CustomerType.values)
    assert {c.payment_type for c in customers} == set(PaymentType.values)
    assert {c.vip_tier for c in customers} == set(VipTier.values)
    # CA-4: grade service is for postpaid VIPs; the demo makes no prepaid VIP by chance.
    assert not [c for c in customers if c.payment_type == "prepaid" and c.vip_tier != "none"]
    assert {c.region for c in customers} == set(Region.values)
    assert len({c.city for c in customers}) >= 8
    for customer in customers:
        assert normalise_phone(customer.phone) == customer.phone
        if customer.id_number:
            assert normalise_resident_id(customer.id_number) == customer.id_number
    without_services = Customer.objects.annotate(n=Count("services")).filter(n=0)
    assert not without_services.exists()


def test_contacts_cover_every_channel_and_eight_weeks_including_today(seeded):
    today = timezone.localdate()
    days = {
        timezone.localtime(q).date() for q in Contact.objects.values_list("queued_at", flat=True)
    }

    assert set(Contact.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert today in days
    assert min(days) == today - datetime.timedelta(days=55)
    assert Contact.objects.filter(answered_at__isnull=True, ended_at__isnull=False).exists()
    assert Contact.objects.filter(agent__username="agent", queued_at__date=today).exists()
    assert not Contact.objects.filter(queued_at__gt=timezone.now()).exists()


def test_demo_work_fills_the_desk_and_the_complaint_workbench_with_running_clocks(seeded):
    tickets = Ticket.objects.filter(subject__startswith="【演示】")
    kinds = set(tickets.values_list("kind", flat=True))
    assert kinds == {"inquiry", "business", "complaint"}
    assert tickets.filter(assignee__username="agent", status_category="open").exists()
    assert tickets.filter(kind="complaint", team__kind="tech_support").exists()
    assert tickets.filter(kind="complaint", team__kind="market_legal").exists()
    # Clocks started through the services: the desk's deadlines are real.
    assert tickets.filter(kind="inquiry", sla_due_at__isnull=False).exists()
    assert tickets.filter(kind="complaint", sla_due_at__isnull=False).count() == 7
    # The complaint-handling group coordinates an upgraded complaint and an appeal.
    coordinated = tickets.filter(kind="complaint", team__kind="complaints")
    assert set(coordinated.values_list("complaint__tier", flat=True)) == {"upgraded", "appeal"}
    assert not coordinated.filter(complaint__collaborating_team__isnull=True).exists()


def test_demo_inquiries_carry_categories_and_the_ledger_has_problems_over_them(seeded):
    inquiries = Ticket.objects.filter(subject__startswith="【演示】", kind="inquiry")
    assert not inquiries.filter(category__isnull=True).exists()
    top = set(inquiries.values_list("category__parent__code", flat=True))
    assert {"query", "consultation", "system_fault", "feedback", "complex"} <= top
    fault = inquiries.get(subject="【演示】App 查询话费时页面报错")
    assert fault.sla_clocks.get(metric="first_response").target["amount"] == 5

    problems = Problem.objects.filter(title__startswith="【演示】")
    assert set(problems.values_list("status", flat=True)) == {"open", "analysing", "fixed"}
    assert problems.annotate(n=Count("links")).filter(n=0).count() == 0
    assert problems.get(status="analysing").tickets.count() == 2


def test_the_dashboard_and_the_reports_have_eight_weeks_of_finished_work(seeded):
    from csc.models import Report, Wallboard
    from sla.models import Clock

    past = Ticket.objects.filter(subject__startswith="【历史】")
    first = timezone.localtime(past.order_by("created_at").first().created_at).date()
    assert first == timezone.localdate() - datetime.timedelta(days=56)
    assert not past.exclude(status_category="closed").exists()
    clocks = Clock.objects.filter(ticket__in=past)
    late = clocks.filter(lateness__gt=datetime.timedelta()).count()
    assert 0 < late < clocks.count() / 4  # some deadlines missed, most met
    monthly = Report.objects.get(kind="monthly", team__isnull=True)
    rows = next(s["rows"] for s in monthly.sections if s["key"] == "sla_by_metric")
    assert sum(row[1] for row in rows) > 50
    assert Wallboard.objects.filter(revoked_at__isnull=True).exists()
