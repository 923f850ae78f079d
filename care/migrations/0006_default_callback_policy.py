"""The default callback policy [INFERENCE, K-24]: a sample of 10 % of delivered business
orders of every type is called back; administrators set rates per type in the admin."""

from django.db import migrations


def load(apps, schema_editor):
    CallbackPolicy = apps.get_model("care", "CallbackPolicy")
    CallbackPolicy.objects.get_or_create(business_type_code="", defaults={"rate_percent": 10})


class Migration(migrations.Migration):
    dependencies = [("care", "0005_callback_policy")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
