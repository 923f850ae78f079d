"""VIP appointments (DOMAIN.md P-9): their SLA policy and who books them.

An appointment is a callback ticket of reason "vip_appointment"; its clock counts
from the slot's start (worktickets.services.ticket_create `clocks_from`), and the
policy gives 30 minutes, round the clock, to serve the customer [INFERENCE, P-9
"预约免排队": served at the booked time, without waiting]. The policy is placed just
before the catch-all "Callbacks" policy so it wins for these tickets.
"""

from django.db import migrations
from django.utils.translation import gettext_noop

from staffing.role_grants import grant_role_permissions

NAME = gettext_noop("VIP appointments")
CODE = "callback_vip_appointment"
TARGET = {
    "metric": "closure",
    "amount": 30,
    "unit": "minutes",
    "cap_amount": None,
    "cap_unit": "",
    "pauses_while_waiting_customer": False,
    "pauses_while_waiting_internal": False,
    "on_reopen": "keep",
    "starts_after": "",
    "warn_fractions": [0.5, 0.8],
    "note": "",
}
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
BOOK = ["care.add_appointment", "care.view_appointment"]
ROLE_PERMISSIONS = {
    "agent": BOOK,
    "team_lead": BOOK,
    "complaint_handler": BOOK,
    "cs_manager": BOOK,
    "centre_director": BOOK,
    "qa_inspector": ["care.view_appointment"],
}


def load(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    PolicyTarget = apps.get_model("sla", "PolicyTarget")
    PolicyVersion = apps.get_model("sla", "PolicyVersion")
    if not SlaPolicy.objects.filter(name=NAME).exists():
        calendar = BusinessCalendar.objects.filter(kind="24x7").order_by("pk").first()
        catch_all = SlaPolicy.objects.filter(kind="callback", category_code="callback").first()
        taken = set(SlaPolicy.objects.values_list("order", flat=True))
        below = catch_all.order if catch_all else 1000
        order = next(o for o in range(below - 1, 0, -1) if o not in taken)
        policy = SlaPolicy.objects.create(
            name=NAME,
            order=order,
            kind="callback",
            category_code=CODE,
            source="DOMAIN.md P-9",
            description="A VIP appointment is served within 30 minutes of its slot [INFERENCE].",
        )
        PolicyTarget.objects.create(policy=policy, calendar=calendar, **TARGET)
        criteria = {field: getattr(policy, field) for field in CRITERIA}
        criteria["order"] = policy.order
        version = PolicyVersion.objects.create(
            policy=policy,
            number=1,
            criteria=criteria,
            targets=[{**TARGET, "calendar_id": calendar.pk}],
            note="Default set",
        )
        policy.current_version = version
        policy.save(update_fields=["current_version"])
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0010_appointments"),
        ("worktickets", "0016_callback_reason_vip_appointment"),
        ("staffing", "0002_roles"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
