"""Idempotent requests remember the created object's id instead of the response body.

Existing rows get the id their stored body names, and the body (which could hold
full phone and ID numbers) is dropped by 0007. Nothing is deleted.
"""

from django.db import migrations, models

BATCH = 2000


def ids_from_bodies(apps, schema_editor):
    IdempotentRequest = apps.get_model("staffing", "IdempotentRequest")
    last = 0
    while True:
        rows = list(
            IdempotentRequest.objects.filter(pk__gt=last, response_body__isnull=False)
            .order_by("pk")
            .only("pk", "response_body")[:BATCH]
        )
        if not rows:
            return
        for row in rows:
            body = row.response_body
            object_id = body.get("id") if isinstance(body, dict) else None
            row.object_id = object_id if isinstance(object_id, int) else None
            row.response_body = None
        IdempotentRequest.objects.bulk_update(rows, ["object_id", "response_body"])
        last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("staffing", "0005_webhook_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotentrequest",
            name="object_id",
            field=models.BigIntegerField(null=True),
        ),
        # No way back: the bodies are gone for good.
        migrations.RunPython(ids_from_bodies, migrations.RunPython.noop, elidable=False),
    ]
