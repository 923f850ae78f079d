"""Care's defaults: callback SLA policies per reason (DOMAIN.md K-24), survey policies
(P-13, K-23: at most once per 7 days), the settings row (CSAT target 95 %, CA-36),
who may do what (issue 15 item 8) and the survey dispatch schedule.

Callback policies match a callback ticket's reason through the SLA policy's
category code ("callback_dissatisfied"): worktickets.services.ticket_facts gives a
callback those codes. Defaults [INFERENCE, K-24]: dissatisfied survey answer 24 h;
after business delivery 3 working days; after complaint closure 2 working days;
any other callback (requested, by hand) 24 h.
"""

from django.db import migrations
from django.utils.translation import gettext_noop

from staffing.role_grants import grant_role_permissions


def target(amount, unit):
    return {
        "metric": "closure",
        "amount": amount,
        "unit": unit,
        "cap_amount": None,
        "cap_unit": "",
        "pauses_while_waiting_customer": False,
        "pauses_while_waiting_internal": False,
        "on_reopen": "keep",
        "starts_after": "",
        "warn_fractions": [0.5, 0.8],
        "note": "",
    }


POLICIES = [
    (gettext_noop("Callbacks after a dissatisfied survey answer"), "callback_dissatisfied", 24, "hours", "24x7"),
    (gettext_noop("Callbacks after business delivery"), "callback_delivery", 3, "working_days", "working_time"),
    (gettext_noop("Callbacks after complaint closure"), "callback_complaint_closed", 2, "working_days", "working_time"),
    (gettext_noop("Callbacks"), "callback", 24, "hours", "24x7"),
]
CRITERIA = (
    "kind",
    "complaint_category",
    "complaint_tier",
    "vip_match",
    "channel",
    "min_priority",
    "business_type_code",
    "category_code",
    "service_type",
    "region",
)

# Surveyed on closing: every kind, every channel; callbacks never (they are the follow-up).
SURVEY_KINDS = ["inquiry", "business", "complaint"]

VIEW = ["care.view_survey", "care.view_callback", "care.view_surveypolicy"]
WORK = [*VIEW, "care.change_callback"]
CONFIGURE = [
    *WORK,
    "care.add_surveypolicy",
    "care.change_surveypolicy",
    "care.change_caresettings",
    "care.view_caresettings",
    "care.add_surveyoptout",
    "care.view_surveyoptout",
]
ROLE_PERMISSIONS = {
    # Agents and leads work callbacks (CA-23: the VIP seat; CA-34: agents run surveys).
    "agent": WORK,
    "team_lead": WORK,
    "complaint_handler": WORK,
    # QA reads the answers and callbacks, changes nothing.
    "qa_inspector": VIEW,
    # Managers configure survey policies, targets and opt-outs.
    "cs_manager": CONFIGURE,
    "centre_director": CONFIGURE,
}


def load(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    PolicyTarget = apps.get_model("sla", "PolicyTarget")
    PolicyVersion = apps.get_model("sla", "PolicyVersion")
    for name, code, amount, unit, calendar_kind in POLICIES:
        if SlaPolicy.objects.filter(name=name).exists():
            continue
        calendar = BusinessCalendar.objects.filter(kind=calendar_kind).order_by("pk").first()
        taken = set(SlaPolicy.objects.values_list("order", flat=True))
        order = next(o for o in range(300, 1000) if o not in taken)
        policy = SlaPolicy.objects.create(
            name=name,
            order=order,
            kind="callback",
            category_code=code,
            source="DOMAIN.md W-19, CA-21, K-24",
            description="Callback closure target by reason [INFERENCE, K-24].",
        )
        spec = target(amount, unit)
        PolicyTarget.objects.create(policy=policy, calendar=calendar, **spec)
        criteria = {field: getattr(policy, field) for field in CRITERIA}
        criteria["order"] = policy.order
        version = PolicyVersion.objects.create(
            policy=policy,
            number=1,
            criteria=criteria,
            targets=[{**spec, "calendar_id": calendar.pk}],
            note="Default set",
        )
        policy.current_version = version
        policy.save(update_fields=["current_version"])

    SurveyPolicy = apps.get_model("care", "SurveyPolicy")
    for kind in SURVEY_KINDS:
        SurveyPolicy.objects.get_or_create(ticket_kind=kind, channel="")
    CareSettings = apps.get_model("care", "CareSettings")
    if not CareSettings.objects.exists():
        CareSettings.objects.create()

    grant_role_permissions(apps, ROLE_PERMISSIONS)

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(
        name="Survey dispatch",
        defaults={"task": "care.tasks.dispatch_surveys", "interval": interval, "expire_seconds": 55},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0001_initial"),
        ("sla", "0006_category_policies"),
        ("staffing", "0002_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
