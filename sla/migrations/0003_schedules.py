"""Beat schedules in django-celery-beat, so administrators see and change them (DESIGN.md §2.3)."""

from django.db import migrations

# (name, task, every seconds, expire seconds): a run not started within its
# period is dropped, since the next one does the same work.
SCHEDULES = [
    ("SLA sweeper", "sla.tasks.sweep", 30, 25),
    ("Outbox flush", "staffing.tasks.flush_outbox", 30, 25),
    ("SLA recompute after calendar or policy changes", "sla.tasks.run_recompute_jobs", 60, 55),
]


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, expire in SCHEDULES:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period="seconds")
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "interval": interval, "expire_seconds": expire},
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0002_default_policies"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
