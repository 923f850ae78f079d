"""The reports' schedule (daily requests and the 22nd reminder, django-celery-beat)
and who reads, generates and submits them."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

SCHEDULES = [
    ("Reports: request the reports whose period ended", "csc.tasks.request_scheduled_reports", "15", "1"),
    ("Reports: remind team leads of the monthly analysis due before the 22nd", "csc.tasks.remind_monthly_reports", "0", "9"),
]

ROLE_PERMISSIONS = {
    "team_lead": ["csc.view_reports", "csc.generate_report", "csc.submit_report"],
    "cs_manager": ["csc.view_reports", "csc.generate_report", "csc.submit_report"],
    "centre_director": ["csc.view_reports", "csc.generate_report"],
}


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Shanghai",
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})
    grant_role_permissions(apps, ROLE_PERMISSIONS)


def remove(apps, schema_editor):
    names = [name for name, *_ in SCHEDULES]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("csc", "0005_stored_reports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("staffing", "0002_roles"),
    ]

    operations = [migrations.RunPython(create, remove)]
