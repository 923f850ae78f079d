"""Create the centre's roles as groups and grant the permissions of the
apps that exist at this point (DOMAIN.md ST-1 to ST-10). Later apps grant
their own permissions in their own data migrations."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

READ_CUSTOMERS = [
    "intake.view_customer",
    "intake.view_customerservice",
    "intake.view_contact",
]
WORK_CUSTOMERS = READ_CUSTOMERS + [
    "intake.add_customer",
    "intake.change_customer",
    "intake.add_customerservice",
    "intake.change_customerservice",
    "intake.add_contact",
    "intake.change_contact",
]
SUPERVISE = WORK_CUSTOMERS + [
    "intake.view_full_personal_data",
    "staffing.view_agent",
    "staffing.change_agent",
    "staffing.view_team",
    "staffing.view_skill",
]
MANAGE = SUPERVISE + [
    "intake.view_personaldataaccess",
    "staffing.view_apiclient",
]

ROLE_PERMISSIONS = {
    "agent": WORK_CUSTOMERS,
    "team_lead": SUPERVISE,
    "complaint_handler": WORK_CUSTOMERS,
    "tech_support": WORK_CUSTOMERS,
    "market_legal": WORK_CUSTOMERS,
    "qa_inspector": READ_CUSTOMERS + ["staffing.view_agent", "staffing.view_team"],
    "cs_manager": MANAGE,
    "centre_director": MANAGE,
}


def create_roles(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("staffing", "0001_initial"),
        ("intake", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
