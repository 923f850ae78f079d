"""The main navigation: each item shows only to users holding its permission."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from csc.approvals import DECISION_PERMS


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: str | tuple[str, ...] | None  # None: every signed-in user; a tuple: any of them
    section: str  # matched against the first path segment to mark the current item
    staff_only: bool = False  # the admin site lets in staff only, whatever their permissions
    group: str = ""  # a menu of NAV_GROUPS; empty: shown in the bar itself


# The menus that keep the bar on one line for managers, who may see 25 items. A
# menu holding a single item for a person shows that item in the bar instead.
NAV_GROUPS: dict[str, str | Promise] = {
    "service": pgettext_lazy("navigation menu", "Service"),
    "customers": pgettext_lazy("navigation menu", "Customers and care"),
    "team": pgettext_lazy("navigation menu", "Team and reports"),
    "staffing": pgettext_lazy("navigation menu", "Schedules"),
    "admin": pgettext_lazy("navigation menu", "System"),
}


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Home"), "home", None, ""),
    NavItem(_("Desk"), "worktickets:my_queue", "worktickets.view_ticket", "tickets"),
    NavItem(_("Complaints"), "complaints:workbench", "complaints.view_complaint", "complaints"),
    NavItem(
        _("Major complaints and appeals"),
        "complaints:leadership",
        "complaints.view_leadership_board",
        "complaints-leadership",
        group="service",
    ),
    NavItem(_("At risk"), "sla:at_risk", "sla.view_at_risk", "sla", group="service"),
    NavItem(
        _("Awaiting my decision"),
        "approvals",
        DECISION_PERMS,
        "approvals",
    ),
    NavItem(
        _("Knowledge base"),
        "knowledge:search",
        "knowledge.view_article",
        "knowledge",
        group="service",
    ),
    NavItem(_("Customer care"), "care:home", "care.view_survey", "care", group="customers"),
    NavItem(
        _("Callbacks"),
        "care:callbacks",
        "care.change_callback",
        "care-callbacks",
        group="customers",
    ),
    NavItem(_("Quality"), "quality:home", "quality.view_evaluation", "quality"),
    NavItem(
        _("Customers"),
        "intake:customer_search",
        "intake.view_customer",
        "customers",
        group="customers",
    ),
    NavItem(
        _("Contacts"), "intake:contact_list", "intake.view_contact", "contacts", group="customers"
    ),
    NavItem(_("Team"), "staffing:team_board", "staffing.view_agent", "team", group="team"),
    NavItem(
        _("Shift dashboard"),
        "shift_dashboard",
        "csc.view_shift_dashboard",
        "dashboard",
        group="team",
    ),
    NavItem(_("Reports"), "reports", "csc.view_reports", "reports", group="team"),
    NavItem(
        _("My schedule"),
        "staffing:my_schedule",
        "staffing.view_roster",
        "schedule",
        group="staffing",
    ),
    NavItem(
        _("Rosters"), "staffing:roster_list", "staffing.publish_roster", "rosters", group="staffing"
    ),
    NavItem(
        _("Leave and swaps"),
        "staffing:my_requests",
        "staffing.add_leaverequest",
        "requests",
        group="staffing",
    ),
    NavItem(
        _("Leave and swap approvals"),
        "staffing:approvals",
        (
            "staffing.decide_leave_as_manager",
            "staffing.decide_leave_as_director",
            "staffing.approve_swap",
        ),
        "staffing-approvals",
        group="staffing",
    ),
    NavItem(
        _("Handover"), "staffing:handover", "staffing.view_handover", "handover", group="staffing"
    ),
    NavItem(
        _("Attendance"),
        "staffing:attendance",
        "staffing.decide_attendance",
        "attendance",
        group="staffing",
    ),
    NavItem(
        _("Data access log"),
        "intake:access_log",
        "intake.view_personaldataaccess",
        "access-log",
        group="admin",
    ),
    NavItem(_("API"), "swagger-ui", "staffing.view_apiclient", "api", group="admin"),
    NavItem(
        _("Administration"),
        "admin:index",
        "staffing.change_user",
        "admin",
        staff_only=True,
        group="admin",
    ),
)


def nav_for(user, path: str) -> list[dict]:
    if not user.is_authenticated:
        return []
    first_segment = path.strip("/").split("/", 1)[0]
    items = []
    for item in NAV_ITEMS:
        if item.staff_only and not user.is_staff:
            continue
        perms = (item.perm,) if isinstance(item.perm, str) else item.perm or ()
        if perms and not any(user.has_perm(perm) for perm in perms):
            continue
        items.append(
            {
                "label": item.label,
                "url": reverse(item.url_name),
                "active": item.section == first_segment,
                "group": item.group,
            }
        )
    return items


def nav_entries(items: list[dict]) -> list[dict]:
    """The bar as shown: items, and menus (at the place of their first item) of the
    items sharing a group; a menu of one item is that item."""
    members: dict[str, list[dict]] = {}
    for item in items:
        if item["group"]:
            members.setdefault(item["group"], []).append(item)
    entries: list[dict] = []
    placed: set[str] = set()
    for item in items:
        group = item["group"]
        if not group or len(members[group]) == 1:
            entries.append({"item": item})
        elif group not in placed:
            placed.add(group)
            entries.append(
                {
                    "group": group,
                    "label": NAV_GROUPS[group],
                    "items": members[group],
                    "active": any(member["active"] for member in members[group]),
                }
            )
    return entries
