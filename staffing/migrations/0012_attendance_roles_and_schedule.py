"""Team leads and managers confirm or excuse attendance exceptions (ST-39, S-51);
the check runs every 15 minutes after shifts end."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

NAME = "Attendance against the roster"
DECIDE = ["staffing.view_attendanceexception", "staffing.decide_attendance"]


def create(apps, schema_editor):
    grant_role_permissions(
        apps, {"team_lead": DECIDE, "cs_manager": DECIDE, "centre_director": DECIDE}
    )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    quarterly, _ = CrontabSchedule.objects.get_or_create(
        minute="*/15",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME, defaults={"task": "staffing.tasks.check_attendance", "crontab": quarterly}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staffing", "0011_attendance_exceptions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
