"""Every change to a ticket: one function per business action.

Each action locks the ticket row, checks the version the caller read (a stale
one is refused, never overwritten), checks the transition table in
choices.TRANSITIONS, saves, bumps the version and writes a timeline event in
the same transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Func, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from csc.lib.anonymise import MARKER, anonymise_rows, marked
from csc.lib.errors import DomainError, IllegalTransition, NotAllowed, StaleVersion
from csc.lib.phrases import Phrase, stored_phrase
from intake.choices import Channel
from intake.models import Contact, Customer
from sla import services as sla_services
from sla.choices import Metric
from sla.matching import TicketFacts
from sla.models import Clock
from staffing.models import Team, User
from staffing.outbox import notify
from worktickets import assignment, eligibility, lifecycle, webhooks
from worktickets.choices import (
    INITIAL_STATUS,
    PROBLEM_TRANSITIONS,
    TRANSITIONS,
    Action,
    EventKind,
    Priority,
    ProblemEventKind,
    ProblemStatus,
    TicketKind,
    TicketStatus,
)
from worktickets.deadlines import order_service_type
from worktickets.models import (
    MESSAGE_KEY,
    BusinessType,
    InquiryCategory,
    Problem,
    ProblemEvent,
    ProblemTicket,
    SavedQueueView,
    Ticket,
    TicketEvent,
)
from worktickets.numbering import next_ticket_number, next_ticket_number_and_id
from worktickets.reference import category_by_id, delivery_limit_for
from worktickets.selectors import HANDLE_COMPLAINTS, KEEP_PROBLEMS

REOPEN_WINDOW_DAYS_DEFAULT = 7


def reopen_window() -> timedelta:
    return timedelta(
        days=getattr(settings, "TICKET_REOPEN_WINDOW_DAYS", REOPEN_WINDOW_DAYS_DEFAULT)
    )


# ---------------------------------------------------------------- helpers


# The four helpers below are also used by the complaints app, whose actions run
# on the same Ticket row with the same locking, versioning and timeline.


def record_event(ticket: Ticket, kind: str, by: User | None, **fields) -> TicketEvent:
    return record_events([TicketEvent(ticket=ticket, kind=kind, actor=by, **fields)])[0]


def record_events(events: list[TicketEvent]) -> list[TicketEvent]:
    """Several timeline lines built by the caller, in one INSERT. A body given as a
    Phrase keeps its key and parameters, to be read in each reader's language."""
    for event in events:
        message = stored_phrase(event.body)
        if message is not None:
            event.data = {**(event.data or {}), MESSAGE_KEY: message}
            event.body = str(event.body)
    TicketEvent.objects.bulk_create(events)
    return events


def lock_ticket(ticket: Ticket | int, expected_version: int | None) -> Ticket:
    """Reload the ticket under a row lock and refuse a stale version."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    locked = Ticket.objects.select_for_update().select_related("team").get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        last = (
            TicketEvent.objects.filter(ticket=locked)
            .select_related("actor")
            .order_by("-at", "-pk")
            .first()
        )
        who = last.actor.display_name if last and last.actor else _("someone else")
        raise StaleVersion(
            _(
                "Ticket %(number)s was changed by %(who)s since you opened it "
                "(version %(theirs)s, you had %(yours)s). Reload it and try again."
            )
            % {
                "number": locked.number,
                "who": who,
                "theirs": locked.version,
                "yours": expected_version,
            },
            details={"current_version": locked.version},
        )
    return locked


def _check_transition(ticket: Ticket, action: str) -> str | None:
    table = TRANSITIONS.get(ticket.kind, {})
    if action not in table:
        raise IllegalTransition(
            _("%(action)s is not an action for a ticket of kind %(kind)s.")
            % {"action": Action(action).label, "kind": ticket.get_kind_display()},
            details={"status": ticket.status},
        )
    allowed_from, target = table[action]
    if ticket.status not in allowed_from:
        raise IllegalTransition(
            _("Cannot %(action)s ticket %(number)s while it is %(status)s.")
            % {
                "action": str(Action(action).label).lower(),
                "number": ticket.number,
                "status": ticket.get_status_display(),
            },
            details={"status": ticket.status, "allowed": allowed_actions(ticket)},
        )
    return target


def _check_move(ticket: Ticket, action: str) -> str:
    """_check_transition for an action that changes the status: the status it leads to."""
    target = _check_transition(ticket, action)
    if target is None:
        raise LookupError(f"choices.TRANSITIONS gives {action} no target status")
    return target


def save_ticket(ticket: Ticket, fields: Iterable[str]) -> None:
    ticket.version += 1
    ticket.save(update_fields=sorted({*fields, "version", "updated_at"}))


def change_status(
    ticket: Ticket, to_status: str, by: User | None, *, body: str | Phrase = "", **data
) -> str:
    """Move to a new status, recording the change; returns the old status."""
    from_status = ticket.status
    old_category = ticket.status_category
    ticket.set_status(to_status)
    event = record_event(
        ticket,
        EventKind.STATUS_CHANGED,
        by,
        from_status=from_status,
        to_status=to_status,
        body=body,
        data=data,
    )
    _on_status_category_change(ticket, old_category, ticket.status_category)
    webhooks.ticket_status_changed_emit(ticket, event)
    lifecycle.status_changed(ticket, to_status)
    return from_status


@transaction.atomic
def ticket_record_survey_score(ticket: Ticket, score: int) -> Ticket:
    """Record the customer's satisfaction answer (1-5) on the ticket (DOMAIN.md P-13), so
    apps below care (quality's sampling) can read it without importing care."""
    if not 1 <= score <= 5:
        raise DomainError(_("A satisfaction score is from 1 to 5."), code="invalid")
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    locked.survey_score = score
    locked.save(update_fields=["survey_score", "updated_at"])
    return locked


def _on_status_category_change(ticket: Ticket, old: str, new: str) -> None:
    # The SLA engine pauses, resumes, meets or restarts the clocks by category.
    sla_services.clocks_status_changed(ticket, old, new)


def check_may_change(ticket: Ticket, user: User) -> None:
    """A complaint's ticket (its subject, content, priority and notes) is changed only by
    those who handle complaints, through whichever door: the agent who took the call sees
    it but does not rewrite it. Doors call this for people; integrations need the
    complaints scope instead (worktickets.api)."""
    if ticket.kind == TicketKind.COMPLAINT and not user.has_perm(HANDLE_COMPLAINTS):
        raise NotAllowed(_("Only those who handle complaints may change a complaint."))


def allowed_actions(ticket: Ticket) -> list[str]:
    """The actions the ticket's kind and status allow now (for buttons and 409 bodies)."""
    actions = []
    for action, (allowed_from, _target) in TRANSITIONS.get(ticket.kind, {}).items():
        if ticket.status not in allowed_from:
            continue
        if action == Action.REOPEN and not _within_reopen_window(ticket):
            continue
        if action == Action.APPROVE and not _needs_approval(ticket):
            continue
        if (
            action == Action.DELIVER
            and _needs_approval(ticket)
            and ticket.status != TicketStatus.APPROVED
        ):
            continue
        actions.append(str(action))
    return actions


def _needs_approval(ticket: Ticket) -> bool:
    """A business order whose type needs a team lead's approval (审批)."""
    return ticket.business_type is not None and ticket.business_type.requires_approval


def _within_reopen_window(ticket: Ticket) -> bool:
    since = ticket.resolved_at or ticket.closed_at
    return since is None or timezone.now() - since <= reopen_window()


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required", details={field: [message]})
    return value


# ---------------------------------------------------------------- create


def _default_team(user: User) -> Team:
    agent = getattr(user, "agent", None)
    if agent is not None:
        return agent.team
    raise DomainError(
        _("Choose the team for this ticket: you have no team of your own."),
        code="team_required",
        details={"team": [_("This field is required.")]},
    )


def _kept_by_creator(created_by: User, team: Team) -> User | None:
    """The agent who opens a ticket for their own team keeps it; sent to another team,
    or opened by someone without a team (an integration), it waits in that team's queue."""
    agent = getattr(created_by, "agent", None)
    if agent is not None and agent.team_id == team.pk and created_by.is_active:
        return created_by
    return None


@dataclass(frozen=True)
class TicketCreated:
    """What opening a ticket wrote: the caller answers from it without reading back."""

    ticket: Ticket
    event: TicketEvent
    clocks: list[Clock]
    # Every timeline line the creation wrote: the created line (which tells what
    # auto-assignment decided).
    timeline: list[TicketEvent]


@transaction.atomic
def ticket_create(
    *,
    kind: str,
    channel: str,
    subject: str,
    created_by: User,
    description: str = "",
    customer: Customer | None = None,
    caller_number: str = "",
    contact: Contact | None = None,
    team: Team | None = None,
    assignee: User | None = None,
    first_contact_agent: User | None = None,
    business_type: BusinessType | None = None,
    order_details: dict | None = None,
    priority: int = Priority.NORMAL,
    category: InquiryCategory | None = None,
    to_team_queue: bool = False,
    callback_reason: str = "",
    clocks_from: datetime | None = None,
) -> TicketCreated:
    """Open an inquiry or a business order (complaints open through the complaints app).

    A ticket an agent opens for their own team is theirs (in their own queue) unless
    it names another assignee or is left in the team's queue (`to_team_queue`). A
    ticket left nobody's goes to an agent on shift when its team assigns
    automatically (worktickets.assignment), or else waits in the team's queue. Its
    SLA clocks count from now, or from `clocks_from` when the work is booked for a
    later moment (a VIP appointment's slot, DOMAIN.md P-9)."""
    _check_kind_and_channel(kind, channel)
    subject = _require_text(subject, "subject", _("Give the ticket a subject."))
    if contact is not None and customer is None:
        customer = contact.customer
    _check_business_order(kind, customer, business_type, channel)
    if category is not None:
        _check_category(kind, category)
    team = team or _default_team(created_by)
    if assignee is None and not to_team_queue:
        assignee = _kept_by_creator(created_by, team)
    ticket = Ticket(
        kind=kind,
        channel=channel,
        subject=subject,
        description=description,
        customer=customer,
        caller_number=caller_number or (customer.phone if customer else ""),
        contact=contact,
        team=team,
        assignee=assignee,
        first_contact_agent=first_contact_agent or created_by,
        business_type=business_type,
        order_details=order_details or {},
        priority=priority,
        category=category,
        callback_reason=callback_reason if kind == TicketKind.CALLBACK else "",
        created_by=created_by,
    )
    ticket.set_status(INITIAL_STATUS[kind])
    now = timezone.now()
    # The clocks are planned first so the ticket is written once, with its
    # nearest deadline (the queue's order) and its number already set.
    facts = ticket_facts(ticket)
    clocks = sla_services.clocks_planned(facts, at=clocks_from or now)
    ticket.sla_due_at = sla_services.nearest_due(clocks)
    # Nobody's yet (not kept by its creator nor named): an agent on shift, when the
    # team assigns automatically (worktickets.assignment); no query when it does not.
    started: list[Clock] | None = None
    if assignee is None and assignment.clocks_before_lock(ticket):
        # The chosen agent's lock is held until the commit, and creations wanting
        # that agent wait for it: the clocks go in before it is taken (their key to
        # the ticket is checked at the commit), so it is held over fewer statements.
        # The ticket's id comes with its number, in the same statement.
        ticket.number, ticket.pk = next_ticket_number_and_id(now)
    else:
        ticket.number = next_ticket_number(now)
    if ticket.pk is not None:
        started = sla_services.clocks_save_planned(ticket, clocks, facts)
    auto = assignment.assign_new(ticket, at=now) if assignee is None else None
    # simple-history writes the creation's history row
    ticket.save(force_insert=started is not None)
    event = TicketEvent(
        ticket=ticket,
        kind=EventKind.CREATED,
        actor=created_by,
        to_status=ticket.status,
        body=description,
    )
    if auto is not None:
        auto.note_on(event)
    timeline = record_events([event])
    if started is None:
        started = sla_services.clocks_save_planned(ticket, clocks, facts)
    webhooks.ticket_created_emit(ticket)
    if auto is not None:
        auto.tell(ticket)
    return TicketCreated(ticket, event, started, timeline)


def _check_kind_and_channel(kind: str, channel: str) -> None:
    if kind not in INITIAL_STATUS:
        raise DomainError(
            _("Tickets of kind %(kind)s are opened elsewhere.") % {"kind": kind},
            code="invalid_kind",
            details={"kind": [_("Choose inquiry or business.")]},
        )
    if channel not in Channel.values:
        raise DomainError(
            _("Unknown channel."), code="invalid", details={"channel": [_("Unknown channel.")]}
        )


def _check_business_order(
    kind: str, customer: Customer | None, business_type: BusinessType | None, channel: str
) -> None:
    """A business order names a registered customer and a business type the customer
    may order on this channel; other tickets carry no business type."""
    if kind != TicketKind.BUSINESS:
        if business_type is not None:
            raise DomainError(
                _("Only business tickets carry a business type."),
                code="invalid",
                details={"business_type": [_("Only business tickets carry a business type.")]},
            )
        return
    if customer is None:
        raise DomainError(
            _("A business order needs a registered customer."),
            code="customer_required",
            details={"customer": [_("Look up or register the customer first.")]},
        )
    if business_type is None:
        raise DomainError(
            _("Choose the business type."),
            code="business_type_required",
            details={"business_type": [_("This field is required.")]},
        )
    eligibility.check(business_type, customer, channel)


def _check_category(kind: str, category: InquiryCategory) -> None:
    """Inquiries carry a category (DOMAIN.md W-5 classification), and only an active one
    is chosen anew."""
    if kind != TicketKind.INQUIRY:
        message = _("Only inquiries carry an inquiry category.")
        raise DomainError(message, code="invalid", details={"category": [message]})
    if not category.in_use:
        message = _("The category %(name)s is no longer in use; choose another.") % {
            "name": category.name
        }
        raise DomainError(message, code="invalid", details={"category": [message]})


def ticket_facts(ticket: Ticket) -> TicketFacts:
    """What the SLA policies match on (DESIGN.md §2.2)."""
    customer = ticket.customer
    business_type = ticket.business_type
    category = category_by_id(ticket.category_id)
    service_type = order_service_type(ticket)
    limit = delivery_limit_for(ticket.business_type_id, ticket.channel, service_type)
    return TicketFacts(
        kind=ticket.kind,
        channel=ticket.channel,
        priority=ticket.priority,
        vip_tier=customer.grade_tier if customer else "none",
        business_type_code=business_type.code if business_type else "",
        delivery_limit_minutes=limit.minutes if limit else None,
        region=customer.region if customer else "",
        service_type=service_type,
        category_codes=_category_codes(ticket, category),
    )


def _category_codes(ticket: Ticket, category) -> tuple[str, ...]:
    if ticket.kind == TicketKind.CALLBACK:
        # Callback policies match per reason ("callback_dissatisfied"), then any callback.
        return (f"callback_{ticket.callback_reason or 'manual'}", "callback")
    return category.codes if category is not None else ()


def business_deadlines_start_missing(*, at: datetime | None = None) -> int:
    """Start the delivery deadline of open business orders that have none because they
    were accepted while their business type had no limit (DOMAIN.md K-5).

    The deadline counts from `at` (now), not from acceptance: an order nobody could
    have known was due is not reported late at once. One transaction per order;
    returns how many orders got a deadline.
    """
    at = at or timezone.now()
    orders = (
        Ticket.objects.active()
        .filter(kind=TicketKind.BUSINESS, business_type__isnull=False)
        .exclude(sla_clocks__metric=Metric.BUSINESS_DELIVERY)
        .select_related("customer", "business_type")
        .order_by("pk")
    )
    started = 0
    for ticket in orders.iterator(chunk_size=200):
        with transaction.atomic():
            clocks = sla_services.clocks_rematch(ticket, ticket_facts(ticket), at=at)
            started += any(c.metric == Metric.BUSINESS_DELIVERY for c in clocks)
    return started


@transaction.atomic
def ticket_update(ticket: Ticket, *, by: User, version: int, **changes) -> Ticket:
    """Edit the ticket's details (subject, description, priority, an inquiry's category).

    A new category may bring other SLA targets (DOMAIN.md K-4): clocks whose target is
    unchanged keep running, the others stop and their new targets count from now.
    """
    editable = {"subject", "description", "priority", "category"}
    unknown = set(changes) - editable
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
            code="not_editable",
        )
    ticket = lock_ticket(ticket, version)
    if not ticket.is_active:
        raise IllegalTransition(
            _("Ticket %(number)s is %(status)s; reopen it before editing.")
            % {"number": ticket.number, "status": ticket.get_status_display()}
        )
    if "subject" in changes:
        changes["subject"] = _require_text(
            changes["subject"], "subject", _("Give the ticket a subject.")
        )
    # The timeline keeps a category by its code, the other fields as they are.
    before = {field: _recorded(ticket, field) for field in changes}
    after = {field: _recorded_value(field, value) for field, value in changes.items()}
    changed = {f: v for f, v in changes.items() if before[f] != after[f]}
    if not changed:
        return ticket
    if changed.get("category") is not None:
        _check_category(ticket.kind, changed["category"])
    for field, value in changed.items():
        setattr(ticket, field, value)
    save_ticket(ticket, changed)
    record_event(
        ticket,
        EventKind.FIELDS_CHANGED,
        by,
        data={f: {"from": before[f], "to": after[f]} for f in changed},
    )
    if "category" in changed:
        sla_services.clocks_rematch(ticket, ticket_facts(ticket))
    return ticket


def _recorded(ticket: Ticket, field: str):
    if field == "category":
        category = category_by_id(ticket.category_id)
        return category.code if category is not None else ""
    return getattr(ticket, field)


def _recorded_value(field: str, value):
    if field == "category":
        return value.code if value is not None else ""
    return value


# ---------------------------------------------------------------- common actions


@transaction.atomic
def ticket_accept(ticket: Ticket, *, by: User, version: int) -> Ticket:
    """The receiving side takes the ticket (after creation or a transfer)."""
    ticket = lock_ticket(ticket, version)
    _check_transition(ticket, Action.ACCEPT)
    # A new ticket its creator kept is still theirs to take up (to in progress).
    held = ticket.assignee_id == by.pk and ticket.status != TicketStatus.NEW
    if held and not ticket.transfer_pending:
        raise IllegalTransition(
            _("You already hold ticket %(number)s.") % {"number": ticket.number}
        )
    ticket.assignee = by
    ticket.transfer_pending = False
    fields = ["assignee", "transfer_pending"]
    if ticket.status == TicketStatus.NEW:
        change_status(ticket, TicketStatus.IN_PROGRESS, by)
        fields += ["status", "status_category"]
    save_ticket(ticket, fields)
    record_event(ticket, EventKind.ACCEPTED, by)
    return ticket


@transaction.atomic
def ticket_reply(
    ticket: Ticket, *, by: User, version: int, body: str, gives_solution: bool = False
) -> Ticket:
    """A customer-facing reply; the first one is the ticket's first response."""
    body = _require_text(body, "body", _("Write the reply."))
    ticket = lock_ticket(ticket, version)
    _check_transition(ticket, Action.REPLY)
    fields = []
    first = ticket.first_response_at is None
    if first:
        ticket.first_response_at = timezone.now()
        fields.append("first_response_at")
    if ticket.status == TicketStatus.NEW:
        if ticket.assignee_id is None:
            ticket.assignee = by
            fields.append("assignee")
        change_status(ticket, TicketStatus.IN_PROGRESS, by)
        fields += ["status", "status_category"]
    save_ticket(ticket, fields)
    record_event(
        ticket,
        EventKind.REPLY,
        by,
        body=body,
        is_customer_facing=True,
        data={"first_response": first, "gives_solution": gives_solution},
    )
    _on_reply(ticket, first_response=first, gives_solution=gives_solution)
    return ticket


def _on_reply(ticket: Ticket, *, first_response: bool, gives_solution: bool) -> None:
    if first_response:
        sla_services.clock_meet(ticket, Metric.FIRST_RESPONSE)
    if gives_solution:
        sla_services.clock_meet(ticket, Metric.INITIAL_SOLUTION)


@transaction.atomic
def ticket_add_note(ticket: Ticket, *, by: User, body: str | Phrase) -> TicketEvent:
    """An internal note; it changes nothing else, so it needs no version. A note a
    service writes is given as a Phrase: kept as its key and parameters, each reader
    reads it in their own language (typed notes are kept as typed)."""
    if not isinstance(body, Phrase):
        body = _require_text(body, "body", _("Write the note."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    event = record_event(ticket, EventKind.NOTE, by, body=body)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    return event


@transaction.atomic
def ticket_transfer(
    ticket: Ticket,
    *,
    by: User,
    version: int,
    reason: str,
    team: Team | None = None,
    assignee: User | None = None,
) -> Ticket:
    """Hand the ticket to another team or agent; they must accept it (DOMAIN.md P-6).

    The first-contact agent stays the owner of record.
    """
    reason = _require_text(reason, "reason", _("Say why the ticket is transferred."))
    if team is None and assignee is None:
        raise DomainError(
            _("Choose the team or the agent to transfer to."),
            code="target_required",
            details={"team": [_("Choose the team or the agent to transfer to.")]},
        )
    ticket = lock_ticket(ticket, version)
    _check_transition(ticket, Action.TRANSFER)
    if team is None:  # then the assignee is named
        agent = getattr(assignee, "agent", None)
        team = agent.team if agent is not None else ticket.team
    if team == ticket.team and assignee is not None and assignee.pk == ticket.assignee_id:
        raise DomainError(
            _("The ticket is already with them."), code="same_target", details={"assignee": []}
        )
    from_team, from_assignee = ticket.team, ticket.assignee
    ticket.team = team
    ticket.assignee = assignee
    ticket.transfer_pending = True
    save_ticket(ticket, ["team", "assignee", "transfer_pending"])
    record_event(
        ticket,
        EventKind.TRANSFER,
        by,
        body=reason,
        data={
            "from_team": from_team.name,
            "to_team": team.name,
            "from_assignee": from_assignee.display_name if from_assignee else "",
            "to_assignee": assignee.display_name if assignee else "",
        },
    )
    if assignee is not None:
        notify(
            assignee,
            kind="ticket.transferred",
            title=Phrase(
                gettext_noop("Ticket %(number)s was transferred to you"), number=ticket.number
            ),
            body=reason,
            link=reverse("worktickets:ticket_detail", args=[ticket.pk]),
        )
    return ticket


@transaction.atomic
def ticket_reassign(ticket: Ticket, *, by: User, version: int, assignee: User) -> Ticket:
    """A team lead gives the ticket to an agent directly (no acceptance needed)."""
    ticket = lock_ticket(ticket, version)
    _check_transition(ticket, Action.TRANSFER)
    agent = getattr(assignee, "agent", None)
    moves_team = agent is not None and agent.team_id != ticket.team_id
    if ticket.assignee_id == assignee.pk and not ticket.transfer_pending and not moves_team:
        # Nothing would change: no timeline line, no notification to the holder.
        message = _("%(name)s already holds ticket %(number)s: choose another agent.") % {
            "name": assignee.display_name,
            "number": ticket.number,
        }
        raise DomainError(message, code="no_change", details={"assignee": [message]})
    previous = ticket.assignee
    ticket.assignee = assignee
    ticket.transfer_pending = False
    fields = ["assignee", "transfer_pending"]
    if agent is not None and moves_team:
        ticket.team = agent.team
        fields.append("team")
    save_ticket(ticket, fields)
    record_event(
        ticket,
        EventKind.TRANSFER,
        by,
        body=Phrase(gettext_noop("Reassigned by the team lead")),
        data={
            "from_assignee": previous.display_name if previous else "",
            "to_assignee": assignee.display_name,
            "to_team": ticket.team.name,
        },
    )
    notify(
        assignee,
        kind="ticket.assigned",
        title=Phrase(gettext_noop("Ticket %(number)s was assigned to you"), number=ticket.number),
        link=reverse("worktickets:ticket_detail", args=[ticket.pk]),
    )
    return ticket


@transaction.atomic
def ticket_hold(ticket: Ticket, *, by: User, version: int, reason: str) -> Ticket:
    """Wait for the customer (information, a document, a test at home)."""
    reason = _require_text(reason, "reason", _("Say what the customer needs to do."))
    ticket = lock_ticket(ticket, version)
    target = _check_move(ticket, Action.HOLD)
    ticket.status_before_hold = ticket.status
    change_status(ticket, target, by, body=reason)
    save_ticket(ticket, ["status", "status_category", "status_before_hold"])
    return ticket


@transaction.atomic
def ticket_resume(ticket: Ticket, *, by: User, version: int, note: str = "") -> Ticket:
    ticket = lock_ticket(ticket, version)
    _check_transition(ticket, Action.RESUME)
    back_to = ticket.status_before_hold or INITIAL_STATUS[ticket.kind]
    if back_to == TicketStatus.NEW:
        back_to = TicketStatus.IN_PROGRESS
    ticket.status_before_hold = ""
    change_status(ticket, back_to, by, body=note)
    save_ticket(ticket, ["status", "status_category", "status_before_hold"])
    return ticket


@transaction.atomic
def ticket_resolve(ticket: Ticket, *, by: User, version: int, resolution: str) -> Ticket:
    resolution = _require_text(resolution, "resolution", _("Describe how it was resolved."))
    ticket = lock_ticket(ticket, version)
    target = _check_move(ticket, Action.RESOLVE)
    ticket.resolution = resolution
    ticket.resolved_at = timezone.now()
    ticket.transfer_pending = False
    change_status(ticket, target, by, body=resolution)
    save_ticket(
        ticket, ["status", "status_category", "resolution", "resolved_at", "transfer_pending"]
    )
    return ticket


@transaction.atomic
def ticket_close(ticket: Ticket, *, by: User, version: int, note: str = "") -> Ticket:
    ticket = lock_ticket(ticket, version)
    target = _check_move(ticket, Action.CLOSE)
    ticket.closed_at = timezone.now()
    change_status(ticket, target, by, body=note)
    save_ticket(ticket, ["status", "status_category", "closed_at"])
    _tell_first_contact_agent_closed(ticket, by)
    return ticket


def _tell_first_contact_agent_closed(ticket: Ticket, by: User) -> None:
    """首问负责制: the first-contact agent hears when their customer's ticket ends."""
    owner = ticket.first_contact_agent
    if owner.pk == by.pk:
        return
    notify(
        owner,
        kind="ticket.closed",
        title=Phrase(gettext_noop("Ticket %(number)s is closed"), number=ticket.number),
        body=ticket.resolution or ticket.rejection_reason,
        link=reverse("worktickets:ticket_detail", args=[ticket.pk]),
        dedupe_key=f"ticket-closed:{ticket.pk}:{ticket.version}",
    )
    record_event(
        ticket,
        EventKind.NOTIFIED,
        None,
        body=Phrase(
            gettext_noop("First-contact agent %(name)s notified of the closure."),
            name=owner.display_name,
        ),
    )


@transaction.atomic
def ticket_reopen(ticket: Ticket, *, by: User, version: int, reason: str) -> Ticket:
    reason = _require_text(reason, "reason", _("Say why the ticket is reopened."))
    ticket = lock_ticket(ticket, version)
    target = _check_move(ticket, Action.REOPEN)
    if not _within_reopen_window(ticket):
        raise IllegalTransition(
            _(
                "Ticket %(number)s can only be reopened within %(days)s days of being "
                "resolved; open a new ticket instead."
            )
            % {"number": ticket.number, "days": reopen_window().days}
        )
    ticket.resolved_at = None
    ticket.closed_at = None
    change_status(ticket, target, by, body=reason)
    save_ticket(ticket, ["status", "status_category", "resolved_at", "closed_at"])
    return ticket


# ---------------------------------------------------------------- business orders


def _business(ticket: Ticket) -> None:
    if ticket.kind != TicketKind.BUSINESS:
        raise IllegalTransition(_("This action is only for business orders."))


def _business_type(ticket: Ticket) -> BusinessType:
    """A business order's type, which it always has (constraint business_ticket_has_type)."""
    assert ticket.business_type is not None
    return ticket.business_type


@transaction.atomic
def business_review(
    ticket: Ticket, *, by: User, version: int, identity_verified: bool, note: str = ""
) -> Ticket:
    """审核: the customer's identity, the business type and the plan are checked (W-17, I-18)."""
    ticket = lock_ticket(ticket, version)
    _business(ticket)
    target = _check_move(ticket, Action.REVIEW)
    if not identity_verified:
        raise DomainError(
            _("Verify the customer's identity before the review can pass."),
            code="identity_not_verified",
            details={"identity_verified": [_("Verify the customer's identity first.")]},
        )
    # Eligibility may have changed since acceptance (a tier or payment change).
    assert ticket.customer is not None  # a business order names its customer
    eligibility.check(_business_type(ticket), ticket.customer, ticket.channel)
    ticket.identity_verified = True
    change_status(ticket, target, by, body=note)
    save_ticket(ticket, ["status", "status_category", "identity_verified"])
    return ticket


@transaction.atomic
def business_approve(ticket: Ticket, *, by: User, version: int, note: str = "") -> Ticket:
    """审批 by a team lead, only for business types that need it."""
    ticket = lock_ticket(ticket, version)
    _business(ticket)
    target = _check_move(ticket, Action.APPROVE)
    business_type = _business_type(ticket)
    if not business_type.requires_approval:
        raise IllegalTransition(
            _("%(type)s needs no approval; deliver it after the review.")
            % {"type": business_type.name}
        )
    if not by.has_perm("worktickets.approve_business"):
        raise NotAllowed(_("Only a team lead can approve business orders."))
    change_status(ticket, target, by, body=note)
    save_ticket(ticket, ["status", "status_category"])
    return ticket


@transaction.atomic
def business_reject(ticket: Ticket, *, by: User, version: int, reason: str) -> Ticket:
    """Refuse the order at review or approval, with the reason the customer is told."""
    reason = _require_text(reason, "reason", _("Give the reason for the rejection."))
    ticket = lock_ticket(ticket, version)
    _business(ticket)
    target = _check_move(ticket, Action.REJECT)
    awaiting_approval = ticket.status == TicketStatus.REVIEWED and _needs_approval(ticket)
    if awaiting_approval and not by.has_perm("worktickets.approve_business"):
        raise NotAllowed(_("Only a team lead can reject an order awaiting approval."))
    ticket.rejection_reason = reason
    ticket.closed_at = timezone.now()
    change_status(ticket, target, by, body=reason)
    save_ticket(ticket, ["status", "status_category", "rejection_reason", "closed_at"])
    _tell_first_contact_agent_closed(ticket, by)
    return ticket


@transaction.atomic
def business_deliver(ticket: Ticket, *, by: User, version: int, note: str = "") -> Ticket:
    """交付: the service is in place; vouchers and agreement handed over (W-18)."""
    ticket = lock_ticket(ticket, version)
    _business(ticket)
    target = _check_move(ticket, Action.DELIVER)
    business_type = _business_type(ticket)
    if business_type.requires_approval and ticket.status != TicketStatus.APPROVED:
        raise IllegalTransition(
            _("%(type)s must be approved by a team lead before delivery.")
            % {"type": business_type.name}
        )
    ticket.resolved_at = timezone.now()
    ticket.resolution = note or ticket.resolution
    change_status(ticket, target, by, body=note)
    save_ticket(ticket, ["status", "status_category", "resolved_at", "resolution"])
    return ticket


@transaction.atomic
def business_change_order(
    ticket: Ticket, *, by: User, version: int, order_details: dict, reason: str
) -> Ticket:
    """业务变更: the customer changes the order before delivery; it is reviewed again."""
    reason = _require_text(reason, "reason", _("Say what the customer asked to change."))
    if not isinstance(order_details, dict):
        raise DomainError(
            _("Order details must be an object of named values."),
            code="invalid",
            details={"order_details": [_("Order details must be an object of named values.")]},
        )
    ticket = lock_ticket(ticket, version)
    _business(ticket)
    target = _check_move(ticket, Action.CHANGE_ORDER)
    before = ticket.order_details
    ticket.order_details = order_details
    ticket.identity_verified = False
    if ticket.status != target:
        change_status(ticket, target, by, body=reason)
    save_ticket(ticket, ["order_details", "identity_verified", "status", "status_category"])
    record_event(
        ticket,
        EventKind.ORDER_CHANGED,
        by,
        body=reason,
        data={"from": before, "to": order_details},
    )
    return ticket


@transaction.atomic
def business_cancel(ticket: Ticket, *, by: User, version: int, reason: str) -> Ticket:
    """退订: the customer withdraws the order before delivery."""
    reason = _require_text(reason, "reason", _("Say why the order is cancelled."))
    ticket = lock_ticket(ticket, version)
    _business(ticket)
    target = _check_move(ticket, Action.CANCEL)
    ticket.rejection_reason = reason
    ticket.closed_at = timezone.now()
    ticket.status_before_hold = ""
    change_status(ticket, target, by, body=reason)
    save_ticket(
        ticket, ["status", "status_category", "rejection_reason", "closed_at", "status_before_hold"]
    )
    _tell_first_contact_agent_closed(ticket, by)
    return ticket


# ---------------------------------------------------------------- the problem ledger
# 问题台账 (DOMAIN.md W-6): a recurring or systemic problem is tracked once, with every
# ticket it caused, from open through analysis and its fix to a verified fix.


def _lock_problem(problem: Problem | int, expected_version: int | None) -> Problem:
    pk = problem.pk if isinstance(problem, Problem) else problem
    locked = Problem.objects.select_for_update().get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(
            _(
                "Problem %(number)s was changed since you opened it (version %(theirs)s, "
                "you had %(yours)s). Reload it and try again."
            )
            % {"number": locked.number, "theirs": locked.version, "yours": expected_version},
            details={"current_version": locked.version},
        )
    return locked


def _save_problem(problem: Problem, fields: Iterable[str]) -> None:
    problem.version += 1
    problem.save(update_fields=sorted({*fields, "version", "updated_at"}))


def _check_may_keep(problem: Problem, user: User) -> None:
    if problem.owner_id != user.pk and not user.has_perm(KEEP_PROBLEMS):
        raise NotAllowed(_("Only the problem's owner or those who keep the ledger may do this."))


def _link(problem: Problem, ticket: Ticket, by: User) -> None:
    ProblemTicket.objects.create(problem=problem, ticket=ticket, linked_by=by)
    ProblemEvent.objects.create(
        problem=problem,
        kind=ProblemEventKind.TICKET_LINKED,
        actor=by,
        data={"ticket": ticket.number},
    )
    record_event(
        ticket,
        EventKind.PROBLEM_LINKED,
        by,
        body=f"{problem.number} {problem.title}",
        data={"problem": problem.pk},
    )


@transaction.atomic
def problem_raise(
    *,
    title: str,
    owner: User,
    review_date: date,
    raised_by: User,
    description: str = "",
    category: InquiryCategory | None = None,
    ticket: Ticket | None = None,
) -> Problem:
    """Put a problem in the ledger, from the ticket that showed it when there is one."""
    title = _require_text(title, "title", _("Give the problem a title."))
    if review_date < timezone.localdate():
        message = _("The review date cannot be in the past.")
        raise DomainError(message, code="invalid", details={"review_date": [message]})
    if category is None and ticket is not None:
        category = category_by_id(ticket.category_id)
    problem = Problem.objects.create(
        title=title,
        description=description,
        category=category,
        owner=owner,
        review_date=review_date,
        raised_by=raised_by,
    )
    ProblemEvent.objects.create(
        problem=problem,
        kind=ProblemEventKind.RAISED,
        actor=raised_by,
        to_status=problem.status,
        body=description,
    )
    if ticket is not None:
        _link(problem, ticket, raised_by)
    _tell_owner(problem, by=raised_by)
    return problem


def _tell_owner(problem: Problem, *, by: User) -> None:
    if problem.owner_id == by.pk:
        return
    notify(
        problem.owner,
        kind="problem.owned",
        title=Phrase(gettext_noop("Problem %(number)s is yours to follow"), number=problem.number),
        body=problem.title,
        link=reverse("worktickets:problem_detail", args=[problem.pk]),
    )


@transaction.atomic
def problem_link_ticket(problem: Problem, ticket: Ticket, *, by: User) -> Problem:
    """Count one more ticket against the problem, so the same fault is tracked once."""
    problem = _lock_problem(problem, None)
    if problem.is_done:
        raise IllegalTransition(
            _("Problem %(number)s is verified as fixed; raise a new problem for this ticket.")
            % {"number": problem.number}
        )
    if ProblemTicket.objects.filter(problem=problem, ticket=ticket).exists():
        message = _("Ticket %(ticket)s is already linked to problem %(number)s.") % {
            "ticket": ticket.number,
            "number": problem.number,
        }
        raise DomainError(message, code="already_linked", details={"ticket": [message]})
    _link(problem, ticket, by)
    _save_problem(problem, [])
    return problem


@transaction.atomic
def problem_advance(
    problem: Problem, *, by: User, version: int, to_status: str, note: str = ""
) -> Problem:
    """Move the problem along its life cycle (choices.PROBLEM_TRANSITIONS). The fix is
    described when it is declared, and the reason when a fix did not hold."""
    problem = _lock_problem(problem, version)
    _check_may_keep(problem, by)
    if to_status not in PROBLEM_TRANSITIONS.get(problem.status, ()):
        raise IllegalTransition(
            _("Problem %(number)s cannot go from %(from)s to %(to)s.")
            % {
                "number": problem.number,
                "from": problem.get_status_display(),
                "to": ProblemStatus(to_status).label
                if to_status in ProblemStatus.values
                else to_status,
            },
            details={"status": problem.status},
        )
    note = (note or "").strip()
    back_to_analysis = (
        problem.status == ProblemStatus.FIXED and to_status == ProblemStatus.ANALYSING
    )
    fields = ["status"]
    if to_status == ProblemStatus.FIXED:
        problem.resolution = _require_text(note, "note", _("Describe the fix."))
        problem.fixed_at = timezone.now()
        fields += ["resolution", "fixed_at"]
    elif to_status == ProblemStatus.VERIFIED:
        problem.verified_at = timezone.now()
        fields.append("verified_at")
    elif back_to_analysis:
        _require_text(note, "note", _("Say why the fix did not hold."))
        problem.fixed_at = None
        fields.append("fixed_at")
    from_status = problem.status
    problem.status = to_status
    _save_problem(problem, fields)
    ProblemEvent.objects.create(
        problem=problem,
        kind=ProblemEventKind.STATUS_CHANGED,
        actor=by,
        from_status=from_status,
        to_status=to_status,
        body=note,
    )
    return problem


PROBLEM_EDITABLE = ("title", "description", "root_cause", "owner", "review_date", "category")


@transaction.atomic
def problem_update(problem: Problem, *, by: User, version: int, **changes) -> Problem:
    """Edit the problem's details: its owner, review date, root cause, wording, category."""
    unknown = set(changes) - set(PROBLEM_EDITABLE)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
            code="not_editable",
        )
    problem = _lock_problem(problem, version)
    _check_may_keep(problem, by)
    if "title" in changes:
        changes["title"] = _require_text(changes["title"], "title", _("Give the problem a title."))
    recorded = {
        "owner": lambda user: user.display_name,
        "category": lambda category: category.code if category is not None else "",
        "review_date": lambda day: day.isoformat(),
    }
    changed = {f: v for f, v in changes.items() if getattr(problem, f) != v}
    if not changed:
        return problem
    if changed.get("review_date") is not None and changed["review_date"] < timezone.localdate():
        message = _("The review date cannot be in the past.")
        raise DomainError(message, code="invalid", details={"review_date": [message]})
    if changed.get("category") is not None and not changed["category"].in_use:
        message = _("The category %(name)s is no longer in use; choose another.") % {
            "name": changed["category"].name
        }
        raise DomainError(message, code="invalid", details={"category": [message]})
    data = {}
    for field, value in changed.items():
        shown = recorded.get(field, lambda v: v)
        data[field] = {"from": shown(getattr(problem, field)), "to": shown(value)}
        setattr(problem, field, value)
    _save_problem(problem, changed)
    ProblemEvent.objects.create(problem=problem, kind=ProblemEventKind.UPDATED, actor=by, data=data)
    if "owner" in changed:
        _tell_owner(problem, by=by)
    return problem


# --- retention and erasure (DOMAIN.md R-3; PIPL Art. 19, 47) ------------------------

# A ticket's free texts; the subject always becomes the marker, which is how the
# retention job knows a ticket is done.
TICKET_TEXTS = ("description", "resolution", "rejection_reason")


@transaction.atomic
def tickets_anonymise(ids: Iterable[int], *, keep_customer: bool = False) -> int:
    """Blank these tickets' caller number and order details, mark their texts and
    timeline bodies and, unless kept, unlink the customer. Kind, category, team,
    times and SLA outcome stay for statistics."""
    ids = list(ids)
    values = {
        "caller_number": "",
        "order_details": {},
        "subject": MARKER,
        **{name: marked(name) for name in TICKET_TEXTS},
    }
    if not keep_customer:
        values["customer"] = None
    count = anonymise_rows(Ticket, ids, values)
    TicketEvent.objects.filter(ticket_id__in=ids).update(body=marked("body"))
    # A generated line's parameters may quote what was typed (a reason): they go too.
    TicketEvent.objects.filter(ticket_id__in=ids, data__has_key=MESSAGE_KEY).update(
        data=Func(F("data"), Value(MESSAGE_KEY), arg_joiner=" - ", template="%(expressions)s")
    )
    # An edit's line keeps the old and new texts in its details.
    TicketEvent.objects.filter(ticket_id__in=ids, kind=EventKind.FIELDS_CHANGED).update(data={})
    return count


# --- saved queue views --------------------------------------------------------------

SAVED_VIEWS_PER_QUEUE = 20


@transaction.atomic
def saved_queue_view_save(user: User, *, queue: str, name: str, query: str) -> SavedQueueView:
    """Save (or replace under the same name) the queue's search, filters and order."""
    name = " ".join(name.split())
    if not name:
        message = _("Name the view.")
        raise DomainError(message, code="required", details={"name": [message]})
    if len(name) > 60:
        message = _("A view's name has at most 60 characters.")
        raise DomainError(message, code="invalid", details={"name": [message]})
    if queue not in SavedQueueView.Queue.values:
        raise DomainError(
            _("Unknown queue."), code="invalid", details={"queue": [_("Unknown queue.")]}
        )
    query = query[:500]
    existing = SavedQueueView.objects.select_for_update().filter(owner=user, queue=queue)
    view = existing.filter(name=name).first()
    if view is not None:
        view.query = query
        view.save(update_fields=["query"])
        return view
    if existing.count() >= SAVED_VIEWS_PER_QUEUE:
        message = _("You have %(count)s saved views of this queue: delete one first.") % {
            "count": SAVED_VIEWS_PER_QUEUE
        }
        raise DomainError(message, code="too_many", details={"name": [message]})
    return SavedQueueView.objects.create(owner=user, queue=queue, name=name, query=query)


@transaction.atomic
def saved_queue_view_delete(user: User, view_id: int) -> bool:
    """Delete one of the person's own views; another's, or one gone, stays as it is."""
    deleted, _rows = SavedQueueView.objects.filter(owner=user, pk=view_id).delete()
    return bool(deleted)
