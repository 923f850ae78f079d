"""The main navigation: each item shows only to users holding its permission."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from csc.approvals import DECISION_PERMS


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: str | tuple[str, ...] | None  # None: every signed-in user; a tuple: any of them
    section: str  # matched against the first path segment to mark the current item
    staff_only: bool = False  # the admin site lets in staff only, whatever their permissions


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Home"), "home", None, ""),
    NavItem(_("Desk"), "worktickets:my_queue", "worktickets.view_ticket", "tickets"),
    NavItem(_("Complaints"), "complaints:workbench", "complaints.view_complaint", "complaints"),
    NavItem(
        _("Major complaints and appeals"),
        "complaints:leadership",
        "complaints.view_leadership_board",
        "complaints-leadership",
    ),
    NavItem(_("At risk"), "sla:at_risk", "sla.view_at_risk", "sla"),
    NavItem(
        _("Awaiting my decision"),
        "approvals",
        DECISION_PERMS,
        "approvals",
    ),
    NavItem(_("Knowledge base"), "knowledge:search", "knowledge.view_article", "knowledge"),
    NavItem(_("Customer care"), "care:home", "care.view_survey", "care"),
    NavItem(_("Callbacks"), "care:callbacks", "care.change_callback", "care-callbacks"),
    NavItem(_("Quality"), "quality:home", "quality.view_evaluation", "quality"),
    NavItem(_("Customers"), "intake:customer_search", "intake.view_customer", "customers"),
    NavItem(_("Contacts"), "intake:contact_list", "intake.view_contact", "contacts"),
    NavItem(_("Team"), "staffing:team_board", "staffing.view_agent", "team"),
    NavItem(_("Shift dashboard"), "shift_dashboard", "csc.view_shift_dashboard", "dashboard"),
    NavItem(_("Reports"), "reports", "csc.view_reports", "reports"),
    NavItem(_("My schedule"), "staffing:my_schedule", "staffing.view_roster", "schedule"),
    NavItem(_("Rosters"), "staffing:roster_list", "staffing.publish_roster", "rosters"),
    NavItem(_("Leave and swaps"), "staffing:my_requests", "staffing.add_leaverequest", "requests"),
    NavItem(
        _("Leave and swap approvals"),
        "staffing:approvals",
        (
            "staffing.decide_leave_as_manager",
            "staffing.decide_leave_as_director",
            "staffing.approve_swap",
        ),
        "staffing-approvals",
    ),
    NavItem(_("Handover"), "staffing:handover", "staffing.view_handover", "handover"),
    NavItem(_("Attendance"), "staffing:attendance", "staffing.decide_attendance", "attendance"),
    NavItem(
        _("Data access log"), "intake:access_log", "intake.view_personaldataaccess", "access-log"
    ),
    NavItem(_("API"), "swagger-ui", "staffing.view_apiclient", "api"),
    NavItem(_("Administration"), "admin:index", "staffing.change_user", "admin", staff_only=True),
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
            }
        )
    return items
