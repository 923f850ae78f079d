"""The default retention policies (DOMAIN.md R-1, R-3), who may erase a customer, and
the nightly retention job as a django-celery-beat schedule."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

R1 = "DOMAIN.md R-1 (MIIT Order 35): appeals accepted for about"
# record type, days, action, legal source. Each is the legal minimum of csc.choices.
DEFAULTS = [
    ("contact", 731, "anonymise", "DOMAIN.md R-1, R-3: kept while an appeal may need it (2 years)"),
    ("ticket", 731, "anonymise", "DOMAIN.md R-1, R-3: kept while an appeal may need it (2 years)"),
    ("complaint_billing", 155, "anonymise", f"{R1} 5 months for billing disputes"),
    ("complaint_other", 731, "anonymise", f"{R1} 2 years for other complaints"),
    ("evidence_billing", 155, "delete", f"{R1} 5 months for billing disputes"),
    ("evidence_other", 731, "delete", f"{R1} 2 years for other complaints"),
    ("access_log", 186, "delete", "DOMAIN.md R-2, R-3 (Cybersecurity Law Art. 21): 6 months"),
    ("webhook_delivery", 186, "delete", "DOMAIN.md R-3 (Cybersecurity Law Art. 21): 6 months"),
    ("idempotency", 3, "delete", "DESIGN.md §3: a replayed create is answered for 72 hours"),
    ("outbox", 186, "delete", "DOMAIN.md R-3 (PIPL Art. 19): no longer than needed"),
    ("notification", 186, "delete", "DOMAIN.md R-3 (PIPL Art. 19): no longer than needed"),
]

SCHEDULE = "Retention: anonymise and delete personal data past its period"

ROLE_PERMISSIONS = {
    "cs_manager": ["csc.erase_customer", "csc.view_customererasure"],
    "centre_director": [
        "csc.view_customererasure",
        "csc.view_retentionpolicy",
        "csc.view_retentionrun",
    ],
}


def create_defaults(apps, schema_editor):
    RetentionPolicy = apps.get_model("csc", "RetentionPolicy")
    for record_type, days, action, source in DEFAULTS:
        RetentionPolicy.objects.get_or_create(
            record_type=record_type,
            defaults={"keep_days": days, "action": action, "legal_source": source},
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE, defaults={"task": "csc.tasks.apply_retention", "crontab": nightly}
    )
    grant_role_permissions(apps, ROLE_PERMISSIONS)


def remove_defaults(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE).delete()
    apps.get_model("csc", "RetentionPolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("csc", "0001_retention_policies_runs_and_erasures"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("staffing", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
