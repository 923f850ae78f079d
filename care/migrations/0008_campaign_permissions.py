"""Managers configure care campaigns (issue 15 item 8); others read them."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

ROLE_PERMISSIONS = {
    "cs_manager": ["care.add_campaign", "care.change_campaign", "care.view_campaign"],
    "centre_director": ["care.add_campaign", "care.change_campaign", "care.view_campaign"],
    "team_lead": ["care.view_campaign"],
    "qa_inspector": ["care.view_campaign"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("care", "0007_campaigns"), ("staffing", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
