"""Those who see the API clients see their webhook subscriptions and delivery
logs; the administrator role gets the new permissions too."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

SEE_WEBHOOKS = [
    "staffing.view_webhooksubscription",
    "staffing.view_webhookdelivery",
    "staffing.view_webhookattempt",
]


def grant(apps, schema_editor):
    grant_role_permissions(apps, {"cs_manager": SEE_WEBHOOKS, "centre_director": SEE_WEBHOOKS})


class Migration(migrations.Migration):
    dependencies = [("staffing", "0004_webhooks")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
