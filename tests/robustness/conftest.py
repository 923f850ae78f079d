"""A small centre for the robustness tests: every handling group, one person per
role, a few customers with contacts, tickets and complaints, so that fuzzed ids
and the access matrix hit real rows."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from sla.models import Clock
from staffing.api_auth import ALL_SCOPES
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerFactory,
    TeamFactory,
    UserFactory,
    business_type,
    make_api_client,
    make_complaint,
    make_ticket,
)
from worktickets.services import problem_raise

# Fuzzing sends hundreds of requests a minute; the throttle is not under test there.
UNTHROTTLED = "1000000/min"


@dataclass
class World:
    teams: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    customers: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    tickets: list = field(default_factory=list)
    complaints: list = field(default_factory=list)
    clocks: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def _member(role: str, team, username: str):
    user = UserFactory(username=username, roles=[role])
    AgentFactory(user=user, team=team)
    return user


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db) -> World:
    w = World()
    w.teams = {
        "hotline": TeamFactory(name="Hotline A", kind="hotline"),
        "other": TeamFactory(name="Hotline B", kind="hotline"),
        "tech": TeamFactory(name="技术支持组", kind="tech_support"),
        "legal": TeamFactory(name="市场与法律合规组", kind="market_legal"),
        "complaints": TeamFactory(name="客户服务组", kind="complaints"),
        "management": TeamFactory(name="Management", kind="management"),
        "qa": TeamFactory(name="QA", kind="qa"),
    }
    t = w.teams
    w.people = {
        "agent": _member("agent", t["hotline"], "agent1"),
        "team_lead": _member("team_lead", t["hotline"], "lead1"),
        "complaint_handler": _member("complaint_handler", t["complaints"], "handler1"),
        "tech_support": _member("tech_support", t["tech"], "tech1"),
        "market_legal": _member("market_legal", t["legal"], "legal1"),
        "qa_inspector": _member("qa_inspector", t["qa"], "qa1"),
        "cs_manager": _member("cs_manager", t["management"], "manager1"),
        "centre_director": _member("centre_director", t["management"], "director1"),
        "outsider": _member("agent", t["other"], "outsider1"),
    }
    t["hotline"].lead = w.people["team_lead"]
    t["hotline"].save()
    agent = w.people["agent"]
    w.customers = [CustomerFactory(payment_type="postpaid") for _ in range(3)]
    # May book a VIP appointment (P-9: gold and above, grade service).
    w.gold_customer = CustomerFactory(payment_type="postpaid", vip_tier="gold")
    w.contacts = [ContactFactory(customer=c, agent=agent) for c in w.customers]
    w.tickets = [make_ticket(created_by=agent, customer=c) for c in w.customers]
    w.tickets.append(
        make_ticket(
            created_by=agent,
            kind="business",
            customer=w.customers[0],
            business_type=business_type("product_order_change"),
        )
    )
    w.complaints = [
        make_complaint(recorded_by=agent, customer=c, category=category)
        for c, category in zip(
            w.customers, ["billing", "tech_support", "service_quality"], strict=True
        )
    ]
    w.clocks = list(Clock.objects.order_by("pk").values_list("pk", flat=True))
    # Raised by an agent and owned by someone outside the roles under test: keeping it
    # takes the ledger keepers' permission.
    w.problems = [
        problem_raise(
            title="APP 话费查询报错",
            owner=w.people["outsider"],
            review_date=timezone.localdate() + datetime.timedelta(days=30),
            raised_by=agent,
            ticket=w.tickets[0],
        )
    ]
    return w


@pytest.fixture
def full_token(db) -> str:
    """The key of an integration holding every scope."""
    _, key = make_api_client("fuzz", list(ALL_SCOPES), rate=UNTHROTTLED)
    return key
