"""The default automatic checks (issue 17 item 10; DOMAIN.md Q-1.3 服务用语, P-10's
critical line), who manages them, and the schedule that runs them."""

from decimal import Decimal

from django.db import migrations

from staffing.role_grants import grant_role_permissions

RULES = [
    # (name, kind, phrases, threshold, speaker, critical, weight)
    ("问候语", "required", "您好\n你好\n很高兴为您服务", None, "agent", False, "0.5"),
    ("结束语", "required", "再见\n感谢您的来电\n感谢您的耐心\n还有其他可以帮您", None, "agent", False, "0.5"),
    ("服务禁语", "forbidden", "不知道\n不归我管\n没办法\n不可能\n你自己看\n听不懂吗\n我不管\n随便", None, "agent", False, "1.0"),
    ("辱骂用语", "forbidden", "滚\n闭嘴\n笨蛋\n神经病\n有病\n废物\n白痴", None, "agent", True, "3.0"),
    ("读出完整身份证号", "pattern", r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])", None, "agent", True, "3.0"),
    ("读出完整手机号", "pattern", r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", None, "agent", True, "2.0"),
    ("长时间静音或保持", "silence", "", 30, "any", False, "1.0"),
]

ROLE_PERMISSIONS = {
    "qa_inspector": ["quality.view_checkrule"],
    "cs_manager": ["quality.view_checkrule", "quality.add_checkrule", "quality.change_checkrule"],
    "centre_director": [
        "quality.view_checkrule",
        "quality.add_checkrule",
        "quality.change_checkrule",
    ],
}
SCHEDULE = "Quality: automatic transcript checks"


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)
    CheckRule = apps.get_model("quality", "CheckRule")
    for name, kind, phrases, threshold, speaker, critical, weight in RULES:
        CheckRule.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "phrases": phrases,
                "threshold_seconds": threshold,
                "speaker": speaker,
                "is_critical": critical,
                "sampling_weight": Decimal(weight),
            },
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five, _ = CrontabSchedule.objects.get_or_create(
        minute="*/5",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE, defaults={"task": "quality.tasks.check_transcripts", "crontab": every_five}
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0003_automatic_checks"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
