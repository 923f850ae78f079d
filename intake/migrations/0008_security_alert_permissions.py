"""Who hears of bursts of searches by number (DOMAIN.md R-2, IS-4): the centre
director and market & legal compliance, who may also read the access log the
alert links to; the administrator role gets the new permission too."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

ALERTED = ["intake.receive_security_alerts", "intake.view_personaldataaccess"]


def grant(apps, schema_editor):
    grant_role_permissions(apps, {"centre_director": ALERTED, "market_legal": ALERTED})


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0007_access_log_reveals_and_searches"),
        ("staffing", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
