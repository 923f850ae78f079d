"""Who may open what (DESIGN.md §4 "No leaks"): every role against every page and
every API operation, integrations against every scope, agents against other
teams' tickets, and QA against every write.

The tables below are the design written down (staffing/migrations/0002_roles.py
and each app's role_permissions migration say which role holds what); the
tests compare them with what the running app answers. A role allowed a page
gets 200 or a redirect (POST: also 400/409, the input was the problem, not
the role); a role denied gets 403; an object outside what a person may see
answers 404.
"""

import datetime
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from care import services as care_services
from complaints.evidence import evidence_add
from complaints.models import Complaint, Evidence, OutageCluster
from intake.models import Contact, Customer
from sla.models import Clock
from sla.services import clocks_start
from staffing.api_auth import ALL_SCOPES
from staffing.outbox import notify
from tests.factories import (
    AgentFactory,
    BusinessTicketFactory,
    CustomerFactory,
    TicketFactory,
    UserFactory,
    make_api_client,
    make_article,
    make_complaint,
)
from tests.robustness.schema import api_schema
from tests.sla.conftest import facts_for
from worktickets.models import Macro, Problem, ProblemEvent, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

AG, TL, CH, TS, ML, QA, CM, CD = (
    "agent",
    "team_lead",
    "complaint_handler",
    "tech_support",
    "market_legal",
    "qa_inspector",
    "cs_manager",
    "centre_director",
)
ROLES = (AG, TL, CH, TS, ML, QA, CM, CD)
EVERYONE = frozenset(ROLES)
WORKERS = EVERYONE - {QA}  # QA reads and changes nothing (DESIGN.md §4)
RECORDERS = WORKERS - {CD}  # who records complaints
HANDLERS = frozenset({TL, CH, TS, ML, CM})  # who works complaints
SUPERVISORS = frozenset({TL, CM, CD})
EDITORS = frozenset({TL, TS, ML, CM, CD})  # write and submit knowledge articles
MANAGERS = frozenset({CM, CD})
DECIDERS = frozenset({TL, ML, CM, CD})  # approve compensations, extensions or orders
KEEPERS = frozenset({TL, TS, CM, CD})  # keep the problem ledger (worktickets.change_problem)
# Care (care/migrations/0002_defaults.py): agents, leads and complaint handlers work
# callbacks; QA reads surveys and callbacks; managers configure survey policies.
CALLBACK_WORKERS = frozenset({AG, TL, CH, CM, CD})
CARE_READERS = CALLBACK_WORKERS | {QA}

QA_READERS = frozenset({AG, TL, QA, CM, CD})  # quality.view_evaluation, scoped by selectors
NOBODY = frozenset()

# Each role's own team (conftest.World): its tickets and complaints are its work.
ROLE_TEAM = {
    AG: "hotline",
    TL: "hotline",
    CH: "complaints",
    TS: "tech",
    ML: "legal",
    QA: "qa",
    CM: "management",
    CD: "management",
}


class Matrix:
    """The objects one role's requests name: its own team's ticket and complaint."""

    def __init__(self, world, role):
        self.world = world
        self.user = world.people[role]
        self.ticket = world.own_tickets[role]
        self.complaint = world.own_complaints[role]
        self.customer = world.customers[0]
        self.contact = world.contacts[0]
        self.cluster = world.cluster
        self.clock = Clock.objects.filter(ticket=self.ticket).order_by("pk").first()
        self.notification = world.notifications[role]
        self.article = world.article
        self.problem = world.problem
        self.macro = world.macros[role]
        self.evaluation = quality_evaluation(world)
        self.calibration = quality_calibration(world, self.evaluation)
        self.coaching = quality_coaching(world, self.evaluation)


def quality_evaluation(world):
    """A submitted evaluation of the hotline agent's contact: theirs, their lead's, QA's."""
    from quality import services as qa
    from quality.models import Evaluation
    from tests.quality.conftest import full_points, make_sample

    found = Evaluation.objects.filter(agent=world.people[AG]).first()
    if found is None:
        found = qa.evaluation_start(make_sample(world.people[AG]), by=world.people[QA])
        found = qa.evaluation_submit(found, by=world.people[QA], points=full_points(found))
    return found


def quality_calibration(world, evaluation):
    """A calibration session of that contact, the QA inspector invited."""
    from quality.models import CalibrationSession

    found = CalibrationSession.objects.first()
    if found is None:
        found = CalibrationSession.objects.create(
            title="校准",
            contact=evaluation.sample.contact,
            scorecard_version=evaluation.scorecard_version,
            created_by=world.people[CM],
        )
        found.inspectors.set([world.people[QA]])
    return found


def quality_coaching(world, evaluation):
    """A coaching task for the hotline agent, set by the CS manager (the QA lead)."""
    from quality.models import CoachingTask

    found = CoachingTask.objects.first()
    if found is None:
        found = CoachingTask.objects.create(
            agent=evaluation.agent,
            evaluation=evaluation,
            what="复习服务用语",
            due_on=evaluation.month,
            created_by=world.people[CM],
        )
    return found


# (name, method, url(m), POST data(m), roles allowed)
PAGES = [
    ("home", "GET", lambda m: reverse("home"), None, EVERYONE),
    ("care home", "GET", lambda m: reverse("care:home"), None, CARE_READERS),
    ("callbacks", "GET", lambda m: reverse("care:callbacks"), None, CALLBACK_WORKERS),
    (
        "record a callback outcome",
        "POST",
        lambda m: reverse("care:callback_outcome", args=[m.world.callbacks[m.user.pk].pk]),
        {"outcome": ""},
        CALLBACK_WORKERS,
    ),
    (
        "book a VIP appointment",
        "GET",
        lambda m: reverse("care:appointment_new", args=[m.world.gold_customer.pk]),
        None,
        CALLBACK_WORKERS,
    ),
    ("team board", "GET", lambda m: reverse("staffing:team_board"), None, SUPERVISORS | {QA}),
    (
        # The hotline team's own lead only (or whoever may change teams, in the admin).
        "switch the hotline team's auto-assignment",
        "POST",
        lambda m: reverse("staffing:team_auto_assignment", args=[m.world.teams["hotline"].pk]),
        {"assignment_cap": "5"},
        frozenset({TL}),
    ),
    (
        "own status",
        "POST",
        lambda m: reverse("staffing:agent_status"),
        {"status": "ready"},
        EVERYONE,
    ),
    ("awaiting my decision", "GET", lambda m: reverse("approvals"), None, DECIDERS),
    ("shift dashboard", "GET", lambda m: reverse("shift_dashboard"), None, SUPERVISORS),
    (
        "shift dashboard, live",
        "GET",
        lambda m: f"{reverse('shift_dashboard')}?live=1",
        None,
        SUPERVISORS,
    ),
    ("wallboards", "GET", lambda m: reverse("wallboards"), None, MANAGERS),
    ("create a wallboard", "POST", lambda m: reverse("wallboards"), {"name": ""}, MANAGERS),
    ("reports", "GET", lambda m: reverse("reports"), None, SUPERVISORS),
    ("generate a report", "POST", lambda m: reverse("reports"), {"kind": ""}, SUPERVISORS),
    ("next ticket", "GET", lambda m: reverse("worktickets:next_ticket"), None, EVERYONE),
    (
        "a customer's tickets and complaints",
        "GET",
        lambda m: reverse("worktickets:customer_work", args=[m.customer.pk]),
        None,
        EVERYONE,
    ),
    (
        "who else has the ticket open",
        "POST",
        lambda m: reverse("worktickets:ticket_presence", args=[m.ticket.pk]),
        {"state": "viewing"},
        EVERYONE,
    ),
    (
        "decide a request",
        "POST",
        lambda m: reverse("approval_decide", args=["compensation", 0]),
        {"decision": ""},
        DECIDERS,
    ),
    ("notifications", "GET", lambda m: reverse("notifications:inbox"), None, EVERYONE),
    ("notification badge", "GET", lambda m: reverse("notifications:badge"), None, EVERYONE),
    (
        "open notification",
        "GET",
        lambda m: reverse("notifications:open", args=[m.notification.pk]),
        None,
        EVERYONE,
    ),
    (
        "read all notifications",
        "POST",
        lambda m: reverse("notifications:mark_all_read"),
        {},
        EVERYONE,
    ),
    ("customers", "GET", lambda m: reverse("intake:customer_search"), None, EVERYONE),
    ("register customer", "GET", lambda m: reverse("intake:customer_register"), None, WORKERS),
    (
        "register customer (send)",
        "POST",
        lambda m: reverse("intake:customer_register"),
        {"name": ""},
        WORKERS,
    ),
    (
        "check customer field",
        "POST",
        lambda m: reverse("intake:customer_field_check", args=["phone"]),
        {"phone": "138"},
        WORKERS,
    ),
    (
        "customer",
        "GET",
        lambda m: reverse("intake:customer_detail", args=[m.customer.pk]),
        None,
        EVERYONE,
    ),
    (
        "customer history",
        "GET",
        lambda m: reverse("intake:customer_history", args=[m.customer.pk]),
        None,
        EVERYONE,
    ),
    (
        "erase customer",
        "GET",
        lambda m: reverse("customer_erase", args=[m.customer.pk]),
        None,
        frozenset({CM}),
    ),
    (
        "edit customer",
        "GET",
        lambda m: reverse("intake:customer_edit", args=[m.customer.pk]),
        None,
        WORKERS,
    ),
    (
        "add service",
        "GET",
        lambda m: reverse("intake:service_add", args=[m.customer.pk]),
        None,
        WORKERS,
    ),
    ("contacts", "GET", lambda m: reverse("intake:contact_list"), None, EVERYONE),
    ("record contact", "GET", lambda m: reverse("intake:contact_record"), None, WORKERS),
    # Market & legal compliance receive the security alerts that link to the log.
    ("access log", "GET", lambda m: reverse("intake:access_log"), None, MANAGERS | {ML}),
    (
        "reveal a number",
        "POST",
        lambda m: reverse("intake:reveal", args=["phone", m.customer.pk]),
        {"reveal_reason": "核实"},
        frozenset({TL, CM, CD}),
    ),
    ("my queue", "GET", lambda m: reverse("worktickets:my_queue"), None, EVERYONE),
    ("team queue", "GET", lambda m: reverse("worktickets:team_queue"), None, EVERYONE),
    ("follow-ups", "GET", lambda m: reverse("worktickets:follow_ups"), None, EVERYONE),
    (
        "escalation queue",
        "GET",
        lambda m: reverse("worktickets:escalation_queue"),
        None,
        SUPERVISORS | {QA},
    ),
    ("search", "GET", lambda m: reverse("worktickets:search") + "?q=13800138000", None, EVERYONE),
    ("new ticket", "GET", lambda m: reverse("worktickets:ticket_new"), None, WORKERS),
    ("new ticket (send)", "POST", lambda m: reverse("worktickets:ticket_new"), {}, WORKERS),
    (
        "caller lookup",
        "GET",
        lambda m: reverse("worktickets:caller_lookup") + "?phone=13800138000",
        None,
        WORKERS,
    ),
    (
        "register caller",
        "POST",
        lambda m: reverse("worktickets:caller_register"),
        {"name": ""},
        WORKERS,
    ),
    (
        "business types",
        "GET",
        lambda m: reverse("worktickets:business_type_options") + "?channel=hotline",
        None,
        WORKERS,
    ),
    (
        "ticket",
        "GET",
        lambda m: reverse("worktickets:ticket_detail", args=[m.ticket.pk]),
        None,
        EVERYONE,
    ),
    (
        "ticket note",
        "POST",
        lambda m: reverse("worktickets:ticket_action", args=[m.ticket.pk, "note"]),
        {"version": "x"},
        WORKERS,
    ),
    (
        "reassign ticket",
        "POST",
        lambda m: reverse("worktickets:ticket_reassign", args=[m.ticket.pk]),
        {"version": "x"},
        SUPERVISORS,
    ),
    (
        "reveal the caller number",
        "POST",
        lambda m: reverse("worktickets:reveal_caller", args=[m.ticket.pk]),
        {"reveal_reason": "核实"},
        frozenset({TL, CM, CD}),
    ),
    ("SLA at risk", "GET", lambda m: reverse("sla:at_risk"), None, SUPERVISORS),
    ("complaint workbench", "GET", lambda m: reverse("complaints:workbench"), None, EVERYONE),
    ("complaints recorded", "GET", lambda m: reverse("complaints:recorded"), None, EVERYONE),
    ("complaints assigned", "GET", lambda m: reverse("complaints:assigned"), None, EVERYONE),
    ("leadership board", "GET", lambda m: reverse("complaints:leadership"), None, MANAGERS),
    ("new complaint", "GET", lambda m: reverse("complaints:new"), None, RECORDERS),
    ("new complaint (send)", "POST", lambda m: reverse("complaints:new"), {}, RECORDERS),
    (
        "repair limit",
        "GET",
        lambda m: reverse("complaints:repair_limit") + "?category=service_fault",
        None,
        RECORDERS,
    ),
    (
        "intake customer lookup",
        "GET",
        lambda m: reverse("complaints:intake_lookup") + "?phone=13800138000",
        None,
        RECORDERS,
    ),
    (
        "intake customer chosen",
        "GET",
        lambda m: reverse("complaints:intake_customer") + f"?chosen={m.customer.pk}",
        None,
        RECORDERS,
    ),
    ("outage clusters", "GET", lambda m: reverse("complaints:cluster_list"), None, EVERYONE),
    (
        "outage cluster",
        "GET",
        lambda m: reverse("complaints:cluster_detail", args=[m.cluster.pk]),
        None,
        EVERYONE,
    ),
    (
        "answer outage cluster",
        "POST",
        lambda m: reverse("complaints:cluster_detail", args=[m.cluster.pk]),
        {},
        HANDLERS,
    ),
    ("recurrence report", "GET", lambda m: reverse("complaints:recurrence"), None, MANAGERS),
    (
        "complaint",
        "GET",
        lambda m: reverse("complaints:detail", args=[m.complaint.pk]),
        None,
        EVERYONE,
    ),
    (
        "accept complaint",
        "POST",
        lambda m: reverse("complaints:action", args=[m.complaint.pk, "accept"]),
        {"version": "x"},
        HANDLERS,
    ),
    (
        "upload evidence",
        "POST",
        lambda m: reverse("complaints:evidence_upload", args=[m.complaint.pk]),
        {},
        HANDLERS,
    ),
    (
        "evidence file",
        "GET",
        lambda m: reverse("complaints:evidence_download", args=[m.complaint.pk, 1]),
        None,
        EVERYONE - {AG},
    ),
    (
        "evidence chain",
        "GET",
        lambda m: reverse("complaints:evidence_chain", args=[m.complaint.pk]),
        None,
        EVERYONE,
    ),
    (
        "reveal the contact phone",
        "POST",
        lambda m: reverse("complaints:reveal", args=[m.complaint.pk, "phone"]),
        {"reveal_reason": "核实"},
        frozenset({TL, CM, CD}),
    ),
    (
        "complaint archive",
        "GET",
        lambda m: reverse("complaints:archive", args=[m.complaint.pk]),
        None,
        EVERYONE,
    ),
    # The problem ledger (DOMAIN.md W-6): everyone reads it, whoever works tickets raises
    # problems and counts tickets against them, the keepers move them along.
    ("problem ledger", "GET", lambda m: reverse("worktickets:problem_list"), None, EVERYONE),
    (
        "problem",
        "GET",
        lambda m: reverse("worktickets:problem_detail", args=[m.problem.pk]),
        None,
        EVERYONE,
    ),
    (
        "move a problem along",
        "POST",
        lambda m: reverse("worktickets:problem_advance", args=[m.problem.pk]),
        {},
        KEEPERS,
    ),
    (
        "edit a problem",
        "POST",
        lambda m: reverse("worktickets:problem_edit", args=[m.problem.pk]),
        {},
        KEEPERS,
    ),
    (
        "link a ticket to a problem",
        "POST",
        lambda m: reverse("worktickets:problem_link", args=[m.problem.pk]),
        {},
        WORKERS,
    ),
    (
        "a ticket's problems",
        "GET",
        lambda m: reverse("worktickets:ticket_problems", args=[m.ticket.pk]),
        None,
        EVERYONE,
    ),
    (
        "raise a problem from a ticket",
        "POST",
        lambda m: reverse("worktickets:ticket_problem_raise", args=[m.ticket.pk]),
        {},
        WORKERS,
    ),
    (
        "count a ticket against a problem",
        "POST",
        lambda m: reverse("worktickets:ticket_problem_link", args=[m.ticket.pk]),
        {},
        WORKERS,
    ),
    # Macros: whoever works tickets keeps their own and inserts them beside a
    # ticket's text boxes (a use is counted); QA writes none.
    ("macros", "GET", lambda m: reverse("worktickets:macro_list"), None, WORKERS),
    ("new macro", "GET", lambda m: reverse("worktickets:macro_new"), None, WORKERS),
    ("save a new macro", "POST", lambda m: reverse("worktickets:macro_new"), {}, WORKERS),
    (
        "edit a macro",
        "POST",
        lambda m: reverse("worktickets:macro_edit", args=[m.macro.pk]),
        {},
        WORKERS,
    ),
    (
        "a ticket's macros",
        "GET",
        lambda m: f"{reverse('worktickets:macro_picker', args=[m.ticket.pk])}?for=reply",
        None,
        WORKERS,
    ),
    (
        "use a macro",
        "POST",
        lambda m: reverse("worktickets:macro_use", args=[m.macro.pk]),
        {},
        WORKERS,
    ),
    # The queues' bulk actions: whoever works tickets (each ticket is then checked
    # on its own, tests/worktickets/test_queue_tools.py); saved views are personal.
    ("act on many tickets", "POST", lambda m: reverse("worktickets:queue_bulk"), {}, WORKERS),
    ("bulk bar", "GET", lambda m: reverse("worktickets:queue_bulk_form"), None, WORKERS),
    (
        "save a queue view",
        "POST",
        lambda m: reverse("worktickets:saved_view_save"),
        {"queue": "team", "name": "", "query": ""},
        EVERYONE,
    ),
    (
        "delete a saved queue view",
        "POST",
        lambda m: reverse("worktickets:saved_view_delete", args=[0]),
        {},
        EVERYONE,
    ),
    ("change own password", "GET", lambda m: reverse("password_change"), None, EVERYONE),
    # The knowledge base: everyone reads; editors write and submit; reviewers publish
    # and retire (knowledge/migrations/0003_roles_and_settings.py); QA changes nothing.
    ("knowledge search", "GET", lambda m: reverse("knowledge:search"), None, EVERYONE),
    ("notices", "GET", lambda m: reverse("knowledge:notices"), None, EVERYONE),
    ("article", "GET", lambda m: reverse("knowledge:detail", args=[m.article.pk]), None, EVERYONE),
    (
        "suggestions",
        "GET",
        lambda m: f"{reverse('knowledge:suggestions')}?ticket={m.ticket.pk}",
        None,
        EVERYONE,
    ),
    (
        "article feedback",
        "POST",
        lambda m: reverse("knowledge:feedback", args=[m.article.pk, "helpful"]),
        {},
        WORKERS,
    ),
    ("latest notices", "GET", lambda m: reverse("knowledge:latest_notices"), None, EVERYONE),
    (
        "article version",
        "GET",
        lambda m: reverse("knowledge:version", args=[m.article.pk, 1]),
        None,
        EVERYONE,
    ),
    ("write an article", "GET", lambda m: reverse("knowledge:new"), None, EDITORS),
    (
        "edit a draft",
        "GET",
        lambda m: reverse("knowledge:edit", args=[m.article.pk]),
        None,
        EDITORS,
    ),
    (
        "start a new version",
        "POST",
        lambda m: reverse("knowledge:revise", args=[m.article.pk]),
        {},
        EDITORS,
    ),
    (
        "confirm a review",
        "POST",
        lambda m: reverse("knowledge:review_confirm", args=[m.article.pk]),
        {},
        frozenset({TL, CM, CD}),  # the article's owner (its writer, a team lead) and reviewers
    ),
    ("knowledge editing", "GET", lambda m: reverse("knowledge:workspace"), None, EDITORS),
    ("reviews due", "GET", lambda m: reverse("knowledge:reviews"), None, EDITORS),
    (
        "article settings",
        "GET",
        lambda m: reverse("knowledge:settings", args=[m.article.pk]),
        None,
        EDITORS,
    ),
    (
        "publish a version",
        "POST",
        lambda m: reverse("knowledge:version_action", args=[m.article.pk, 1, "publish"]),
        {},
        MANAGERS,
    ),
    (
        "retire an article",
        "POST",
        lambda m: reverse("knowledge:retire", args=[m.article.pk]),
        {"retire-reason": ""},
        MANAGERS,
    ),
    # Quality (issue 17): inspectors work the sample; everyone evaluated or leading sees
    # evaluations through quality.selectors; team scores for leads and QA.
    ("QA module", "GET", lambda m: reverse("quality:home"), None, QA_READERS),
    ("QA worklist", "GET", lambda m: reverse("quality:worklist"), None, frozenset({QA})),
    ("own evaluations", "GET", lambda m: reverse("quality:mine"), None, QA_READERS),
    ("team QA scores", "GET", lambda m: reverse("quality:team"), None, frozenset({TL, QA, CM, CD})),
    ("QA export", "GET", lambda m: reverse("quality:export"), None, QA_READERS),
    ("QA export (XLSX)", "GET", lambda m: reverse("quality:export_xlsx"), None, QA_READERS),
    # Scorecards are the QA lead's (quality.manage_quality).
    ("scorecards", "GET", lambda m: reverse("quality:scorecards"), None, MANAGERS),
    ("new scorecard", "GET", lambda m: reverse("quality:scorecard_new"), None, MANAGERS),
    ("create a scorecard", "POST", lambda m: reverse("quality:scorecard_new"), {}, MANAGERS),
    (
        "scorecard",
        "GET",
        lambda m: reverse("quality:scorecard", args=[m.evaluation.scorecard_version.scorecard_id]),
        None,
        MANAGERS,
    ),
    (
        "edit a scorecard",
        "POST",
        lambda m: reverse("quality:scorecard", args=[m.evaluation.scorecard_version.scorecard_id]),
        {},
        MANAGERS,
    ),
    (
        "automatic check rates",
        "GET",
        lambda m: reverse("quality:check_rates"),
        None,
        frozenset({QA, CM, CD}),
    ),
    (
        "evaluation",
        "GET",
        lambda m: reverse("quality:evaluation", args=[m.evaluation.pk]),
        None,
        frozenset({AG, TL, QA, CM, CD}),
    ),
    (
        "evaluation versions",
        "GET",
        lambda m: reverse("quality:scorings", args=[m.evaluation.pk]),
        None,
        frozenset({AG, TL, QA, CM, CD}),
    ),
    (
        "centre QA summary",
        "GET",
        lambda m: reverse("quality:summary"),
        None,
        frozenset({QA, CM, CD}),
    ),
    ("coaching and training", "GET", lambda m: reverse("quality:coaching"), None, QA_READERS),
    (  # only the coached agent (quality.services.coaching_done)
        "mark coaching done",
        "POST",
        lambda m: reverse("quality:coaching_done", args=[m.coaching.pk]),
        {},
        frozenset({AG}),
    ),
    (  # the agent's team lead or the QA lead
        "set a coaching task",
        "POST",
        lambda m: reverse("quality:coaching_new", args=[m.evaluation.pk]),
        {},
        frozenset({TL, CM, CD}),
    ),
    # An empty form is a plan for the whole centre: the QA lead's alone.
    ("new training plan", "POST", lambda m: reverse("quality:plan_new"), {}, MANAGERS),
    (
        "calibration sessions",
        "GET",
        lambda m: reverse("quality:calibrations"),
        None,
        frozenset({QA, CM, CD}),
    ),
    ("start a calibration", "POST", lambda m: reverse("quality:calibration_new"), {}, MANAGERS),
    (
        "calibration session",
        "GET",
        lambda m: reverse("quality:calibration", args=[m.calibration.pk]),
        None,
        frozenset({QA, CM, CD}),
    ),
    (
        "score a calibration",
        "POST",
        lambda m: reverse("quality:calibration_score", args=[m.calibration.pk]),
        {},
        frozenset({QA}),
    ),
    (  # already evaluated: a 409 for an inspector
        "evaluate a sample",
        "POST",
        lambda m: reverse("quality:sample_start", args=[m.evaluation.sample_id]),
        {},
        frozenset({QA}),
    ),
    (  # only the evaluated agent answers (quality.services)
        "acknowledge an evaluation",
        "POST",
        lambda m: reverse("quality:action", args=[m.evaluation.pk, "acknowledge"]),
        {},
        frozenset({AG}),
    ),
    # The mail room's letters: outbox readers only (administrators, outside this matrix).
    ("letter", "GET", lambda m: reverse("letter_download", args=[1]), None, NOBODY),
]


# --- staffing: rosters, leave, swaps, handover (staffing/migrations/0010) --------------------
LEADS_AND_MANAGERS = frozenset({TL, CM, CD})  # staffing.publish_roster, approve_swap, handover


def _staffing_roster(team):
    from staffing.models import Roster, ShiftPattern

    month = timezone.localdate().replace(day=1)
    roster, _ = Roster.objects.get_or_create(
        team=team, month=month, defaults={"pattern": ShiftPattern.objects.get(code="A")}
    )
    return roster


def _staffing_shift(agent, day_offset):
    from staffing.models import RosterEntry, ShiftTemplate

    template = ShiftTemplate.objects.get(pattern__code="A", code="day")
    taken = RosterEntry.objects.filter(agent=agent).count()
    day = timezone.localdate() + datetime.timedelta(days=day_offset + 5 * taken)
    starts_at, ends_at = template.window(day)
    return RosterEntry.objects.create(
        roster=_staffing_roster(agent.team),
        agent=agent,
        day=day,
        template=template,
        starts_at=starts_at,
        ends_at=ends_at,
    )


def _staffing_swap(requester, colleague):
    from staffing.models import SwapRequest

    return SwapRequest.objects.create(
        requester=requester,
        requester_shift=_staffing_shift(requester, 40),
        colleague=colleague,
        colleague_shift=_staffing_shift(colleague, 42),
        reason="matrix",
    )


def _staffing_leave(agent):
    from staffing.models import LeaveRequest

    start = timezone.now() + datetime.timedelta(days=30)
    return LeaveRequest.objects.create(
        agent=agent,
        kind="ordinary",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=8),
        reason="matrix",
        requested_by=agent.user,
    )


def _staffing_handover(m):
    from staffing.models import Handover

    return Handover.objects.create(
        team=m.world.teams["hotline"],
        shift_ends_at=timezone.now(),
        written_by=m.world.people["outsider"],
    )


def _staffing_absence(m):
    from staffing.models import AttendanceException

    shift = _staffing_shift(m.world.people["agent"].agent, -3)
    return AttendanceException.objects.create(
        shift=shift, agent=shift.agent, kind="absent", since=shift.starts_at, minutes=540
    )


STAFFING_PAGES = [
    ("my schedule", "GET", lambda m: reverse("staffing:my_schedule"), None, EVERYONE),
    ("renew my calendar feed", "POST", lambda m: reverse("staffing:renew_feed"), None, EVERYONE),
    ("rosters", "GET", lambda m: reverse("staffing:roster_list"), None, LEADS_AND_MANAGERS),
    (
        "roster editor",
        "GET",
        lambda m: reverse(
            "staffing:roster_edit", args=[_staffing_roster(m.world.teams["hotline"]).pk]
        ),
        None,
        LEADS_AND_MANAGERS,
    ),
    (
        "add a shift",
        "POST",
        lambda m: reverse(
            "staffing:roster_assign", args=[_staffing_roster(m.world.teams["hotline"]).pk]
        ),
        {},
        LEADS_AND_MANAGERS,
    ),
    (
        "remove a shift",
        "POST",
        lambda m: reverse(
            "staffing:roster_remove", args=[_staffing_roster(m.world.teams["hotline"]).pk]
        ),
        {},
        LEADS_AND_MANAGERS,
    ),
    (
        "propose next month's roster",
        "POST",
        lambda m: reverse("staffing:roster_propose_next"),
        {},
        LEADS_AND_MANAGERS,
    ),
    (
        "propose a draft's shifts",
        "POST",
        lambda m: reverse(
            "staffing:roster_propose", args=[_staffing_roster(m.world.teams["hotline"]).pk]
        ),
        None,
        LEADS_AND_MANAGERS,
    ),
    (
        "roster proposal progress",
        "GET",
        lambda m: reverse(
            "staffing:proposal_progress", args=[_staffing_roster(m.world.teams["hotline"]).pk]
        ),
        None,
        LEADS_AND_MANAGERS,
    ),
    (
        "publish a roster",
        "POST",
        lambda m: reverse(
            "staffing:roster_publish", args=[_staffing_roster(m.world.teams["hotline"]).pk]
        ),
        None,
        LEADS_AND_MANAGERS,
    ),
    ("leave and swaps", "GET", lambda m: reverse("staffing:my_requests"), None, EVERYONE),
    ("ask for leave", "POST", lambda m: reverse("staffing:leave_create"), {}, EVERYONE),
    (
        "withdraw my leave",
        "POST",
        lambda m: reverse("staffing:leave_withdraw", args=[_staffing_leave(m.user.agent).pk]),
        None,
        EVERYONE,
    ),
    ("ask for a swap", "POST", lambda m: reverse("staffing:swap_create"), {}, EVERYONE),
    (
        "answer a swap asked of me",
        "POST",
        lambda m: reverse(
            "staffing:swap_answer",
            args=[_staffing_swap(m.world.people["outsider"].agent, m.user.agent).pk],
        ),
        {"answer": "decline"},
        EVERYONE,
    ),
    (
        "withdraw my swap",
        "POST",
        lambda m: reverse(
            "staffing:swap_withdraw",
            args=[_staffing_swap(m.user.agent, m.world.people["outsider"].agent).pk],
        ),
        None,
        EVERYONE,
    ),
    (
        "leave and swap approvals",
        "GET",
        lambda m: reverse("staffing:approvals"),
        None,
        LEADS_AND_MANAGERS,
    ),
    (
        "decide leave",
        "POST",
        lambda m: reverse(
            "staffing:leave_decide", args=[_staffing_leave(m.world.people["outsider"].agent).pk]
        ),
        {},
        MANAGERS,
    ),
    (
        "decide a swap",
        "POST",
        lambda m: reverse(
            "staffing:swap_decide",
            args=[
                _staffing_swap(m.world.people["outsider"].agent, m.world.people["agent"].agent).pk
            ],
        ),
        {},
        LEADS_AND_MANAGERS,
    ),
    (
        "handover",
        "GET",
        lambda m: reverse("staffing:handover"),
        None,
        LEADS_AND_MANAGERS | {QA},
    ),
    (
        "write a handover",
        "POST",
        lambda m: reverse("staffing:handover_write"),
        {},
        LEADS_AND_MANAGERS,
    ),
    (
        "acknowledge a handover",
        "POST",
        lambda m: reverse("staffing:handover_acknowledge", args=[_staffing_handover(m).pk]),
        None,
        LEADS_AND_MANAGERS,
    ),
    (
        "record a duty event",
        "POST",
        lambda m: reverse("staffing:duty_log_write"),
        {},
        LEADS_AND_MANAGERS,
    ),
    ("attendance", "GET", lambda m: reverse("staffing:attendance"), None, LEADS_AND_MANAGERS),
    (
        "decide attendance",
        "POST",
        lambda m: reverse("staffing:attendance_decide", args=[_staffing_absence(m).pk]),
        {},
        LEADS_AND_MANAGERS,
    ),
]
PAGES += STAFFING_PAGES

# API path prefix -> (scope resource, roles that may read, roles that may write)
API_RESOURCES = [
    # PIPL Art. 47 erasure: the CS manager's alone (csc.erase_customer).
    ("/api/v1/customers/{id}/erase/", "customers", NOBODY, frozenset({CM})),
    ("/api/v1/metrics/", "metrics", SUPERVISORS, NOBODY),
    ("/api/v1/customers/", "customers", EVERYONE, WORKERS),
    ("/api/v1/contacts/", "contacts", EVERYONE, WORKERS),
    ("/api/v1/tickets/", "tickets", EVERYONE, WORKERS),
    ("/api/v1/problems/", "problems", EVERYONE, NOBODY),
    ("/api/v1/complaints/recurrence-rate/", "complaints", MANAGERS, NOBODY),
    ("/api/v1/complaints/{id}/approve_compensation/", "complaints", EVERYONE, EVERYONE),
    ("/api/v1/complaints/{id}/extend/", "complaints", EVERYONE, EVERYONE),
    ("/api/v1/complaints/{id}/", "complaints", EVERYONE, HANDLERS),
    ("/api/v1/complaints/", "complaints", EVERYONE, RECORDERS),
    ("/api/v1/complaint-clusters/", "complaints", EVERYONE, HANDLERS),
    ("/api/v1/sla/", "sla", EVERYONE, NOBODY),
    ("/api/v1/knowledge/", "knowledge", EVERYONE, NOBODY),
    # Survey answers come from the IVR (an integration); people read them.
    ("/api/v1/surveys/", "surveys", CARE_READERS, NOBODY),
    ("/api/v1/quality/", "quality", QA_READERS, NOBODY),
    # Webhook subscriptions belong to integrations, not to people.
    ("/api/v1/webhooks/", "webhooks", NOBODY, NOBODY),
    ("/api/v1/teams/", "staffing", EVERYONE, NOBODY),
    ("/api/v1/staffing/roster/", "staffing", EVERYONE, NOBODY),
    ("/api/v1/staffing/requirements/", "staffing", LEADS_AND_MANAGERS, NOBODY),
]
# approve_compensation and extend: anyone who sees the complaint may try; the service
# decides who may (complaints/actions.py). QA's attempts are covered below.


def api_rule(path: str, method: str) -> tuple[str, frozenset]:
    """The scope an operation needs and the roles that may call it."""
    for prefix, resource, readers, writers in API_RESOURCES:
        if path.startswith(prefix):
            write = method not in ("GET", "HEAD", "OPTIONS")
            return f"{resource}:{'write' if write else 'read'}", writers if write else readers
    raise AssertionError(f"{method} {path} is in no row of API_RESOURCES: add it")


def api_operations() -> list[tuple[str, str]]:
    return [
        (operation.path, operation.method.upper())
        for result in api_schema.get_all_operations()
        for operation in [result.ok()]
    ]


def _member_team(world, role):
    return world.teams[ROLE_TEAM[role]]


@pytest.fixture
def centre(world):
    """The world, plus for each role a ticket and a complaint of its own team."""
    world.own_tickets, world.own_complaints, world.notifications = {}, {}, {}
    world.macros = {}
    for role in ROLES:
        user, team = world.people[role], _member_team(world, role)
        ticket = TicketFactory(
            team=team,
            first_contact_agent=user,
            customer=world.customers[1],
            caller_number=world.customers[1].phone,
        )
        clocks_start(ticket, facts_for(ticket))
        complaint = make_complaint(
            recorded_by=world.people[AG], category="service_quality", customer=world.customers[2]
        )
        Ticket.objects.filter(pk=complaint.ticket_id).update(
            team=team, first_contact_agent=user, assignee=None
        )
        evidence_add(
            complaint,
            by=world.people[CH],
            file=SimpleUploadedFile("note.txt", b"what the customer said"),
            kind="chat_log",
        )
        world.own_tickets[role] = ticket
        world.macros[role] = Macro.objects.create(
            owner=user, name="问候", text="您好，{customer_name}", applies_to="reply"
        )
        world.notifications[role] = notify(user, kind="note", title="交接班提醒")
        world.own_complaints[role] = Complaint.objects.select_related("ticket").get(pk=complaint.pk)
    world.article = make_article(writer=world.people[TL], reviewer=world.people[CM])
    world.cluster = OutageCluster.objects.create(
        service_type="broadband", area="朝阳", threshold=3, window_minutes=60
    )
    world.problem = world.problems[0]
    # A callback in each role's own team's queue, by user.
    world.callbacks = {
        world.people[role].pk: care_services.callback_create(
            reason="manual", customer=world.customers[1], by=world.people[role]
        )
        for role in ROLES
    }
    return world


def _outcome(status: int, method: str) -> str:
    if status == 403:
        return "denied"
    if status == 404:
        return "not found"
    if status >= 500:
        return f"server error {status}"
    ok = {200, 302} if method == "GET" else {200, 201, 204, 302, 400, 409}
    return "allowed" if status in ok else f"unexpected {status}"


@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_each_role_as_designed(client, centre, role):
    matrix = Matrix(centre, role)
    client.force_login(matrix.user)

    got, expected = {}, {}
    for name, method, url, data, allowed in PAGES:
        path = url(matrix)
        response = client.get(path) if method == "GET" else client.post(path, data or {})
        got[name] = _outcome(response.status_code, method)
        expected[name] = "allowed" if role in allowed else "denied"

    assert got == expected


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_is_closed_to_every_role(client, centre, role):
    client.force_login(centre.people[role])

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def _api_call(client, matrix, path: str, method: str, **extra):
    ids = {
        "/api/v1/customers/": matrix.customer.pk,
        "/api/v1/contacts/": matrix.contact.pk,
        "/api/v1/tickets/": matrix.ticket.pk,
        "/api/v1/problems/": matrix.problem.pk,
        "/api/v1/complaints/": matrix.complaint.pk,
        "/api/v1/complaint-clusters/": matrix.cluster.pk,
        "/api/v1/sla/clocks/": matrix.clock.pk,
        "/api/v1/webhooks/": 1,
        "/api/v1/knowledge/articles/": matrix.article.pk,
        "/api/v1/quality/scorecards/": matrix.evaluation.scorecard_version.scorecard_id,
        "/api/v1/quality/evaluations/": matrix.evaluation.pk,
    }
    pk = next((pk for prefix, pk in ids.items() if path.startswith(prefix)), None)
    url = path.replace("{id}", str(pk))
    if method == "GET":
        return client.get(url, **extra)
    return client.generic(method, url, "{}", content_type="application/json", **extra)


@pytest.mark.parametrize("role", ROLES)
def test_each_api_operation_answers_each_role_as_designed(client, centre, role):
    matrix = Matrix(centre, role)
    client.force_login(matrix.user)

    got, expected = {}, {}
    for path, method in api_operations():
        _, allowed = api_rule(path, method)
        if path.startswith("/api/v1/webhooks/{id}"):
            continue  # no subscription is theirs to name; the list answers for the resource
        response = _api_call(client, matrix, path, method)
        got[f"{method} {path}"] = _outcome(response.status_code, method)
        expected[f"{method} {path}"] = "allowed" if role in allowed else "denied"

    assert got == expected


@pytest.fixture
def clients_by_scope(db):
    """For each scope, a client holding only it and one holding every other scope."""
    only, all_but = {}, {}
    for n, scope in enumerate(ALL_SCOPES):
        only[scope] = make_api_client(f"only-{n}", [scope])[1]
        others = [s for s in ALL_SCOPES if s != scope]
        all_but[scope] = make_api_client(f"all-but-{n}", others)[1]
    return only, all_but


NEEDS_SERVICE_USER_PERMISSION = {"/api/v1/customers/{id}/erase/"}


def test_integrations_reach_exactly_the_operations_of_their_scopes(
    client, centre, clients_by_scope
):
    only, all_but = clients_by_scope
    matrix = Matrix(centre, AG)

    wrong = {}
    for path, method in api_operations():
        scope, _ = api_rule(path, method)
        with_scope = _api_call(
            client, matrix, path, method, HTTP_AUTHORIZATION=f"Token {only[scope]}"
        )
        without = _api_call(
            client, matrix, path, method, HTTP_AUTHORIZATION=f"Token {all_but[scope]}"
        )
        # The scope opens the door; an erasure still asks the service user for the
        # permission (tests/csc/test_erasure.py), which this one lacks.
        refusals = {401} if path in NEEDS_SERVICE_USER_PERMISSION else {401, 403}
        if with_scope.status_code in refusals or with_scope.status_code >= 500:
            wrong[f"{method} {path} with {scope}"] = with_scope.status_code
        if without.status_code != 403:
            wrong[f"{method} {path} without {scope}"] = without.status_code

    assert wrong == {}


def test_without_a_key_or_with_a_bad_one_every_operation_answers_401(client, centre):
    matrix = Matrix(centre, AG)

    statuses = Counter()
    for path, method in api_operations():
        statuses[_api_call(client, matrix, path, method).status_code] += 1
        bad = _api_call(client, matrix, path, method, HTTP_AUTHORIZATION="Token not-a-key")
        statuses[bad.status_code] += 1

    assert set(statuses) == {401}


# --- an agent and other teams' tickets -----------------------------------------------------


@pytest.fixture
def foreign(world):
    """Tickets of Hotline B, which agent1 (Hotline A) does not work in."""
    agent, outsider = world.people[AG], world.people["outsider"]
    other = world.teams["other"]
    return {
        "own team": TicketFactory(team=world.teams["hotline"], first_contact_agent=outsider),
        "other team": TicketFactory(team=other, first_contact_agent=outsider, assignee=outsider),
        "other team, assigned to them": TicketFactory(
            team=other, first_contact_agent=outsider, assignee=agent
        ),
        "other team, they took the call": TicketFactory(
            team=other, first_contact_agent=agent, assignee=outsider
        ),
    }


VISIBLE_TO_AGENT = {"own team", "other team, assigned to them", "other team, they took the call"}


def test_an_agent_opens_only_tickets_of_their_team_or_theirs_by_assignment_or_first_contact(
    client, world, foreign
):
    client.force_login(world.people[AG])

    pages, api, notes = {}, {}, {}
    for name, ticket in foreign.items():
        pages[name] = client.get(reverse("worktickets:ticket_detail", args=[ticket.pk])).status_code
        api[name] = client.get(f"/api/v1/tickets/{ticket.pk}/").status_code
        notes[name] = client.post(
            f"/api/v1/tickets/{ticket.pk}/note/", {"body": "看看"}, content_type="application/json"
        ).status_code

    expected = {name: 200 if name in VISIBLE_TO_AGENT else 404 for name in foreign}
    assert pages == expected
    assert api == expected
    assert notes == {name: 201 if name in VISIBLE_TO_AGENT else 404 for name in foreign}


def test_an_agent_lists_only_tickets_of_their_team_or_theirs(client, world, foreign):
    client.force_login(world.people[AG])
    visible_ids = {foreign[name].pk for name in VISIBLE_TO_AGENT}
    hidden = foreign["other team"]

    api_ids = {row["id"] for row in client.get("/api/v1/tickets/?page_size=200").json()["results"]}
    other_team = client.get(f"/api/v1/tickets/?team={hidden.team_id}").json()["results"]
    by_number = client.get(f"/api/v1/tickets/?number={hidden.number}").json()["results"]
    queue = client.get(reverse("worktickets:team_queue"), {"team": hidden.team_id})
    search = client.get(reverse("worktickets:search"), {"q": hidden.number})
    follow_ups = client.get(reverse("worktickets:follow_ups"))
    my_queue = client.get(reverse("worktickets:my_queue"))

    def link(ticket) -> str:
        return f'href="{reverse("worktickets:ticket_detail", args=[ticket.pk])}"'

    assert visible_ids <= api_ids and hidden.pk not in api_ids
    assert {row["id"] for row in other_team} == visible_ids - {foreign["own team"].pk}
    assert by_number == []
    # A visible number would redirect to the ticket; a hidden one is "not visible to you".
    assert search.status_code == 200 and link(hidden) not in search.content.decode()
    for page in (queue, follow_ups, my_queue):
        assert page.status_code == 200
        assert link(hidden) not in page.content.decode()
    assert link(foreign["other team, assigned to them"]) in my_queue.content.decode()
    assert link(foreign["other team, they took the call"]) in follow_ups.content.decode()
    found = client.get(reverse("worktickets:search"), {"q": foreign["own team"].number})
    assert found.status_code == 302


def test_nobody_opens_another_persons_notification(client, centre):
    client.force_login(centre.people[AG])

    own = client.get(reverse("notifications:open", args=[centre.notifications[AG].pk]))
    other = client.get(reverse("notifications:open", args=[centre.notifications[TL].pk]))

    assert own.status_code in (200, 302)
    assert other.status_code == 404


def test_an_agent_does_not_see_another_teams_complaints(client, world):
    client.force_login(world.people[AG])
    outsider = world.people["outsider"]
    hidden = make_complaint(recorded_by=outsider, category="service_quality")
    assert hidden.ticket.team == world.teams["other"]

    detail = client.get(reverse("complaints:detail", args=[hidden.pk]))
    api_detail = client.get(f"/api/v1/complaints/{hidden.pk}/")
    api_ticket = client.get(f"/api/v1/tickets/{hidden.ticket_id}/")
    listed = {row["id"] for row in client.get("/api/v1/complaints/").json()["results"]}

    assert (detail.status_code, api_detail.status_code, api_ticket.status_code) == (404, 404, 404)
    assert hidden.pk not in listed


# --- QA reads and writes nothing ---------------------------------------------------------


def _counts() -> dict:
    models = [Ticket, TicketEvent, Complaint, Evidence, Customer, Contact, Problem, ProblemEvent]
    models.append(Macro)  # and the macros' use counts below
    versions = sorted(Ticket.objects.values_list("pk", "version"))
    problems = sorted(Problem.objects.values_list("pk", "version"))
    return {
        **{m.__name__: m.objects.count() for m in models},
        "versions": versions,
        "problem versions": problems,
        "macro uses": sorted(Macro.objects.values_list("pk", "use_count")),
    }


def test_qa_changes_nothing_through_any_door(client, centre):
    qa, agent = centre.people[QA], centre.people[AG]
    ticket = centre.own_tickets[AG]
    complaint = centre.own_complaints[TL]
    customer = centre.customers[0]
    version = ticket.version
    cversion = complaint.ticket.version
    client.force_login(qa)
    before = _counts()

    problem = centre.problem
    review = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    attempts = {
        "page: raise a problem": client.post(
            reverse("worktickets:ticket_problem_raise", args=[ticket.pk]),
            {"title": "x", "owner": centre.people[TS].pk, "review_date": review},
        ),
        "page: count a ticket against a problem": client.post(
            reverse("worktickets:ticket_problem_link", args=[centre.own_tickets[TL].pk]),
            {"problem": problem.pk},
        ),
        "page: move a problem along": client.post(
            reverse("worktickets:problem_advance", args=[problem.pk]),
            {"version": problem.version, "to_status": "analysing"},
        ),
        "page: note": client.post(
            reverse("worktickets:ticket_action", args=[ticket.pk, "note"]),
            {"version": version, "body": "质检意见"},
        ),
        "page: accept": client.post(
            reverse("worktickets:ticket_action", args=[ticket.pk, "accept"]), {"version": version}
        ),
        "page: new macro": client.post(
            reverse("worktickets:macro_new"),
            {"name": "x", "applies_to": "reply", "text": "您好"},
        ),
        "page: use a macro": client.post(
            reverse("worktickets:macro_use", args=[centre.macros[AG].pk])
        ),
        "page: bulk close": client.post(
            reverse("worktickets:queue_bulk"),
            {"action": "close", "tickets": [f"{ticket.pk}:{version}"]},
        ),
        "page: new ticket": client.post(
            reverse("worktickets:ticket_new"),
            {"kind": "inquiry", "channel": "hotline", "subject": "x", "customer": customer.pk},
        ),
        "page: register customer": client.post(
            reverse("intake:customer_register"), {"name": "张三", "phone": "13912345678"}
        ),
        "page: record contact": client.post(
            reverse("intake:contact_record"), {"channel": "hotline"}
        ),
        "page: new complaint": client.post(
            reverse("complaints:new"),
            {"channel": "hotline", "category": "billing", "content": "x", "customer": customer.pk},
        ),
        "page: accept complaint": client.post(
            reverse("complaints:action", args=[complaint.pk, "accept"]), {"version": cversion}
        ),
        "page: extend complaint": client.post(
            reverse("complaints:action", args=[complaint.pk, "extend"]),
            {
                "version": cversion,
                "decision": "approve",
                "metric": "complaint_feedback",
                "working_days": 2,
                "reason": "质检",
            },
        ),
        "api: note": client.post(
            f"/api/v1/tickets/{ticket.pk}/note/", {"body": "x"}, content_type="application/json"
        ),
        "api: accept": client.post(
            f"/api/v1/tickets/{ticket.pk}/accept/",
            {"version": version},
            content_type="application/json",
        ),
        "api: patch ticket": client.patch(
            f"/api/v1/tickets/{ticket.pk}/",
            {"version": version, "subject": "改"},
            content_type="application/json",
        ),
        "api: new ticket": client.post(
            "/api/v1/tickets/",
            {"kind": "inquiry", "channel": "hotline", "subject": "x", "customer": customer.pk},
            content_type="application/json",
        ),
        "api: new complaint": client.post(
            "/api/v1/complaints/",
            {"channel": "hotline", "category": "billing", "content": "x", "customer": customer.pk},
            content_type="application/json",
        ),
        "api: accept complaint": client.post(
            f"/api/v1/complaints/{complaint.pk}/accept/",
            {"version": cversion},
            content_type="application/json",
        ),
        "api: extend complaint": client.post(
            f"/api/v1/complaints/{complaint.pk}/extend/",
            {
                "version": cversion,
                "decision": "approve",
                "metric": "complaint_feedback",
                "working_days": 2,
                "reason": "质检",
            },
            content_type="application/json",
        ),
        "api: evidence": client.post(
            f"/api/v1/complaints/{complaint.pk}/evidence/",
            {"file": SimpleUploadedFile("a.txt", b"x"), "kind": "chat_log"},
        ),
        "api: new customer": client.post(
            "/api/v1/customers/",
            {"name": "张三", "phone": "13912345678"},
            content_type="application/json",
        ),
        "api: change customer": client.patch(
            f"/api/v1/customers/{customer.pk}/", {"city": "上海"}, content_type="application/json"
        ),
        "api: new contact": client.post(
            "/api/v1/contacts/",
            {"channel": "hotline", "queued_at": "2026-03-02T10:00:00+08:00"},
            content_type="application/json",
        ),
    }

    refused = {name: response.status_code for name, response in attempts.items()}
    assert refused == dict.fromkeys(attempts, 403)
    assert _counts() == before
    # The same note from the ticket's agent goes through: the refusals are QA's.
    client.force_login(agent)
    assert (
        client.post(
            f"/api/v1/tickets/{ticket.pk}/note/", {"body": "x"}, content_type="application/json"
        ).status_code
        == 201
    )


def test_an_agent_does_not_read_a_colleagues_complaint_through_the_tickets_of_the_team(
    client, world
):
    # Was a hole: complaints_visible_to hides a team's complaints from agents who only
    # record them (they may be about colleagues), but the ticket API, its list and the
    # team queue showed the complaint's ticket, content included, to the whole team.
    colleague = UserFactory(username="agent2", roles=[AG])
    AgentFactory(user=colleague, team=world.teams["hotline"])
    complaint = make_complaint(
        recorded_by=world.people[AG], category="service_quality", content="班长服务态度恶劣"
    )
    ticket = complaint.ticket
    assert ticket.team == world.teams["hotline"]
    client.force_login(colleague)

    detail = client.get(f"/api/v1/tickets/{ticket.pk}/")
    note = client.post(
        f"/api/v1/tickets/{ticket.pk}/note/", {"body": "?"}, content_type="application/json"
    )
    listed = {row["id"] for row in client.get("/api/v1/tickets/").json()["results"]}
    queue = client.get(reverse("worktickets:team_queue")).content.decode()

    assert (detail.status_code, note.status_code) == (404, 404)
    assert ticket.pk not in listed
    assert ticket.number not in queue
    # The team's other work is still theirs, and the team lead who handles it sees it.
    assert world.tickets[0].pk in listed
    client.force_login(world.people[TL])
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200
    assert ticket.number in client.get(reverse("worktickets:team_queue")).content.decode()


def _url_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


PUBLIC_PAGES = {"care:survey"}


def test_the_page_matrix_covers_every_page_of_the_apps(centre):
    # Every namespaced page and home; sign-in, the health probe and the language switch
    # are public, the API's documents need a sign-in (tests/csc/test_schema_access.py),
    # the admin has its own test and every API operation is in the API matrix.
    matrix = Matrix(centre, AG)
    covered = {resolve(url(matrix).split("?")[0]).view_name for _, _, url, _, _ in PAGES}

    pages = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if (not name.startswith("admin:") and ":" in name) or name == "home"
    }

    # The customer's survey page is public (tests/care/test_views.py).
    assert pages - covered - PUBLIC_PAGES == set(), "add a row to PAGES for each new page"


def test_signed_out_visitors_are_sent_to_sign_in_from_every_page(client, centre):
    matrix = Matrix(centre, AG)

    answers = {}
    for name, method, url, data, _ in PAGES:
        path = url(matrix)
        response = client.get(path) if method == "GET" else client.post(path, data or {})
        answers[name] = (response.status_code, response.get("Location", "").split("?")[0])

    assert answers == dict.fromkeys(answers, (302, reverse("login")))


def test_a_handling_group_does_not_open_another_groups_complaints(client, world):
    billing = world.complaints[0]  # routed to market & legal
    assert billing.ticket.team == world.teams["legal"]
    evidence_add(
        billing,
        by=world.people[ML],
        file=SimpleUploadedFile("bill.txt", b"the disputed bill"),
        kind="document",
    )

    answers = {}
    for role in (CH, ML):
        client.force_login(world.people[role])
        answers[role] = (
            client.get(reverse("complaints:detail", args=[billing.pk])).status_code,
            client.get(reverse("complaints:evidence_download", args=[billing.pk, 1])).status_code,
            client.get(f"/api/v1/complaints/{billing.pk}/").status_code,
            client.get(f"/api/v1/complaints/{billing.pk}/evidence/").status_code,
        )

    assert answers == {CH: (404, 404, 404, 404), ML: (200, 200, 200, 200)}


# --- every kind of ticket through every door ------------------------------------------------

KINDS = ("inquiry", "business", "complaint")
PLACES = ("hotline", "other")  # the team the ticket is in: agent1's and lead1's, or Hotline B
# Who may open which (place, kind), as DOMAIN and the roles say: a team's inquiries and
# business orders are its members'; supervisors and QA see every team's; complaints follow
# the complaint rule (handling group, assignee, first-contact agent, leadership, managers
# and QA), which seeing every team's tickets does not widen. Nobody here is the tickets'
# assignee or first-contact agent (a colleague or the outsider is).
ALL_PLACED = frozenset((place, kind) for place in PLACES for kind in KINDS)
OPENS = {
    AG: frozenset({("hotline", "inquiry"), ("hotline", "business")}),
    TL: ALL_PLACED - {("other", "complaint")},
    CH: frozenset(),
    QA: ALL_PLACED,
    CM: ALL_PLACED,
}


def _placed_ticket(world, place: str, kind: str, customer, holder) -> Ticket:
    subject = f"矩阵-{place}-{kind}"
    team = world.teams[place]
    if kind == "complaint":
        complaint = make_complaint(
            recorded_by=holder, category="service_quality", customer=customer, subject=subject
        )
        Ticket.objects.filter(pk=complaint.ticket_id).update(
            team=team, first_contact_agent=holder, assignee=holder
        )
        return Ticket.objects.get(pk=complaint.ticket_id)
    factory = BusinessTicketFactory if kind == "business" else TicketFactory
    return factory(
        team=team, customer=customer, first_contact_agent=holder, assignee=holder, subject=subject
    )


@pytest.fixture
def placed(world):
    """One ticket of each kind in each team, a customer per team, and the colleague of
    agent1 who holds the team's tickets (a complaint may be about them)."""
    colleague = UserFactory(username="colleague1", roles=[AG])
    AgentFactory(user=colleague, team=world.teams["hotline"])
    holders = {"hotline": colleague, "other": world.people["outsider"]}
    world.place_customers = {place: CustomerFactory(payment_type="postpaid") for place in PLACES}
    world.placed = {
        (place, kind): _placed_ticket(
            world, place, kind, world.place_customers[place], holders[place]
        )
        for place in PLACES
        for kind in KINDS
    }
    return world


def _doors_reached(client, world, role) -> dict[str, set]:
    """For each door, which of the placed tickets it let the person reach."""
    user = world.people[role]
    # A ticket of theirs for each customer, so the customer panel has a page to sit on.
    anchors = {
        place: TicketFactory(
            team=world.teams["qa"],
            customer=customer,
            first_contact_agent=user,
            assignee=user,
            subject=f"锚-{place}",
        )
        for place, customer in world.place_customers.items()
    }
    client.force_login(user)
    reached: dict[str, set] = {}

    def door(name: str, key, hit: bool) -> None:
        reached.setdefault(name, set())
        if hit:
            reached[name].add(key)

    listed = {row["id"] for row in client.get("/api/v1/tickets/?page_size=200").json()["results"]}
    for key, ticket in world.placed.items():
        page = reverse("worktickets:ticket_detail", args=[ticket.pk])
        api = f"/api/v1/tickets/{ticket.pk}/"
        json = {"content_type": "application/json"}
        door("page", key, client.get(page).status_code != 404)
        door("htmx fragment", key, client.get(page, HTTP_HX_REQUEST="true").status_code != 404)
        for action in ("note", "edit"):
            answer = client.post(
                reverse("worktickets:ticket_action", args=[ticket.pk, action]),
                {"version": ticket.version, "body": "?", "subject": "改"},
                HTTP_HX_REQUEST="true",
            )
            door(f"page {action}", key, answer.status_code != 404)
        door("api list", key, ticket.pk in listed)
        door("api detail", key, client.get(api).status_code == 200)
        patch = client.patch(api, {"version": ticket.version, "priority": 3}, **json)
        door("api patch", key, patch.status_code != 404)
        note = client.post(f"{api}note/", {"body": "?"}, **json)
        door("api note", key, note.status_code != 404)
        accept = client.post(f"{api}accept/", {"version": ticket.version}, **json)
        door("api action", key, accept.status_code != 404)
        by_number = client.get(reverse("worktickets:search"), {"q": ticket.number})
        door("search by number", key, by_number.status_code == 302)
        if key[1] == "complaint":
            archive = client.get(reverse("complaints:archive", args=[ticket.pk]))
            door("export", key, archive.status_code == 200)
            api_complaint = client.get(f"/api/v1/complaints/{ticket.pk}/")
            door("complaint api", key, api_complaint.status_code == 200)
    for place, customer in world.place_customers.items():
        by_phone = client.get(reverse("worktickets:search"), {"q": customer.phone})
        caller = client.get(reverse("worktickets:caller_lookup"), {"phone": customer.phone})
        panel = client.get(reverse("worktickets:ticket_detail", args=[anchors[place].pk]))
        queue = client.get(reverse("worktickets:team_queue"), {"team": world.teams[place].pk})
        for kind in KINDS:
            ticket = world.placed[place, kind]
            door("search by phone", (place, kind), ticket.number in by_phone.content.decode())
            for name, response in (("caller panel", caller), ("customer panel", panel)):
                # The caller panel is for those who open tickets (QA does not: 403).
                assert response.status_code in (200, 403)
                door(name, (place, kind), ticket.subject in response.content.decode())
            door("team queue", (place, kind), ticket.number in queue.content.decode())
    return reached


@pytest.mark.parametrize("role", sorted(OPENS))
def test_every_kind_of_ticket_reaches_a_person_through_every_door_or_none(client, placed, role):
    reached = _doors_reached(client, placed, role)

    opens = OPENS[role]
    complaints = {key for key in opens if key[1] == "complaint"}
    expected = {door: set(opens) for door in reached}
    expected["export"] = expected["complaint api"] = complaints
    if role == QA:
        expected["caller panel"] = set()  # the new-ticket page is not QA's
    assert reached == expected


def test_the_tickets_scope_alone_neither_reads_nor_changes_complaints(client, placed):
    complaint = placed.placed["other", "complaint"]
    inquiry = placed.placed["other", "inquiry"]
    tickets_only = make_api_client("t-only", ["tickets:read", "tickets:write"])[1]
    reads_complaints = make_api_client(
        "t-cr", ["tickets:read", "tickets:write", "complaints:read"]
    )[1]
    full = make_api_client(
        "t-full", ["tickets:read", "tickets:write", "complaints:read", "complaints:write"]
    )[1]

    def answers(key: str, ticket) -> tuple:
        auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
        json = {"content_type": "application/json", **auth}
        listed = {
            row["id"]
            for row in client.get("/api/v1/tickets/?page_size=200", **auth).json()["results"]
        }
        return (
            ticket.pk in listed,
            client.get(f"/api/v1/tickets/{ticket.pk}/", **auth).status_code,
            client.patch(
                f"/api/v1/tickets/{ticket.pk}/", {"version": ticket.version, "priority": 3}, **json
            ).status_code,
            client.post(f"/api/v1/tickets/{ticket.pk}/note/", {"body": "?"}, **json).status_code,
        )

    assert answers(tickets_only, complaint) == (False, 404, 404, 404)
    assert answers(reads_complaints, complaint) == (True, 200, 403, 403)
    assert answers(full, complaint) == (True, 200, 200, 201)
    assert answers(tickets_only, inquiry) == (True, 200, 200, 201)


# --- restricted knowledge articles (DOMAIN.md IS-9) ------------------------------------------


def test_a_restricted_article_opens_only_for_its_audience_and_reviewers(client, world):
    from django.contrib.auth.models import Group

    article = make_article(
        "班长审批权限",
        writer=world.people[TL],
        reviewer=world.people[CM],
        audience="restricted",
        audience_roles=[Group.objects.get(name="team_lead")],
    )
    pages, api, search = {}, {}, {}
    for role in ROLES:
        client.force_login(world.people[role])
        pages[role] = client.get(reverse("knowledge:detail", args=[article.pk])).status_code
        api[role] = client.get(f"/api/v1/knowledge/articles/{article.pk}/").status_code
        found = client.get(reverse("knowledge:search"), {"q": "审批权限"}).content.decode()
        search[role] = f'href="/knowledge/{article.pk}/"' in found
    readers = {TL, CM, CD}  # the role named, and reviewers (knowledge.view_restricted_articles)

    assert pages == {role: 200 if role in readers else 404 for role in ROLES}
    assert api == pages
    assert search == {role: role in readers for role in ROLES}
