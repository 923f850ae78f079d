"""P-1's per-type inquiry timers, matched by inquiry category (DOMAIN.md P-1, K-2, K-4,
S-24 to S-26, W-9, W-10).

- System fault (系统故障) during a query: a person intervenes and answers with a
  solution within 5 minutes (W-9, S-26: "5分钟内响应并提供解决方案").
- Suggestion and feedback (意见反馈): a reply within 24 hours (W-10, S-25). The reply
  is the answer, so the initial solution is due with it.
- Complex requests: the response within 48 hours (S-24), a timer of its own, never
  the 48-h closure (K-2); the initial solution cannot be due before it.

Each sets only the metrics it changes; the other targets (closure 48 h) come from
"Inquiries", and online chat and VIP inquiries keep their 5-minute first response,
which sit before these by precedence. Tickets without a category match none of
them and keep their clocks. Versions published before this migration get the new
criterion, empty, so republishing an unchanged policy makes no new version.
"""

from django.db import migrations
from django.utils.translation import gettext_noop

FIRST_RESPONSE = "first_response"
INITIAL_SOLUTION = "initial_solution"


def target(metric, amount, unit, *, pauses=False, note=""):
    return {
        "metric": metric,
        "amount": amount,
        "unit": unit,
        "cap_amount": None,
        "cap_unit": "",
        "pauses_while_waiting_customer": pauses,
        "pauses_while_waiting_internal": False,
        "on_reopen": "keep",
        "starts_after": "",
        "warn_fractions": [0.5, 0.8],
        "note": note,
    }


POLICIES = [
    {
        "order": 102,
        "name": gettext_noop("System faults during a query"),
        "category_code": "system_fault",
        "source": "DOMAIN.md P-1, S-26, W-9, K-4",
        "description": "A person intervenes and answers with a solution within 5 minutes.",
        "targets": [
            target(FIRST_RESPONSE, 5, "minutes"),
            target(INITIAL_SOLUTION, 5, "minutes", pauses=True),
        ],
    },
    {
        "order": 104,
        "name": gettext_noop("Suggestions and feedback"),
        "category_code": "feedback",
        "source": "DOMAIN.md P-1, S-25, W-10, K-4",
        "description": "A reply within 24 hours; the reply is the answer. Closure as for every inquiry.",
        "targets": [
            target(FIRST_RESPONSE, 24, "hours"),
            target(INITIAL_SOLUTION, 24, "hours", pauses=True),
        ],
    },
    {
        "order": 106,
        "name": gettext_noop("Complex requests"),
        "category_code": "complex",
        "source": "DOMAIN.md S-24, K-2, W-6, W-13",
        "description": (
            "The response within 48 hours, a timer of its own (K-2); the initial solution is "
            "not due before it. Closure as for every inquiry."
        ),
        "targets": [
            target(FIRST_RESPONSE, 48, "hours"),
            target(INITIAL_SOLUTION, 48, "hours", pauses=True),
        ],
    },
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


def add_policies(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    PolicyTarget = apps.get_model("sla", "PolicyTarget")
    PolicyVersion = apps.get_model("sla", "PolicyVersion")

    for version in PolicyVersion.objects.all():
        if "category_code" not in version.criteria:
            version.criteria = {**version.criteria, "category_code": ""}
            version.save(update_fields=["criteria"])

    always = BusinessCalendar.objects.filter(kind="24x7").order_by("pk").first()
    if always is None:
        always = BusinessCalendar.objects.create(name=gettext_noop("24×7"), kind="24x7")
    for row in POLICIES:
        row = dict(row)
        targets = row.pop("targets")
        if SlaPolicy.objects.filter(name=row["name"]).exists():
            continue
        taken = set(SlaPolicy.objects.values_list("order", flat=True))
        # Before "Inquiries" (110), whose targets would otherwise win; an administrator
        # may have used the planned place.
        row["order"] = next(o for o in range(row["order"], 110) if o not in taken)
        policy = SlaPolicy.objects.create(kind="inquiry", **row)
        snapshots = []
        for spec in targets:
            PolicyTarget.objects.create(policy=policy, calendar=always, **spec)
            snapshots.append({**spec, "calendar_id": always.pk})
        criteria = {name: getattr(policy, name) for name in CRITERIA}
        criteria["order"] = policy.order
        version = PolicyVersion.objects.create(
            policy=policy, number=1, criteria=criteria, targets=snapshots, note="Default set"
        )
        policy.current_version = version
        policy.save(update_fields=["current_version"])


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_policy_category_code")]

    operations = [migrations.RunPython(add_policies, migrations.RunPython.noop)]
