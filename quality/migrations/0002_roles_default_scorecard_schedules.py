"""Who evaluates and who leads QA (issue 17 item 11), the default scorecard from P-10
(the five Q-1.3 lines at equal weight and a critical line), the settings row, and the
sampling and closing schedules (django-celery-beat, DESIGN.md §2.3)."""

import datetime
from decimal import Decimal

from django.db import migrations

from staffing.role_grants import grant_role_permissions

SEE = ["quality.view_evaluation", "quality.view_scorecard"]
EVALUATE = [*SEE, "quality.evaluate", "quality.view_all_evaluations", "quality.view_sample"]
LEAD = [
    *SEE,
    "quality.view_all_evaluations",
    "quality.view_sample",
    "quality.manage_quality",
    "quality.change_qualitysettings",
    "quality.view_qualitysettings",
]

ROLE_PERMISSIONS = {
    # Agents and team leads see evaluations through quality.selectors: their own, their teams'.
    "agent": SEE,
    "team_lead": SEE,
    "qa_inspector": EVALUATE,
    # The QA lead is a permission; the CS manager and the director hold it by default.
    "cs_manager": LEAD,
    "centre_director": LEAD,
}

# DOMAIN.md and P-10: the five monitoring criteria, equal weights, 10 points each.
DEFAULT_LINES = [
    ("服务用语", "Standard service wording: greeting, closing and the centre's set phrases."),
    ("服务态度", "Attitude: patient, polite and warm throughout."),
    ("语气语调", "Tone and intonation: clear, steady, friendly."),
    ("客户需求的归纳能力", "Summarising the customer's need correctly."),
    ("接待客户应变能力", "Handling the unexpected and adapting to the customer."),
]
CRITICAL = (
    "严重违规（泄露客户信息、辱骂客户）",
    "Critical error: leaking customer data or abusive language. 0 fails the whole evaluation.",
)

SCHEDULES = [
    # The month just ended is completed on the 1st; the month running is topped up weekly.
    ("Quality: monthly sample", "quality.tasks.build_monthly_samples", dict(minute="10", hour="1", day_of_month="1", day_of_week="*")),
    ("Quality: weekly sample top-up", "quality.tasks.top_up_samples", dict(minute="20", hour="1", day_of_month="*", day_of_week="1")),
    ("Quality: close evaluations after the window", "quality.tasks.close_due_evaluations", dict(minute="*/15", hour="*", day_of_month="*", day_of_week="*")),
]


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)
    Settings = apps.get_model("quality", "QualitySettings")
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    if not Settings.objects.exists():
        working = BusinessCalendar.objects.filter(kind="working_time").order_by("pk").first()
        Settings.objects.create(calendar=working)
    Scorecard = apps.get_model("quality", "Scorecard")
    Version = apps.get_model("quality", "ScorecardVersion")
    Line = apps.get_model("quality", "ScorecardLine")
    if not Scorecard.objects.exists():
        card = Scorecard.objects.create(name="服务质量评分表")
        version = Version.objects.create(
            scorecard=card, number=1, effective_from=datetime.date(2000, 1, 1)
        )
        for position, (name, description) in enumerate(DEFAULT_LINES, start=1):
            Line.objects.create(
                version=version,
                position=position,
                name=name,
                description=description,
                weight=Decimal("1"),
                max_points=10,
            )
        Line.objects.create(
            version=version,
            position=len(DEFAULT_LINES) + 1,
            name=CRITICAL[0],
            description=CRITICAL[1],
            weight=Decimal("0"),
            max_points=1,
            is_critical=True,
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, cron in SCHEDULES:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            month_of_year="*", timezone="Asia/Shanghai", **cron
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": schedule})


def backwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _t, _c in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0001_scorecards_samples_evaluations"),
        ("sla", "0004_role_permissions"),
        ("staffing", "0002_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
