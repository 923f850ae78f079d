"""Shift swaps (DOMAIN.md ST-41 to ST-49, S-52, P-12, K-22).

The requester offers one of their shifts for one of a colleague's (the pay-back
shift); the colleague accepts; both team leads approve (one lead approves for
both when the two are in the same team). A swap that breaks a rule is refused
with the rule named, when asked and again when the last lead approves (the
roster may have changed in between):
  ST-44  same job type and skill level
  ST-49  no swap of a public-holiday duty
  ST-46  no leave on the swapped or the pay-back shift
  S-52   at most 2 swaps per person per month
  ST-43  no consecutive swaps (on neighbouring days)
  ST-43  no back-to-back shifts as a result (less than MIN_REST between shifts)
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from staffing import calendar_port
from staffing.models import (
    Agent,
    LeaveRequest,
    Roster,
    RosterChange,
    RosterEntry,
    SwapRequest,
    User,
)

MAX_SWAPS_PER_MONTH = 2
MIN_REST = datetime.timedelta(hours=8)
LIVE = (
    SwapRequest.Status.AWAITING_COLLEAGUE,
    SwapRequest.Status.AWAITING_LEADS,
    SwapRequest.Status.APPROVED,
)


class SwapRefused(DomainError):
    """The swap breaks a rule; the message names it."""


def _refuse(code: str, message: str) -> SwapRefused:
    return SwapRefused(message, code=code)


def _swaps_of(agent: Agent, *, exclude: SwapRequest | None):
    swaps = SwapRequest.objects.filter(
        Q(requester=agent) | Q(colleague=agent), status__in=LIVE
    ).select_related("requester_shift", "colleague_shift")
    return swaps.exclude(pk=exclude.pk) if exclude is not None else swaps


def _rest_problem(agent: Agent, takes: RosterEntry, gives: RosterEntry) -> RosterEntry | None:
    """Another shift of the agent's too close to the one they would take on."""
    return (
        RosterEntry.objects.filter(
            agent=agent,
            starts_at__lt=takes.ends_at + MIN_REST,
            ends_at__gt=takes.starts_at - MIN_REST,
        )
        .exclude(pk__in=[gives.pk, takes.pk])
        .select_related("template")
        .first()
    )


def check_rules(
    requester: Agent,
    give: RosterEntry,
    colleague: Agent,
    take: RosterEntry,
    *,
    swap: SwapRequest | None = None,
) -> None:
    """Raise SwapRefused naming the first rule the swap breaks."""
    if (requester.job_type, requester.skill_level) != (colleague.job_type, colleague.skill_level):
        raise _refuse(
            "different_job",
            _("Swaps are only between the same job type and skill level (ST-44)."),
        )
    for shift in (give, take):
        if calendar_port.is_public_holiday(shift.day):
            raise _refuse(
                "holiday_duty",
                _("Staff on duty on a public holiday may not swap (ST-49): %(day)s.")
                % {"day": shift.day},
            )
    leave = LeaveRequest.objects.filter(
        Q(agent__in=[requester, colleague]),
        Q(starts_at__lt=give.ends_at, ends_at__gt=give.starts_at)
        | Q(starts_at__lt=take.ends_at, ends_at__gt=take.starts_at),
        status__in=[
            LeaveRequest.Status.AWAITING_MANAGER,
            LeaveRequest.Status.AWAITING_DIRECTOR,
            LeaveRequest.Status.APPROVED,
        ],
    ).exists()
    if leave:
        raise _refuse(
            "leave_on_shift",
            _("There is leave on the swapped or the pay-back shift (ST-46)."),
        )
    for person in (requester, colleague):
        swaps = list(_swaps_of(person, exclude=swap))
        for day in (give.day, take.day):
            in_month = [
                s
                for s in swaps
                if s.requester_shift.day.replace(day=1) == day.replace(day=1)
                or s.colleague_shift.day.replace(day=1) == day.replace(day=1)
            ]
            if len(in_month) >= MAX_SWAPS_PER_MONTH:
                raise _refuse(
                    "too_many",
                    _("%(person)s already has 2 swaps this month: at most 2 (S-52, ST-43).")
                    % {"person": person.user.display_name},
                )
        near = {give.day + datetime.timedelta(days=n) for n in (-1, 0, 1)} | {
            take.day + datetime.timedelta(days=n) for n in (-1, 0, 1)
        }
        if any(s.requester_shift.day in near or s.colleague_shift.day in near for s in swaps):
            raise _refuse(
                "consecutive",
                _("%(person)s swapped a neighbouring shift already: no consecutive swaps (ST-43).")
                % {"person": person.user.display_name},
            )
    for person, takes, gives in ((requester, take, give), (colleague, give, take)):
        clash = _rest_problem(person, takes, gives)
        if clash is not None:
            raise _refuse(
                "back_to_back",
                _(
                    "%(person)s would work back-to-back shifts (%(day)s %(shift)s) with less "
                    "than 8 hours between them (ST-43)."
                )
                % {
                    "person": person.user.display_name,
                    "day": clash.day,
                    "shift": clash.template.name,
                },
            )


@transaction.atomic
def swap_request(
    *, give: RosterEntry, take: RosterEntry, reason: str, requested_by: User
) -> SwapRequest:
    requester, colleague = give.agent, take.agent
    if requested_by.pk != requester.user_id:
        raise NotAllowed(_("Only the person whose shift it is asks to swap it."))
    if requester.pk == colleague.pk:
        raise DomainError(_("Choose a colleague's shift to swap with."), code="same_person")
    if not reason.strip():
        raise DomainError(_("Say why you need the swap (ST-41)."), code="reason_required")
    now = timezone.now()
    published = set(
        Roster.objects.filter(
            pk__in=[give.roster_id, take.roster_id], status=Roster.Status.PUBLISHED
        ).values_list("pk", flat=True)
    )
    for shift in (give, take):
        if shift.roster_id not in published:
            raise DomainError(_("Only shifts of a published roster are swapped."), code="draft")
        if shift.starts_at <= now:
            raise DomainError(_("That shift has already started."), code="past_shift")
    check_rules(requester, give, colleague, take)
    swap = SwapRequest(
        requester=requester,
        requester_shift=give,
        colleague=colleague,
        colleague_shift=take,
        reason=reason.strip(),
    )
    swap._history_user = requested_by
    swap.save()
    return swap


def _locked(swap: SwapRequest) -> SwapRequest:
    return (
        SwapRequest.objects.select_for_update()
        .select_related("requester__team", "colleague__team", "requester__user", "colleague__user")
        .get(pk=swap.pk)
    )


@transaction.atomic
def swap_answer(swap: SwapRequest, *, answered_by: User, accept: bool) -> SwapRequest:
    swap = _locked(swap)
    if answered_by.pk != swap.colleague.user_id:
        raise NotAllowed(_("Only the colleague asked answers the swap."))
    if swap.status != SwapRequest.Status.AWAITING_COLLEAGUE:
        raise IllegalTransition(_("This swap is no longer waiting for the colleague."))
    swap.status = SwapRequest.Status.AWAITING_LEADS if accept else SwapRequest.Status.DECLINED
    swap.accepted_at = timezone.now() if accept else None
    swap._history_user = answered_by
    swap.save()
    return swap


def lead_sides(swap: SwapRequest, user: User) -> list[str]:
    """Which sides ("requester", "colleague") this user leads and may approve."""
    if not user.has_perm("staffing.approve_swap"):
        return []
    return [
        side
        for side, agent in (("requester", swap.requester), ("colleague", swap.colleague))
        if agent.team.lead_id == user.pk
    ]


@transaction.atomic
def swap_decide(
    swap: SwapRequest, *, decided_by: User, approve: bool, note: str = ""
) -> SwapRequest:
    swap = _locked(swap)
    if swap.status != SwapRequest.Status.AWAITING_LEADS:
        raise IllegalTransition(_("This swap is not waiting for the team leads."))
    sides = lead_sides(swap, decided_by)
    if not sides:
        raise NotAllowed(_("Only the team lead of one of the two agents decides (ST-42)."))
    swap._history_user = decided_by
    if not approve:
        if not note.strip():
            raise DomainError(_("Say why the swap is refused."), code="note_required")
        return _refuse_swap(swap, note.strip())
    for side in sides:
        setattr(swap, f"{side}_lead", decided_by)
    if swap.requester_lead_id is None or swap.colleague_lead_id is None:
        swap.save()
        return swap
    give = RosterEntry.objects.select_for_update().get(pk=swap.requester_shift_id)
    take = RosterEntry.objects.select_for_update().get(pk=swap.colleague_shift_id)
    try:
        check_rules(swap.requester, give, swap.colleague, take, swap=swap)
    except SwapRefused as broken:
        return _refuse_swap(swap, broken.message)
    _exchange(swap, give, take, decided_by)
    swap.status = SwapRequest.Status.APPROVED
    swap.decided_at = timezone.now()
    swap.save()
    return swap


def _refuse_swap(swap: SwapRequest, why: str) -> SwapRequest:
    swap.status = SwapRequest.Status.REFUSED
    swap.refusal = why[:300]
    swap.decided_at = timezone.now()
    swap.save()
    return swap


def _exchange(swap: SwapRequest, give: RosterEntry, take: RosterEntry, by: User) -> None:
    reason = _("Shift swap #%(number)s: %(reason)s") % {"number": swap.pk, "reason": swap.reason}
    for entry, new_agent in ((give, swap.colleague), (take, swap.requester)):
        old_agent = entry.agent
        entry.agent = new_agent
        entry.swapped = True
        entry._history_user = by
        entry._change_reason = reason
        entry.save()
        RosterChange.objects.create(
            roster_id=entry.roster_id,
            action=RosterChange.Action.SWAPPED,
            description=f"{entry.day:%Y-%m-%d} {entry.template.name}: {old_agent} → {new_agent}",
            reason=reason,
            changed_by=by,
        )


@transaction.atomic
def swap_withdraw(swap: SwapRequest, *, withdrawn_by: User) -> SwapRequest:
    swap = _locked(swap)
    if withdrawn_by.pk != swap.requester.user_id:
        raise NotAllowed(_("Only the person who asked withdraws the swap."))
    if not swap.is_open:
        raise IllegalTransition(_("This swap is already decided."))
    swap.status = SwapRequest.Status.WITHDRAWN
    swap._history_user = withdrawn_by
    swap.save()
    return swap


def swaps_awaiting_lead(user: User):
    """Swaps waiting for this lead's approval."""
    if not user.has_perm("staffing.approve_swap"):
        return SwapRequest.objects.none()
    mine = Q(requester__team__lead=user, requester_lead__isnull=True) | Q(
        colleague__team__lead=user, colleague_lead__isnull=True
    )
    return (
        SwapRequest.objects.filter(mine, status=SwapRequest.Status.AWAITING_LEADS)
        .select_related(
            "requester__user",
            "colleague__user",
            "requester_shift__template",
            "colleague_shift__template",
        )
        .order_by("requester_shift__starts_at", "id")
    )
