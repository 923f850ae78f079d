"""The problem ledger (问题台账, DOMAIN.md W-6): a problem raised from a ticket, more
tickets counted against it, open → analysing → fixed → verified, a review date, and
a record of every change."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed, StaleVersion
from csc.lib.reference import forget_reference_data
from staffing.models import Notification
from tests.factories import (
    AgentFactory,
    TeamFactory,
    UserFactory,
    make_api_client,
    make_ticket,
)
from worktickets import services
from worktickets.choices import PROBLEM_TRANSITIONS, EventKind, ProblemStatus
from worktickets.models import InquiryCategory, Problem, ProblemEvent

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
IN_A_MONTH = datetime.timedelta(days=30)


@pytest.fixture
def tech_user(db):
    user = UserFactory(username="tech1", roles=["tech_support"])
    AgentFactory(user=user, team=TeamFactory(name="Tech", kind="tech_support"))
    return user


def raise_problem(by, owner, ticket=None, **fields) -> Problem:
    fields.setdefault("title", "APP 话费查询页面频繁报错")
    return services.problem_raise(
        raised_by=by,
        owner=owner,
        review_date=timezone.localdate() + IN_A_MONTH,
        ticket=ticket,
        **fields,
    )


def advance(problem, by, to_status, note=""):
    problem.refresh_from_db()
    return services.problem_advance(
        problem, by=by, version=problem.version, to_status=to_status, note=note
    )


# --- services -----------------------------------------------------------------------------


def test_a_problem_raised_from_a_ticket_counts_it_and_tells_its_owner(agent_user, tech_user):
    fault = InquiryCategory.objects.get(code="system_fault_app")
    ticket = make_ticket(created_by=agent_user, category=fault)

    problem = raise_problem(agent_user, tech_user, ticket, description="三天内二十多位客户反映")

    assert problem.status == ProblemStatus.OPEN
    assert problem.number == f"PRB-{problem.pk:05d}"
    assert problem.category == fault  # from the ticket
    assert list(problem.tickets.all()) == [ticket]
    assert list(problem.events.values_list("kind", flat=True)) == ["raised", "ticket_linked"]
    line = ticket.events.get(kind=EventKind.PROBLEM_LINKED)
    assert line.actor == agent_user and problem.number in line.body
    assert Notification.objects.filter(recipient=tech_user, kind="problem.owned").exists()
    assert problem.history.count() == 1


def test_a_review_date_in_the_past_is_refused(agent_user, tech_user):
    with pytest.raises(DomainError) as refused:
        services.problem_raise(
            title="x",
            owner=tech_user,
            raised_by=agent_user,
            review_date=timezone.localdate() - datetime.timedelta(days=1),
        )

    assert "review_date" in refused.value.details
    assert not Problem.objects.exists()


def test_the_same_fault_is_tracked_once_with_each_ticket_counted_once(agent_user, tech_user):
    first, second = make_ticket(created_by=agent_user), make_ticket(created_by=agent_user)
    problem = raise_problem(agent_user, tech_user, first)

    services.problem_link_ticket(problem, second, by=agent_user)
    with pytest.raises(DomainError) as again:
        services.problem_link_ticket(problem, second, by=agent_user)

    assert again.value.code == "already_linked"
    assert set(problem.tickets.all()) == {first, second}
    assert problem.events.filter(kind="ticket_linked").count() == 2


def test_the_life_cycle_follows_the_transitions_table(agent_user, tech_user):
    problem = raise_problem(agent_user, tech_user)

    with pytest.raises(IllegalTransition):
        advance(problem, tech_user, ProblemStatus.FIXED, note="已修复")
    advance(problem, tech_user, ProblemStatus.ANALYSING)
    with pytest.raises(DomainError) as no_fix:
        advance(problem, tech_user, ProblemStatus.FIXED)
    assert "note" in no_fix.value.details
    advance(problem, tech_user, ProblemStatus.FIXED, note="扩容查询服务节点")
    with pytest.raises(DomainError):
        advance(problem, tech_user, ProblemStatus.ANALYSING)  # says why, or nothing moves
    advance(problem, tech_user, ProblemStatus.ANALYSING, note="高峰期仍报错")
    advance(problem, tech_user, ProblemStatus.FIXED, note="修复连接池泄漏")
    problem = advance(problem, tech_user, ProblemStatus.VERIFIED, note="一周无复发")

    assert problem.status == ProblemStatus.VERIFIED
    assert problem.resolution == "修复连接池泄漏"
    assert problem.fixed_at is not None and problem.verified_at is not None
    moves = list(
        problem.events.filter(kind="status_changed").values_list("from_status", "to_status")
    )
    assert moves == [
        ("open", "analysing"),
        ("analysing", "fixed"),
        ("fixed", "analysing"),
        ("analysing", "fixed"),
        ("fixed", "verified"),
    ]
    with pytest.raises(IllegalTransition):
        advance(problem, tech_user, ProblemStatus.ANALYSING, note="又出现了")
    with pytest.raises(IllegalTransition):
        services.problem_link_ticket(problem, make_ticket(created_by=agent_user), by=agent_user)


def test_every_status_is_in_the_table_and_verified_is_the_end():
    assert set(PROBLEM_TRANSITIONS) == set(ProblemStatus.values)
    assert PROBLEM_TRANSITIONS[ProblemStatus.VERIFIED] == frozenset()
    for targets in PROBLEM_TRANSITIONS.values():
        assert targets <= set(ProblemStatus.values)


def test_only_the_owner_or_a_ledger_keeper_moves_a_problem(agent_user, tech_user, hotline_team):
    other_agent = UserFactory(username="agent2", roles=["agent"])
    AgentFactory(user=other_agent, team=hotline_team)
    owned_by_agent = raise_problem(tech_user, agent_user)
    owned_by_tech = raise_problem(agent_user, tech_user)

    with pytest.raises(NotAllowed):
        advance(owned_by_tech, other_agent, ProblemStatus.ANALYSING)
    advance(owned_by_agent, agent_user, ProblemStatus.ANALYSING)  # their own
    advance(owned_by_tech, tech_user, ProblemStatus.ANALYSING)

    assert owned_by_tech.events.filter(kind="status_changed").count() == 1


def test_a_stale_version_is_refused(agent_user, tech_user):
    problem = raise_problem(agent_user, tech_user)
    advance(problem, tech_user, ProblemStatus.ANALYSING)

    with pytest.raises(StaleVersion):
        services.problem_advance(
            problem, by=tech_user, version=1, to_status=ProblemStatus.FIXED, note="x"
        )


def test_an_edit_records_before_and_after_and_tells_a_new_owner(agent_user, tech_user, lead_user):
    problem = raise_problem(agent_user, tech_user)

    services.problem_update(
        problem,
        by=tech_user,
        version=problem.version,
        owner=lead_user,
        root_cause="查询服务连接池耗尽",
        category=InquiryCategory.objects.get(code="system_fault"),
    )

    event = problem.events.get(kind="updated")
    assert event.data["owner"] == {"from": tech_user.display_name, "to": lead_user.display_name}
    assert event.data["category"] == {"from": "", "to": "system_fault"}
    assert Notification.objects.filter(recipient=lead_user, kind="problem.owned").exists()
    assert problem.history.count() == 2


# --- pages --------------------------------------------------------------------------------


def test_an_agent_raises_a_problem_from_the_ticket_page(client, agent_user, tech_user):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(agent_user)
    page = client.get(reverse("worktickets:ticket_detail", args=[ticket.pk])).content.decode()
    panel_url = reverse("worktickets:ticket_problems", args=[ticket.pk])
    assert f'hx-get="{panel_url}"' in page

    response = client.post(
        reverse("worktickets:ticket_problem_raise", args=[ticket.pk]),
        {
            "title": "宽带夜间频繁掉线",
            "owner": tech_user.pk,
            "review_date": (timezone.localdate() + IN_A_MONTH).isoformat(),
        },
        **HX,
    )

    assert response.status_code == 200
    problem = Problem.objects.get()
    assert problem.number in response.content.decode()
    assert list(problem.tickets.all()) == [ticket]


def test_a_second_ticket_is_counted_against_the_open_problem(client, agent_user, tech_user):
    problem = raise_problem(agent_user, tech_user, make_ticket(created_by=agent_user))
    ticket = make_ticket(created_by=agent_user)
    client.force_login(agent_user)

    panel = client.get(reverse("worktickets:ticket_problems", args=[ticket.pk]), **HX)
    assert problem.title in panel.content.decode()  # offered
    response = client.post(
        reverse("worktickets:ticket_problem_link", args=[ticket.pk]), {"problem": problem.pk}, **HX
    )

    assert response.status_code == 200
    assert problem.tickets.count() == 2


def test_a_bad_raise_keeps_the_form_with_its_message(client, agent_user, tech_user):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(agent_user)

    response = client.post(
        reverse("worktickets:ticket_problem_raise", args=[ticket.pk]),
        {"title": "", "owner": tech_user.pk, "review_date": "2001-01-01"},
        **HX,
    )

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Problem.objects.exists()


def test_qa_reads_the_ledger_and_raises_nothing(client, qa_user, agent_user, tech_user):
    ticket = make_ticket(created_by=agent_user)
    problem = raise_problem(agent_user, tech_user, ticket)
    client.force_login(qa_user)

    panel = client.get(reverse("worktickets:ticket_problems", args=[ticket.pk]), **HX)
    page = client.get(reverse("worktickets:problem_detail", args=[problem.pk]))
    raised = client.post(
        reverse("worktickets:ticket_problem_raise", args=[ticket.pk]),
        {"title": "x", "owner": tech_user.pk, "review_date": "2099-01-01"},
    )
    moved = client.post(
        reverse("worktickets:problem_advance", args=[problem.pk]),
        {"version": problem.version, "to_status": "analysing"},
    )

    assert panel.status_code == page.status_code == 200
    assert "<form" not in panel.content.decode()
    assert raised.status_code == 403
    assert moved.status_code == 403
    assert Problem.objects.get().status == ProblemStatus.OPEN


def test_the_owner_moves_the_problem_on_its_page(client, agent_user, tech_user):
    problem = raise_problem(agent_user, tech_user)
    client.force_login(tech_user)
    url = reverse("worktickets:problem_advance", args=[problem.pk])

    moved = client.post(url, {"version": 1, "to_status": "analysing"})
    illegal = client.post(url, {"version": 2, "to_status": "verified"})
    stale = client.post(url, {"version": 1, "to_status": "fixed", "note": "x"})

    assert moved.status_code == 302
    assert illegal.status_code == stale.status_code == 409
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ANALYSING


def test_the_problem_page_withholds_tickets_the_viewer_may_not_open(
    client, agent_user, outsider_user, tech_user
):
    theirs = make_ticket(created_by=outsider_user, subject="对方班组的工单")
    problem = raise_problem(outsider_user, tech_user, theirs)
    mine = make_ticket(created_by=agent_user, subject="我的工单")
    services.problem_link_ticket(problem, mine, by=agent_user)
    client.force_login(agent_user)

    html = client.get(reverse("worktickets:problem_detail", args=[problem.pk])).content.decode()

    assert theirs.number in html and "对方班组的工单" not in html
    assert reverse("worktickets:ticket_detail", args=[theirs.pk]) not in html
    assert "我的工单" in html


def test_the_ledger_lists_filters_and_costs_the_same_for_more_problems(
    client, agent_user, tech_user
):
    client.force_login(agent_user)
    url = reverse("worktickets:problem_list")

    def grow(n):
        for _ in range(n):
            raise_problem(agent_user, tech_user, make_ticket(created_by=agent_user))

    def queries(params=None) -> int:
        # Kept copies age out after a minute: load them afresh, then measure.
        forget_reference_data()
        client.get(url, params or {})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params or {}).status_code == 200
        return len(captured)

    grow(3)
    few = queries(), queries({"status": "open", "review": "due"})
    grow(12)
    many = queries(), queries({"status": "open", "review": "due"})
    assert many == few

    Problem.objects.filter(pk=Problem.objects.first().pk).update(review_date=timezone.localdate())
    due = client.get(url, {"review": "due"}).content.decode()
    assert due.count('class="wt-number"') == 1


# --- API ----------------------------------------------------------------------------------


def test_the_api_reads_the_ledger_with_the_problems_scope(agent_user, tech_user):
    problem = raise_problem(agent_user, tech_user, make_ticket(created_by=agent_user))
    _, key = make_api_client("bi", ["problems:read"])
    _, tickets_only = make_api_client("cti", ["tickets:read"])
    api, other = APIClient(), APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    other.credentials(HTTP_AUTHORIZATION=f"Token {tickets_only}")

    listed = api.get("/api/v1/problems/?status=open").json()["results"]
    detail = api.get(f"/api/v1/problems/{problem.pk}/").json()

    assert [row["number"] for row in listed] == [problem.number]
    assert listed[0]["ticket_count"] == 1
    assert detail["tickets"][0]["number"] == problem.tickets.get().number
    assert "subject" not in detail["tickets"][0]
    assert other.get("/api/v1/problems/").status_code == 403
    assert api.post("/api/v1/problems/", {}).status_code == 403  # no write scope exists
    assert ProblemEvent.objects.count() == 2
