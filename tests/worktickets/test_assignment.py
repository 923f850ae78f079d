"""Auto-assignment to agents on shift (DOMAIN.md I-12, I-13, I-16): shift, skills, the
VIP seat, load and cap, the team's switch, the creator's rule first, the lead told,
the timeline line, the sweeper, complaints, and eight creators at once."""

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from complaints import services as complaint_services
from complaints.choices import Category
from sla.choices import StatusCategory
from sla.models import Clock, ClockEvent
from staffing.models import (
    Agent,
    LeaveRequest,
    Notification,
    Roster,
    RosterEntry,
    ShiftPattern,
    ShiftTemplate,
    Skill,
)
from tests.factories import (
    AgentFactory,
    CustomerFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
    business_type,
    make_ticket,
)
from worktickets import assignment
from worktickets import services as ticket_services
from worktickets.choices import EventKind
from worktickets.models import ACTIVE_CATEGORY_VALUES, InquiryCategory, Ticket

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
NOW = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=TZ)  # a Wednesday, in the day shift


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def lead(db):
    return UserFactory(username="lead-a", roles=["team_lead"])


@pytest.fixture
def team(hotline_team, lead):
    hotline_team.auto_assign = True
    hotline_team.assignment_cap = 3
    hotline_team.lead = lead
    hotline_team.save()
    return hotline_team


@pytest.fixture
def integration(db):
    """A caller without a team of its own: what it opens is nobody's."""
    return UserFactory(username="api-cti")


def agent(team, name: str, *, status=Agent.Status.AVAILABLE, **fields) -> Agent:
    return AgentFactory(
        team=team, user=UserFactory(username=name, roles=["agent"]), status=status, **fields
    )


def rostered(member: Agent, *, published=True, start=None, end=None) -> RosterEntry:
    """A shift around NOW on the team's June roster (published), or on a draft one."""
    roster, _ = Roster.objects.get_or_create(
        team=member.team,
        # A second roster for the same month is not allowed: the draft is July's.
        month=datetime.date(2026, 6 if published else 7, 1),
        defaults={
            "pattern": ShiftPattern.objects.get(code="A"),
            "status": Roster.Status.PUBLISHED if published else Roster.Status.DRAFT,
        },
    )
    template = ShiftTemplate.objects.get(pattern__code="A", code="day")
    return RosterEntry.objects.create(
        roster=roster,
        agent=member,
        day=NOW.date(),
        template=template,
        starts_at=start or NOW - datetime.timedelta(hours=2),
        ends_at=end or NOW + datetime.timedelta(hours=7),
    )


def on_shift(team, name: str, **fields) -> Agent:
    member = agent(team, name, **fields)
    rostered(member)
    return member


def open_for(member: Agent, count: int, *, due_in=datetime.timedelta(days=1)) -> None:
    for _ in range(count):
        TicketFactory(team=member.team, assignee=member.user, sla_due_at=NOW + due_in)


def opened(integration, team, **fields) -> Ticket:
    return make_ticket(created_by=integration, team=team, **fields)


# ---------------------------------------------------------------- who is on shift


def test_a_new_ticket_goes_to_the_agent_on_shift_never_to_one_off_shift(now, team, integration):
    worker = on_shift(team, "worker")
    agent(team, "not-rostered")
    rostered(agent(team, "draft-only"), published=False)
    rostered(agent(team, "signed-out", status=Agent.Status.OFFLINE))
    rostered(
        agent(team, "gone-home"),
        start=NOW - datetime.timedelta(hours=9),
        end=NOW - datetime.timedelta(minutes=1),
    )
    on_leave = on_shift(team, "on-leave")
    open_for(worker, 2)  # the others hold nothing: only shift keeps them out
    LeaveRequest.objects.create(
        agent=on_leave,
        kind=LeaveRequest.Kind.ORDINARY,
        starts_at=NOW - datetime.timedelta(hours=1),
        ends_at=NOW + datetime.timedelta(hours=3),
        reason="家事",
        status=LeaveRequest.Status.APPROVED,
        requested_by=on_leave.user,
    )

    ticket = opened(integration, team)

    assert ticket.assignee == worker.user


def test_an_agent_from_another_team_is_never_chosen(now, team, other_team, integration):
    other_team.auto_assign = True
    other_team.save()
    on_shift(other_team, "elsewhere")

    ticket = opened(integration, team)

    assert ticket.assignee is None


# ---------------------------------------------------------------- load and cap


def test_the_lightest_load_wins_with_tickets_due_soon_weighing_double(now, team, integration):
    due_soon, due_later = on_shift(team, "due-soon"), on_shift(team, "due-later")
    open_for(due_soon, 1, due_in=datetime.timedelta(minutes=30))  # load 2
    open_for(due_later, 1)  # load 1

    assert opened(integration, team).assignee == due_later.user
    # Now both weigh 2; the one with fewer open tickets takes the next.
    assert opened(integration, team).assignee == due_soon.user


def test_nobody_gets_more_open_tickets_than_the_teams_cap(now, team, integration):
    full, room = on_shift(team, "full"), on_shift(team, "room")
    open_for(full, 3)  # at the cap of 3
    open_for(room, 2, due_in=datetime.timedelta(minutes=10))  # heavier, but has room

    assert opened(integration, team).assignee == room.user
    assert opened(integration, team).assignee is None


# ---------------------------------------------------------------- skills


def test_a_customer_entitled_to_grade_service_goes_to_a_vip_seat(now, team, integration):
    ordinary = on_shift(team, "ordinary")
    seat = on_shift(team, "vip-seat", job_type=Agent.JobType.VIP_SEAT)
    open_for(seat, 2)
    vip = CustomerFactory(payment_type="postpaid", vip_tier="gold")
    prepaid_vip = CustomerFactory(payment_type="prepaid", vip_tier="gold")

    assert opened(integration, team, customer=vip).assignee == seat.user
    # A prepaid tier grants nothing (intake.grade_service): anyone may take it.
    assert opened(integration, team, customer=prepaid_vip).assignee == ordinary.user


def test_a_vip_customer_with_no_vip_seat_on_shift_waits_in_the_queue(now, team, integration):
    on_shift(team, "ordinary")

    vip = CustomerFactory(payment_type="postpaid", vip_tier="gold")

    ticket = opened(integration, team, customer=vip)

    assert ticket.assignee is None


def test_a_business_order_goes_to_an_agent_with_the_skill_its_type_names(now, team, integration):
    broadband = Skill.objects.create(code="broadband", name="宽带业务")
    order_type = business_type("bill_query")
    order_type.required_skill = broadband
    order_type.save()
    on_shift(team, "no-skill")
    skilled = on_shift(team, "skilled")
    skilled.skills.add(broadband)
    open_for(skilled, 2)

    ticket = opened(integration, team, kind="business", business_type=order_type)

    assert ticket.assignee == skilled.user


def test_an_inquiry_needs_the_skill_of_its_category_or_its_parents(now, team, integration):
    data_card = Skill.objects.create(code="data-card", name="无线上网卡")
    child = InquiryCategory.objects.filter(parent__isnull=False, is_active=True).first()
    child.parent.required_skill = data_card
    child.parent.save()
    on_shift(team, "no-skill")

    assert opened(integration, team, category=child).assignee is None

    skilled = on_shift(team, "skilled")
    skilled.skills.add(data_card)
    assert opened(integration, team, category=child).assignee == skilled.user


@pytest.mark.parametrize(("vip_seat", "skills"), [(False, 0), (True, 0), (False, 2), (True, 1)])
def test_the_agents_kept_per_process_are_what_the_orm_reads(now, team, settings, vip_seat, skills):
    found = [Skill.objects.create(code=f"skill-{n}", name=f"技能{n}") for n in range(2)]
    seat = on_shift(team, "seat", job_type=Agent.JobType.VIP_SEAT)
    seat.skills.add(*found)
    plain = on_shift(team, "plain")
    plain.skills.add(found[0])
    agent(team, "not-rostered")
    need = assignment.Need(vip_seat=vip_seat, skill_ids=tuple(s.pk for s in found[:skills]))

    settings.ASSIGNMENT_ON_SHIFT_KEPT = settings.REFERENCE_CACHE_ENABLED = True
    kept = assignment.qualifying_agents(team.pk, NOW, need)
    settings.ASSIGNMENT_ON_SHIFT_KEPT = False
    read = assignment.qualifying_agents(team.pk, NOW, need)

    assert kept == read
    assert seat.pk in [row[0] for row in kept]
    assert (plain.pk in [row[0] for row in kept]) == (not vip_seat and skills < 2)


# ---------------------------------------------------------------- the rules around it


def test_the_agent_who_opens_a_ticket_for_their_own_team_keeps_it(now, team):
    creator = on_shift(team, "creator")
    on_shift(team, "idle")
    open_for(creator, 3)  # at the cap: keeping comes first all the same

    assert make_ticket(created_by=creator.user).assignee == creator.user


def test_a_ticket_sent_to_the_team_queue_is_assigned_like_any_other(now, team):
    creator, idle = on_shift(team, "creator"), on_shift(team, "idle")
    open_for(creator, 1)

    assert make_ticket(created_by=creator.user, to_team_queue=True).assignee == idle.user


def test_with_the_switch_off_the_ticket_waits_and_nobody_is_told(now, team, integration):
    on_shift(team, "worker")
    team.auto_assign = False
    team.save()

    ticket = opened(integration, team)

    assert ticket.assignee is None
    assert not Notification.objects.exists()
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_when_nobody_qualifies_the_ticket_waits_and_the_team_lead_is_told(
    now, team, lead, integration
):
    on_shift(team, "signed-out", status=Agent.Status.OFFLINE)

    ticket = opened(integration, team)

    assert ticket.assignee is None
    told = Notification.objects.get()
    assert told.recipient == lead and told.kind == "ticket.unassigned"
    assert told.message["title"]["params"] == {"number": ticket.number, "team": team.name}
    line = ticket.events.get()  # the creation's line tells it
    assert line.kind == EventKind.CREATED
    decided = line.data["auto_assignment"]
    assert decided["nobody_qualifies"] is True
    assert decided["message"]["key"].startswith("Nobody on shift can take it now")
    with translation.override("en"):
        assert line.auto_assignment_text == (
            f"Nobody on shift can take it now: left in the {team.name} queue and the team "
            "lead told."
        )


def test_the_assignment_is_on_the_timeline_as_a_key(now, team, integration):
    worker = on_shift(team, "worker")
    worker.user.first_name, worker.user.last_name = "伟", "张"
    worker.user.save()

    ticket = opened(integration, team)

    # Opening and assigning are one action: one line, the creation's, tells both.
    line = ticket.events.get()
    assert line.kind == EventKind.CREATED and line.actor == integration
    decided = line.data["auto_assignment"]
    assert decided["message"]["params"] == {"name": "张伟", "open": 0}
    assert decided["to_assignee"] == "张伟"
    with translation.override("en"):
        assert line.auto_assignment_text == (
            "Assigned automatically to 张伟, on shift with 0 open tickets."
        )
    with translation.override("zh-hans"):
        assert "张伟" in line.auto_assignment_text
        assert "Assigned" not in line.auto_assignment_text
    # Its own queue shows it: no notice per ticket.
    assert not Notification.objects.filter(recipient=worker.user).exists()
    assert ticket.history.get().assignee_id == worker.user.pk  # written once, assigned


@pytest.mark.parametrize("early", [True, False])
def test_an_assigned_ticket_is_written_whole_with_its_clocks_before_the_lock_or_after(
    now, team, integration, settings, early
):
    settings.ASSIGNMENT_CLOCKS_BEFORE_LOCK = early
    worker = on_shift(team, "worker")

    created = ticket_services.ticket_create(
        kind="inquiry", channel="hotline", subject="查询流量余额", created_by=integration, team=team
    )

    ticket = Ticket.objects.get(pk=created.ticket.pk)
    assert ticket.assignee_id == worker.user_id and ticket.number == created.ticket.number
    clocks = Clock.objects.filter(ticket=ticket)
    assert clocks.count() == len(created.clocks) > 0
    assert ClockEvent.objects.filter(clock__in=clocks).count() == len(created.clocks)
    assert ticket.sla_due_at == min(clock.due_at for clock in clocks)
    assert ticket.history.get().assignee_id == worker.user_id
    (line,) = ticket.events.all()
    assert line.kind == EventKind.CREATED
    assert line.data["auto_assignment"]["to_assignee"] == worker.user.display_name


@pytest.mark.parametrize(
    ("kept", "early", "in_database"),
    [(True, True, True), (True, True, False), (True, False, True), (False, False, True)],
)
def test_creation_costs_nothing_more_with_the_switch_off_and_a_bounded_few_with_it_on(
    now, team, integration, settings, kept, early, in_database
):
    settings.ASSIGNMENT_ON_SHIFT_KEPT = kept
    settings.ASSIGNMENT_CLOCKS_BEFORE_LOCK = early
    settings.ASSIGNMENT_CHOOSE_FUNCTION = in_database
    on_shift(team, "worker")
    opened(integration, team)  # the reference data is read once per process

    def cost(to_team) -> int:
        with CaptureQueriesContext(connection) as queries:
            opened(integration, to_team)
        return len(queries)

    on = cost(team)
    team.auto_assign = False
    team.save()
    off = cost(team)
    other = TeamFactory(name="No switch")  # never had it on
    opened(integration, other)
    never = cost(other)

    assert off == never
    # On PostgreSQL the database function's one call, or the same steps from Python:
    # the loads, the chosen agent's lock, their tickets counted again; elsewhere the
    # loads alone. The agents on shift, when not kept per process, in one more. The
    # ticket's id, when its clocks go in before the lock, comes with its number (on
    # the numbers connection).
    postgres = connection.vendor == "postgresql"
    added = 1 if in_database or not postgres else 3
    assert on == off + added + (0 if kept else 1)


def test_the_database_function_chooses_ticket_after_ticket_as_the_python_way_does(
    now, team, settings
):
    """worktickets_assignment_choose (PostgreSQL, migration 0020) writes out the rule,
    the open tickets' condition and the soon-due bound: it must choose whom the
    Python way chooses, with the same counts, until everyone is at the cap."""
    if connection.vendor != "postgresql":
        pytest.skip("the database function is PostgreSQL's")
    team.assignment_cap = 5
    team.save()
    members = [on_shift(team, f"worker{n}") for n in range(4)]
    dues = [None, NOW - datetime.timedelta(minutes=5), NOW + assignment.URGENT_WITHIN]
    dues += [NOW + datetime.timedelta(hours=3)]
    for category in set(StatusCategory.values) - set(ACTIVE_CATEGORY_VALUES):
        for due in dues:
            TicketFactory(
                team=team, assignee=members[0].user, status_category=category, sla_due_at=due
            )
    open_for(members[0], 1, due_in=-datetime.timedelta(minutes=5))  # load 2, 1 open
    for category in set(ACTIVE_CATEGORY_VALUES) - {StatusCategory.OPEN}:  # load 2, 2 open
        TicketFactory(team=team, assignee=members[1].user, status_category=category)
    open_for(members[2], 1, due_in=assignment.URGENT_WITHIN)  # load 2, 1 open
    need = assignment.Need(False, ())

    def chosen(in_database: bool) -> tuple | None:
        settings.ASSIGNMENT_CHOOSE_FUNCTION = in_database
        choice = assignment.agent_choose(team, need, at=NOW)
        return choice and (choice.user.pk, choice.open_tickets, choice.load)

    order = []
    while (choice := chosen(True)) is not None:
        assert chosen(False) == choice
        order.append(choice[0])
        TicketFactory(
            team=team, assignee_id=choice[0], sla_due_at=NOW + datetime.timedelta(hours=3)
        )
    assert chosen(False) is None

    first, second, third, fourth = (member.user.pk for member in members)
    assert order[:6] == [fourth, fourth, first, third, second, fourth]
    assert sorted(order) == sorted([first] * 4 + [second] * 3 + [third] * 4 + [fourth] * 5)


# ---------------------------------------------------------------- the sweeper


def test_the_sweeper_gives_waiting_tickets_to_agents_who_came_on_shift(now, team, integration):
    waiting = [opened(integration, team) for _ in range(2)]
    assert all(ticket.assignee is None for ticket in waiting)
    worker = on_shift(team, "late-comer")

    assert assignment.assign_waiting(at=NOW) == 2
    assert assignment.assign_waiting(at=NOW) == 0

    for ticket in waiting:
        ticket.refresh_from_db()
        assert ticket.assignee == worker.user
        assert ticket.version == 2
        assert ticket.events.filter(kind=EventKind.ASSIGNED).count() == 1


def test_the_sweeper_leaves_teams_with_the_switch_off_and_respects_the_cap(
    now, team, other_team, integration
):
    waiting = [opened(integration, team) for _ in range(4)]
    parked = TicketFactory(team=other_team, assignee=None)
    on_shift(other_team, "other-worker")
    worker = on_shift(team, "worker")

    assert assignment.assign_waiting(at=NOW) == 3  # the cap

    assert Ticket.objects.filter(pk__in=[t.pk for t in waiting], assignee=worker.user).count() == 3
    parked.refresh_from_db()
    assert parked.assignee is None


# ---------------------------------------------------------------- complaints


def test_a_complaint_routed_to_a_group_goes_to_an_agent_of_it_on_shift(now, agent_user):
    legal = TeamFactory(name="市场与法律合规组", kind="market_legal", auto_assign=True)
    worker = on_shift(legal, "legal-worker")

    recorded = complaint_services.complaint_record(
        complaint_services.ComplaintIntake(
            channel="hotline",
            category=Category.BILLING,
            customer_name="李雷",
            contact_phone="13911112222",
            region="urban",
            content="话费异常",
        ),
        recorded_by=agent_user,
    )

    ticket = recorded.complaint.ticket
    assert ticket.team == legal and ticket.assignee == worker.user
    created = next(line for line in recorded.timeline if line.kind == EventKind.CREATED)
    assert created.data["auto_assignment"]["to_assignee"] == worker.user.display_name
    assert EventKind.ASSIGNED not in [line.kind for line in recorded.timeline]


# ---------------------------------------------------------------- eight at once


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("in_database", [True, False])
def test_eight_creators_at_once_never_push_an_agent_over_the_cap(
    time_machine, settings, in_database
):
    settings.ASSIGNMENT_CHOOSE_FUNCTION = in_database
    time_machine.move_to(NOW, tick=False)
    team = TeamFactory(name="Crowded", auto_assign=True, assignment_cap=3)
    workers = [on_shift(team, f"worker{n}") for n in range(2)]
    creators = [UserFactory(username=f"creator{n}") for n in range(8)]
    start = threading.Barrier(8)

    def desk(creator) -> list[int | None]:
        try:
            start.wait(10)
            return [make_ticket(created_by=creator, team=team).assignee_id for _ in range(2)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as desks:
        assignees = [pk for taken in desks.map(desk, creators) for pk in taken]

    held = {w.user_id: assignees.count(w.user_id) for w in workers}
    assert held == {w.user_id: 3 for w in workers}
    assert assignees.count(None) == 10
    for worker in workers:
        assert Ticket.objects.filter(assignee=worker.user).count() == 3


def someone_waits_for_an_advisory_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0] > 0


def with_advisory_locks(settings, time_machine, *, in_database: bool) -> None:
    """For the tests of creations at once: PostgreSQL's locks, one way of choosing,
    the clock stopped at NOW."""
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    settings.ASSIGNMENT_CHOOSE_FUNCTION = in_database
    time_machine.move_to(NOW, tick=False)


def creation_in_progress(team, started: threading.Event, finish: threading.Event):
    """In a thread: choose an agent and write their ticket, then hold the transaction
    (and the agent's lock) open until `finish`."""

    def run() -> assignment.Choice | None:
        try:
            with transaction.atomic():
                choice = assignment.agent_choose(team, assignment.Need(False, ()), at=NOW)
                assert choice is not None
                TicketFactory(team=team, assignee=choice.user, sla_due_at=NOW)
                started.set()
                finish.wait(10)
            return choice
        finally:
            connections.close_all()

    return run


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("in_database", [True, False])
@pytest.mark.parametrize("cap", [1, 2])
def test_a_creation_waiting_for_an_agent_counts_what_was_committed_meanwhile(
    time_machine, settings, in_database, cap
):
    """One creation holds the only agent on shift; the next one waits for the agent's
    lock, then must count the first one's ticket: at the cap it is left unassigned,
    under it assigned with that ticket counted."""
    with_advisory_locks(settings, time_machine, in_database=in_database)
    team = TeamFactory(name="One agent", auto_assign=True, assignment_cap=cap)
    worker = on_shift(team, "worker")
    started, finish = threading.Event(), threading.Event()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(creation_in_progress(team, started, finish))
        assert started.wait(10)

        def watch() -> None:
            try:
                for _ in range(1000):
                    if someone_waits_for_an_advisory_lock():
                        break
                    threading.Event().wait(0.01)
            finally:
                finish.set()
                connections.close_all()

        pool.submit(watch)
        with transaction.atomic():
            choice = assignment.agent_choose(team, assignment.Need(False, ()), at=NOW)
        assert first.result(10).user == worker.user

    if cap == 1:
        assert choice is None
    else:
        assert choice is not None and choice.user == worker.user
        assert (choice.open_tickets, choice.load) == (1, 2)  # the first one's, due now


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("in_database", [True, False])
def test_a_creation_passes_over_an_agent_another_creation_is_giving_a_ticket(
    time_machine, settings, in_database
):
    """The lightest agent is being given a ticket by a creation not yet committed: the
    next creation takes the next agent at once, without waiting."""
    with_advisory_locks(settings, time_machine, in_database=in_database)
    team = TeamFactory(name="Two agents", auto_assign=True, assignment_cap=5)
    lightest, next_one = on_shift(team, "lightest"), on_shift(team, "next")
    open_for(next_one, 1)
    started, finish = threading.Event(), threading.Event()

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(creation_in_progress(team, started, finish))
        assert started.wait(10)
        try:
            with transaction.atomic():
                waited = time.monotonic()
                choice = assignment.agent_choose(team, assignment.Need(False, ()), at=NOW)
                waited = time.monotonic() - waited
        finally:
            finish.set()
        assert first.result(10).user == lightest.user

    assert choice is not None and choice.user == next_one.user
    assert choice.open_tickets == 1
    assert waited < 5  # the first creation held on for 10 s


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("in_database", [True, False])
def test_a_deadlock_between_two_waits_is_broken_without_failing_the_creation(
    time_machine, settings, in_database
):
    """A creation holds an agent (its first ticket's, now at the cap) and waits for the
    other agent's lock, held by a transaction that then asks for the first agent's:
    PostgreSQL checks a wait for a deadlock once it has lasted deadlock_timeout, and
    cancels the wait it checks: the creation's, which began first. The creation is
    not failed by it, and does not wait again (the two waits could be cancelled in
    turn for ever): nobody else being free, it leaves the ticket in the queue."""
    with_advisory_locks(settings, time_machine, in_database=in_database)
    team = TeamFactory(name="Deadlock", auto_assign=True, assignment_cap=1)
    held_elsewhere, free = on_shift(team, "held-elsewhere"), on_shift(team, "free")
    holding = threading.Event()

    def lock(user_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [assignment.LOCK_NAMESPACE, user_id]
            )

    def elsewhere() -> str:
        try:
            with transaction.atomic():
                lock(held_elsewhere.user_id)
                holding.set()
                for _ in range(1000):
                    if someone_waits_for_an_advisory_lock():
                        break
                    threading.Event().wait(0.01)
                lock(free.user_id)
            return "both locks had"
        except OperationalError:
            return "its wait cancelled"
        finally:
            connections.close_all()

    need = assignment.Need(False, ())
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(elsewhere)
        assert holding.wait(10)
        with transaction.atomic():
            first = assignment.agent_choose(team, need, at=NOW)
            assert first is not None and first.user == free.user
            TicketFactory(team=team, assignee=free.user)
            second = assignment.agent_choose(team, need, at=NOW)
        outcome = other.result(20)

    assert second is None
    assert outcome == "both locks had"  # once the creation's transaction ended


# ---------------------------------------------------------------- doors


def test_through_the_api_the_answer_shows_the_assignee_and_the_line(now, team):
    from rest_framework.test import APIClient

    from tests.factories import make_api_client

    worker = on_shift(team, "worker")
    client, key = make_api_client("cti", ["tickets:read", "tickets:write"])
    client.default_team = team
    client.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api.post(
        "/api/v1/tickets/",
        {"kind": "inquiry", "channel": "hotline", "subject": "流量查询"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["team"]["id"] == team.pk  # the client's default team
    assert body["assignee"]["id"] == worker.user_id
    (line,) = body["timeline"]
    assert line["kind"] == "created"
    assert line["data"]["auto_assignment"]["message"]["params"]["name"] == (
        worker.user.display_name
    )


def test_an_api_client_without_a_default_team_must_name_one(now, team):
    from rest_framework.test import APIClient

    from tests.factories import make_api_client

    client, key = make_api_client("cti", ["tickets:read", "tickets:write"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"kind": "inquiry", "channel": "hotline", "subject": "流量查询"}

    refused = api.post("/api/v1/tickets/", body, format="json")
    team.is_active = False
    team.save()
    client.default_team = team
    client.save()
    inactive_default = api.post("/api/v1/tickets/", body, format="json")

    assert refused.status_code == inactive_default.status_code == 400
    assert "team" in refused.json() and "team" in inactive_default.json()
    assert not Ticket.objects.exists()


def test_the_team_lead_switches_auto_assignment_on_the_team_board(client, now, team, lead):
    client.force_login(lead)
    url = f"/team/{team.pk}/auto-assignment/"

    board = client.get(f"/team/?team={team.pk}")
    assert 'id="auto-assignment"' in board.content.decode()

    refused = client.post(url, {"assignment_cap": "0"}, HTTP_HX_REQUEST="true")
    saved = client.post(url, {"assignment_cap": "5"}, HTTP_HX_REQUEST="true")

    assert refused.status_code == 400
    assert 'value="0"' in refused.content.decode()  # what was typed stays
    assert saved.status_code == 200
    team.refresh_from_db()
    assert (team.auto_assign, team.assignment_cap) == (False, 5)
    assert team.history.first().history_user == lead


def test_only_the_teams_own_lead_switches_it(client, now, team, other_team):
    other_lead = UserFactory(username="lead-b", roles=["team_lead"])
    other_team.lead = other_lead
    other_team.save()
    client.force_login(other_lead)

    board = client.get(f"/team/?team={team.pk}")
    response = client.post(f"/team/{team.pk}/auto-assignment/", {"assignment_cap": "5"})

    assert 'id="auto-assignment"' not in board.content.decode()
    assert response.status_code == 403
    team.refresh_from_db()
    assert team.auto_assign is True
