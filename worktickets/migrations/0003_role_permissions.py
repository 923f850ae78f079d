from django.db import migrations

from staffing.role_grants import grant_role_permissions

WORK = [
    "worktickets.view_ticket",
    "worktickets.add_ticket",
    "worktickets.change_ticket",
    "worktickets.work_ticket",
    "worktickets.view_businesstype",
]
SUPERVISE = WORK + ["worktickets.approve_business", "worktickets.view_all_tickets"]
READ = ["worktickets.view_ticket", "worktickets.view_businesstype", "worktickets.view_all_tickets"]

ROLE_PERMISSIONS = {
    "agent": WORK,
    "team_lead": SUPERVISE,
    "complaint_handler": WORK,
    "tech_support": WORK,
    "market_legal": WORK,
    # QA reads every team's tickets and changes none (DESIGN.md §4).
    "qa_inspector": READ,
    "cs_manager": SUPERVISE + ["worktickets.change_businesstype", "worktickets.change_businesseligibility"],
    "centre_director": SUPERVISE,
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("worktickets", "0002_business_catalogue"),
        ("staffing", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
