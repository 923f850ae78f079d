"""Macros (canned replies): their small template language, the services that keep
them and the selector that offers them on a ticket.

The template language knows only `{name}` for the variables in VARIABLES: no
attribute access, no filters, nothing evaluated, so a macro can never reach
beyond the values handed to it. An unknown variable is refused when the macro is
saved, never discovered when an agent inserts it.
"""

import re
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from csc.lib.errors import DomainError, NotAllowed
from staffing.models import Team, User
from worktickets.models import InquiryCategory, Macro, Ticket
from worktickets.reference import category_by_id
from worktickets.selectors import user_team_ids

SHARE_WITH_EVERY_TEAM = "worktickets.share_macro"
VARIABLES = ("customer_name", "ticket_number", "due_at", "agent_name", "amount")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PICKER_LIMIT = 30  # macros offered beside one text box


def unknown_variables(text: str) -> list[str]:
    """The `{names}` in a text that are not variables, in order, once each."""
    unknown = []
    for name in PLACEHOLDER.findall(text):
        if name not in VARIABLES and name not in unknown:
            unknown.append(name)
    return unknown


def unknown_variables_message(text: str) -> str:
    """Why a text is refused for its variables; empty when they are all known."""
    unknown = unknown_variables(text)
    if not unknown:
        return ""
    return _("Unknown variable(s): %(unknown)s. Use only %(known)s.") % {
        "unknown": ", ".join(f"{{{name}}}" for name in unknown),
        "known": ", ".join(f"{{{name}}}" for name in VARIABLES),
    }


def render_macro(text: str, values: Mapping[str, str]) -> str:
    """The text with each variable replaced; one with no value stays `{name}` for
    the agent to fill in."""

    def value(match: re.Match) -> str:
        found = values.get(match.group(1))
        return str(found) if found else match.group(0)

    return PLACEHOLDER.sub(value, text)


def ticket_values(ticket: Ticket, agent: User, *, amount: str = "") -> dict[str, str]:
    """The variables' values for a ticket (its customer read with it)."""
    due = ""
    if ticket.sla_due_at is not None:
        due = date_format(timezone.localtime(ticket.sla_due_at), "Y-m-d H:i")
    return {
        "customer_name": ticket.customer.name if ticket.customer_id else "",
        "ticket_number": ticket.number,
        "due_at": due,
        "agent_name": agent.display_name,
        "amount": amount,
    }


# ---------------------------------------------------------------- who may keep which


def led_team_ids(user: User) -> set[int]:
    return set(Team.objects.filter(lead=user, is_active=True).values_list("pk", flat=True))


def may_keep(user: User, macro: Macro) -> bool:
    """Whether the user may edit a macro: their own personal one, a shared one of a
    team they lead, or any shared one with the right to share with every team."""
    if not macro.is_shared:
        return macro.owner_id == user.pk
    if user.has_perm(SHARE_WITH_EVERY_TEAM):
        return True
    return macro.team_id is not None and macro.team_id in led_team_ids(user)


def _check_sharing(user: User, *, is_shared: bool, team: Team | None) -> None:
    if not is_shared or user.has_perm(SHARE_WITH_EVERY_TEAM):
        return
    if team is None:
        message = _("Only a manager may share a macro with every team: choose your team.")
        raise NotAllowed(message, details={"team": [message]})
    if team.pk not in led_team_ids(user):
        message = _("You may share macros only with a team you lead.")
        raise NotAllowed(message, details={"team": [message]})


def _check_text(name: str, text: str) -> tuple[str, str]:
    name, text = name.strip(), text.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the macro a name.")]
    if not text:
        errors["text"] = [_("Write the macro's text.")]
    refused = unknown_variables_message(text)
    if refused:
        errors["text"] = [refused]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, code="invalid", details=errors)
    return name, text


# ---------------------------------------------------------------- services


@transaction.atomic
def macro_create(
    *,
    owner: User,
    name: str,
    text: str,
    applies_to: str,
    is_shared: bool = False,
    team: Team | None = None,
    category: InquiryCategory | None = None,
) -> Macro:
    """A new macro, personal or shared (a team lead's with their team, a manager's
    with any team or all)."""
    name, text = _check_text(name, text)
    _check_sharing(owner, is_shared=is_shared, team=team)
    macro = Macro(
        owner=owner,
        name=name,
        text=text,
        applies_to=applies_to,
        is_shared=is_shared,
        team=team if is_shared else None,
        category=category,
    )
    macro._history_user = owner
    macro.save()
    return macro


@transaction.atomic
def macro_update(
    macro: Macro,
    *,
    by: User,
    name: str,
    text: str,
    applies_to: str,
    is_shared: bool,
    team: Team | None,
    category: InquiryCategory | None,
    is_active: bool,
) -> Macro:
    """Change a macro its keeper may change; its use count stays."""
    macro = Macro.objects.select_for_update().get(pk=macro.pk)
    if not may_keep(by, macro):
        raise NotAllowed(_("You may not change this macro."))
    name, text = _check_text(name, text)
    _check_sharing(by, is_shared=is_shared, team=team)
    macro.name, macro.text, macro.applies_to = name, text, applies_to
    macro.is_shared, macro.team = is_shared, team if is_shared else None
    macro.category, macro.is_active = category, is_active
    macro._history_user = by
    macro.save()
    return macro


def macro_use(macro: Macro, *, by: User) -> None:
    """Count one use of a macro the user may see (so owners see which are used).

    A counter, not a change of the macro: no history row, one UPDATE.
    """
    if not visible_macros(by).filter(pk=macro.pk, is_active=True).exists():
        raise NotAllowed(_("You may not use this macro."))
    Macro.objects.filter(pk=macro.pk).update(use_count=F("use_count") + 1)


# ---------------------------------------------------------------- selectors


def visible_macros(user: User) -> QuerySet[Macro]:
    """One rule for every door: a user's personal macros, and the shared ones of
    their teams or of every team."""
    return Macro.objects.filter(
        Q(is_shared=False, owner=user)
        | Q(is_shared=True, team__isnull=True)
        | Q(is_shared=True, team_id__in=user_team_ids(user))
    )


def kept_macros(user: User) -> QuerySet[Macro]:
    """The macros on the user's own list: their personal ones and the shared ones
    they keep (of the teams they lead; all shared ones for a manager)."""
    shared = Q(is_shared=True)
    if not user.has_perm(SHARE_WITH_EVERY_TEAM):
        shared &= Q(team_id__in=led_team_ids(user))
    return (
        Macro.objects.filter(Q(is_shared=False, owner=user) | shared)
        .select_related("team", "owner")
        .order_by("-is_shared", "name", "pk")
    )


def macros_for(user: User, ticket: Ticket, applies_to: str) -> list[Macro]:
    """The active macros to offer on a ticket for one text box: those of the
    ticket's category first, then of its parent category, then the general ones;
    the most used first within each. A macro of another category is not offered."""
    category_ids = []
    if ticket.category_id is not None:
        category_ids.append(ticket.category_id)
        category = category_by_id(ticket.category_id)  # the cached tree, no query
        if category is not None and category.parent_id is not None:
            category_ids.append(category.parent_id)
    rank = Case(
        *[When(category_id=pk, then=Value(i)) for i, pk in enumerate(category_ids)],
        default=Value(len(category_ids)),
        output_field=IntegerField(),
    )
    return list(
        visible_macros(user)
        .filter(applies_to=applies_to, is_active=True)
        .filter(Q(category__isnull=True) | Q(category_id__in=category_ids))
        .annotate(rank=rank)
        .order_by("rank", "-use_count", "name", "pk")[:PICKER_LIMIT]
    )
