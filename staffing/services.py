"""Every change to people, teams and API clients goes through these functions."""

import datetime
import re
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from csc.lib.errors import DomainError
from staffing.api_auth import ALL_SCOPES
from staffing.models import Agent, ApiClient, Skill, Team, User
from staffing.roles import Role

# Busy and after-contact work are set by the telephony system, not by hand.
SELF_SET_STATUSES: tuple[str, ...] = (
    Agent.Status.AVAILABLE,
    Agent.Status.BREAK,
    Agent.Status.OFFLINE,
)

# The rates DRF's throttles understand: "<count>/<period>".
_RATE = re.compile(r"^[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)$")


@transaction.atomic
def agent_set_status(agent: Agent, status: str, *, changed_by: User) -> Agent:
    """Set an agent's availability; agents set their own, leads anyone's."""
    if status not in Agent.Status.values:
        raise ValidationError({"status": _("Unknown status.")}, code="invalid_status")
    if changed_by.pk == agent.user_id:
        if status not in SELF_SET_STATUSES:
            raise DomainError(
                _("This status is set by the telephony system."), code="status_not_self_set"
            )
    elif not changed_by.has_perm("staffing.change_agent"):
        raise DomainError(_("You may not change another agent's status."), code="not_allowed")
    if agent.status == status:
        return agent
    agent.status = status
    agent._history_user = changed_by
    agent.save(update_fields=["status"])
    return agent


def may_set_auto_assignment(user: User, team: Team) -> bool:
    """The team's own lead, or whoever may change teams (the admin's right)."""
    return user.is_active and (team.lead_id == user.pk or user.has_perm("staffing.change_team"))


@transaction.atomic
def team_set_auto_assignment(
    team: Team, *, auto_assign: bool, assignment_cap: int, changed_by: User
) -> Team:
    """Switch the team's auto-assignment on or off and set the open tickets per agent
    (worktickets.assignment); the change is kept in the team's history."""
    if not may_set_auto_assignment(changed_by, team):
        raise DomainError(
            _("Only the team's lead may switch its auto-assignment."), code="not_allowed"
        )
    if assignment_cap < 1:
        message = _("An agent takes at least one open ticket.")
        raise ValidationError({"assignment_cap": [message]}, code="invalid")
    locked = Team.objects.select_for_update().get(pk=team.pk)
    if locked.auto_assign == auto_assign and locked.assignment_cap == assignment_cap:
        return locked
    locked.auto_assign, locked.assignment_cap = auto_assign, assignment_cap
    locked._history_user = changed_by
    locked.save(update_fields=["auto_assign", "assignment_cap"])
    return locked


@transaction.atomic
def team_create(name: str, kind: str, *, lead: User | None = None) -> Team:
    team = Team(name=name.strip(), kind=kind, lead=lead)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def agent_create(
    *,
    username: str,
    employee_number: str,
    team: Team,
    roles: Iterable[str] = (Role.AGENT,),
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    skills: Iterable[Skill] = (),
    status: str = Agent.Status.OFFLINE,
) -> Agent:
    """Create a person who works in the centre: their user, roles and profile."""
    roles = list(roles)
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise ValidationError(
            {"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}},
            code="unknown_role",
        )
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    agent = Agent(user=user, employee_number=employee_number, team=team, status=status)
    agent.full_clean()
    agent.save()
    agent.skills.set(skills)
    return agent


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    unknown = [scope for scope in scopes if scope not in ALL_SCOPES]
    if unknown:
        raise ValidationError(
            {
                "scopes": _("Unknown scope: %(unknown)s. Known scopes: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(ALL_SCOPES)}
            },
            code="unknown_scope",
        )
    return scopes


def validate_rate(rate: str) -> str:
    """The rate, stripped, or ValidationError if DRF's throttle would not understand it."""
    rate = rate.strip()
    if rate and not _RATE.match(rate):
        raise ValidationError(
            _("A rate is a count per period, e.g. 600/min or 10/s."), code="invalid_rate"
        )
    return rate


def _check_expiry(expires_at: datetime.datetime | None) -> datetime.datetime | None:
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(
            {"expires_at": _("A key's expiry must be in the future.")}, code="expiry_passed"
        )
    return expires_at


@transaction.atomic
def api_client_create(
    name: str,
    scopes: Iterable[str],
    *,
    rate: str = "",
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiClient, str]:
    """Create an integration's client and its service user; return the plain key once.

    `expires_at`, if given, is when the key stops working."""
    name = name.strip()
    expires_at = _check_expiry(expires_at)
    scopes = _check_scopes(scopes)
    try:
        rate = validate_rate(rate)
    except ValidationError as exc:
        raise ValidationError({"rate": exc.messages}, code="invalid_rate") from None
    if not name:
        raise ValidationError({"name": _("An API client needs a name.")}, code="required")
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("An API client named %(name)s already exists.") % {"name": name}},
            code="duplicate",
        )
    username = f"api-{slugify(name, allow_unicode=True)}"
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            {"name": _("The user %(username)s already exists.") % {"username": username}},
            code="duplicate",
        )
    service_user = User(username=username)
    # A service user signs in with its key only, never with a password.
    service_user.set_unusable_password()
    service_user.full_clean()
    service_user.save()
    client = ApiClient(
        name=name, scopes=scopes, rate=rate, service_user=service_user, expires_at=expires_at
    )
    key = client.set_new_key()
    client.save()
    return client, key


@transaction.atomic
def api_client_rotate_key(client: ApiClient, *, expires_at: datetime.datetime | None = None) -> str:
    """Replace the client's key; the old one stops working at once.

    The expiry belongs to the key: the new key expires at `expires_at`, or never."""
    client.expires_at = _check_expiry(expires_at)
    key = client.set_new_key()
    client.save(update_fields=["key_prefix", "key_hash", "expires_at"])
    return key
