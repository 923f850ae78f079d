"""The centre's roles (DOMAIN.md ST-1 to ST-10), held as Django groups.

A role is a group whose name is the role's key; its permissions are granted
by data migrations (each app grants its own). The order below is the order of
precedence when a person holds several roles: the landing page is the first
role's.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    CENTRE_DIRECTOR = "centre_director", _("Centre director")
    CS_MANAGER = "cs_manager", _("CS manager")
    TEAM_LEAD = "team_lead", _("Team lead")
    QA_INSPECTOR = "qa_inspector", _("QA inspector")
    COMPLAINT_HANDLER = "complaint_handler", _("Complaint handler")
    TECH_SUPPORT = "tech_support", _("Tech support")
    MARKET_LEGAL = "market_legal", _("Market & legal compliance")
    AGENT = "agent", _("Agent")


ROLE_PRECEDENCE: tuple[str, ...] = tuple(Role.values)


def roles_of(user) -> list[str]:
    """The user's role keys, highest precedence first."""
    if not user.is_authenticated:
        return []
    # Asked several times per request (navigation, landing page): read once per user object.
    cached = getattr(user, "_csc_roles", None)
    if cached is not None:
        return list(cached)
    held = {group.name for group in user.groups.all()}
    if user.is_superuser:
        held.add(Role.ADMINISTRATOR)
    roles = [role for role in ROLE_PRECEDENCE if role in held]
    user._csc_roles = tuple(roles)
    return roles


def primary_role(user) -> str | None:
    roles = roles_of(user)
    return roles[0] if roles else None
