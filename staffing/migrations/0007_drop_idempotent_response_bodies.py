from django.db import migrations


class Migration(migrations.Migration):
    """Stored response bodies go: a replay renders the created object afresh (0006)."""

    dependencies = [
        ("staffing", "0006_idempotent_request_object_id"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="idempotentrequest",
            name="response_body",
        ),
    ]
