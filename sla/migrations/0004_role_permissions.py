"""SLA permissions for the roles (DOMAIN.md ST-1 to ST-10); administrators get all."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

VIEW = ["sla.view_clock", "sla.view_clockevent", "sla.view_escalationrecord"]
LEAD = [*VIEW, "sla.view_at_risk"]
MANAGE = [
    *LEAD,
    "sla.view_all_clocks",
    "sla.view_slapolicy",
    "sla.view_policytarget",
    "sla.view_policyversion",
    "sla.view_businesscalendar",
    "sla.view_calendaroverride",
    "sla.view_escalationlevel",
]

ROLE_PERMISSIONS = {
    "agent": VIEW,
    "team_lead": LEAD,
    "complaint_handler": VIEW,
    "tech_support": VIEW,
    "market_legal": VIEW,
    "qa_inspector": [*VIEW, "sla.view_all_clocks"],
    "cs_manager": MANAGE,
    "centre_director": MANAGE,
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0003_schedules"),
        ("staffing", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
