"""Move the callback SLA policies (0002) far after the ticket policies: their first
places (300-303) were round numbers an administrator (or a test) may want for a
ticket policy. Only policies still at their first place move; their published
version's criteria follow."""

from django.db import migrations

NAMES = [
    "Callbacks after a dissatisfied survey answer",
    "Callbacks after business delivery",
    "Callbacks after complaint closure",
    "Callbacks",
]


def move(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    for name in NAMES:
        policy = SlaPolicy.objects.filter(name=name, order__gte=300, order__lt=310).first()
        if policy is None:
            continue
        taken = set(SlaPolicy.objects.values_list("order", flat=True))
        policy.order = next(o for o in range(901, 2000) if o not in taken)
        policy.save(update_fields=["order"])
        version = policy.current_version
        if version is not None:
            version.criteria = {**version.criteria, "order": policy.order}
            version.save(update_fields=["criteria"])


class Migration(migrations.Migration):
    dependencies = [("care", "0008_campaign_permissions")]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
