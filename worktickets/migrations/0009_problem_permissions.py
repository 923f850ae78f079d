"""Who keeps the problem ledger (DOMAIN.md W-6). Everyone reads it; whoever works
tickets raises problems and links tickets to them; team leads, tech support and
managers analyse, fix and verify them (as does a problem's owner, whatever their
role). Administrators get every permission."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

READ = ["worktickets.view_problem", "worktickets.view_inquirycategory"]
REPORT = [*READ, "worktickets.add_problem"]
KEEP = [*REPORT, "worktickets.change_problem"]

ROLE_PERMISSIONS = {
    "agent": REPORT,
    "team_lead": KEEP,
    "complaint_handler": REPORT,
    "tech_support": KEEP,
    "market_legal": REPORT,
    "qa_inspector": READ,
    "cs_manager": [*KEEP, "worktickets.change_inquirycategory", "worktickets.add_inquirycategory"],
    "centre_director": KEEP,
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("worktickets", "0008_problem_ledger"),
        ("staffing", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
