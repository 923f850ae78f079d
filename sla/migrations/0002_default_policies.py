"""The default calendars, SLA policies and escalation ladder (DOMAIN.md P-1, P-2, P-5, R-1).

Every figure is data: administrators change it in the admin, which publishes a
new policy version. Policies layer per metric, first match by `order`.
Inactive rows are the alternatives the seeds also support (K-1, K-4).
"""

from django.db import migrations
from django.utils.translation import gettext_noop

ALWAYS = "24x7"
WORK = "work"

FIRST_RESPONSE = "first_response"
INITIAL_SOLUTION = "initial_solution"
CLOSURE = "closure"
DELIVERY = "business_delivery"
ACCEPTANCE = "complaint_acceptance"
INVESTIGATION = "complaint_investigation"
FEEDBACK = "complaint_feedback"
OVERALL = "complaint_overall"
EVIDENCE = "evidence_collection"
REPAIR = "repair"


def target(metric, amount, unit, calendar, *, pauses=False, reopen="keep", cap=None, starts_after="", note=""):
    return {
        "metric": metric,
        "amount": amount,
        "unit": unit,
        "calendar": calendar,
        "cap_amount": cap[0] if cap else None,
        "cap_unit": cap[1] if cap else "",
        "pauses_while_waiting_customer": pauses,
        "pauses_while_waiting_internal": False,
        "on_reopen": reopen,
        "starts_after": starts_after,
        "warn_fractions": [0.5, 0.8],
        "note": note,
    }


def tight_complaint_targets():
    # P-2 variant B: VIP customers (C-3 "VIP uses the lower bound") and upgraded complaints.
    return [
        target(ACCEPTANCE, 24, "hours", ALWAYS),
        target(INVESTIGATION, 72, "hours", ALWAYS, pauses=True, note="preliminary investigation"),
        target(FEEDBACK, 3, "working_days", WORK, pauses=True, reopen="restart"),
    ]


def repair(metric, hours, note=""):
    return [target(metric, hours, "hours", ALWAYS, pauses=True, reopen="restart", note=note)]


FIXED_ASSUMPTION = "Assumption, confirm: the seeds give no fixed-line repair limit (K-10, P-5)."

POLICIES = [
    {
        "order": 10,
        "name": gettext_noop("Appeals (申诉)"),
        "kind": "complaint",
        "complaint_tier": "appeal",
        "source": "DOMAIN.md P-2, K-37",
        "description": "Acceptance within 24 h, result feedback within 3 working days.",
        "targets": [
            target(ACCEPTANCE, 24, "hours", ALWAYS),
            target(FEEDBACK, 3, "working_days", WORK, pauses=True, reopen="restart"),
        ],
    },
    {
        "order": 20,
        "name": gettext_noop("Upgraded complaints (升级投诉)"),
        "kind": "complaint",
        "complaint_tier": "upgraded",
        "source": "DOMAIN.md P-2 (variant B), K-37",
        "description": "Acceptance 24 h, preliminary investigation 72 h, result 3 working days.",
        "targets": tight_complaint_targets(),
    },
    {
        "order": 30,
        "name": gettext_noop("VIP complaints (any VIP tier)"),
        "kind": "complaint",
        "complaint_tier": "complaint",
        "vip_match": "vip",
        "source": "DOMAIN.md P-2 (variant B), C-3, S-35",
        "description": "VIP tiers run at the tight end: 24 h / 72 h / 3 working days.",
        "targets": tight_complaint_targets(),
    },
    {
        "order": 40,
        "name": gettext_noop("Ordinary complaints"),
        "kind": "complaint",
        "complaint_tier": "complaint",
        "source": "DOMAIN.md P-2 (variant A), S-30 to S-32",
        "description": "Acceptance 1, investigation 3, result feedback 5 working days.",
        "targets": [
            target(ACCEPTANCE, 1, "working_days", WORK),
            target(INVESTIGATION, 3, "working_days", WORK, pauses=True),
            target(FEEDBACK, 5, "working_days", WORK, pauses=True, reopen="restart"),
        ],
    },
    {
        "order": 50,
        "name": gettext_noop("Every complaint: overall limit and evidence"),
        "kind": "complaint",
        "source": "DOMAIN.md P-2, S-33, S-34, K-3, R-1",
        "description": (
            "Overall cap 30 working days (extendable with a CS manager's approval) and the "
            "15-calendar-day reply of MIIT Order 35, whichever is sooner; evidence collected "
            "within 7 calendar days of acceptance."
        ),
        "targets": [
            target(OVERALL, 30, "working_days", WORK, reopen="resume", cap=(15, "calendar_days")),
            target(EVIDENCE, 7, "calendar_days", ALWAYS, starts_after=ACCEPTANCE),
        ],
    },
    {
        "order": 60,
        "name": gettext_noop("Repair limit: mobile service-fault complaints"),
        "kind": "complaint",
        "complaint_category": "service_fault",
        "service_type": "mobile",
        "source": "DOMAIN.md S-15, P-5",
        "targets": repair(REPAIR, 48),
    },
    {
        "order": 61,
        "name": gettext_noop("Repair limit: urban broadband service-fault complaints"),
        "kind": "complaint",
        "complaint_category": "service_fault",
        "service_type": "broadband",
        "region": "urban",
        "source": "DOMAIN.md S-16, P-5",
        "targets": repair(REPAIR, 36),
    },
    {
        "order": 62,
        "name": gettext_noop("Repair limit: rural broadband service-fault complaints"),
        "kind": "complaint",
        "complaint_category": "service_fault",
        "service_type": "broadband",
        "region": "rural",
        "source": "DOMAIN.md S-17, P-5",
        "targets": repair(REPAIR, 48),
    },
    {
        "order": 63,
        "name": gettext_noop("Repair limit: fixed-line service-fault complaints (assumption)"),
        "kind": "complaint",
        "complaint_category": "service_fault",
        "service_type": "fixed",
        "source": "DOMAIN.md K-10, P-5",
        "description": FIXED_ASSUMPTION,
        "targets": repair(REPAIR, 48, FIXED_ASSUMPTION),
    },
    {
        "order": 70,
        "name": gettext_noop("Fault reports: mobile"),
        "kind": "business",
        "business_type_code": "fault_report",
        "service_type": "mobile",
        "source": "DOMAIN.md S-15, P-5",
        "targets": repair(DELIVERY, 48),
    },
    {
        "order": 71,
        "name": gettext_noop("Fault reports: urban broadband"),
        "kind": "business",
        "business_type_code": "fault_report",
        "service_type": "broadband",
        "region": "urban",
        "source": "DOMAIN.md S-16, P-5",
        "targets": repair(DELIVERY, 36),
    },
    {
        "order": 72,
        "name": gettext_noop("Fault reports: rural broadband"),
        "kind": "business",
        "business_type_code": "fault_report",
        "service_type": "broadband",
        "region": "rural",
        "source": "DOMAIN.md S-17, P-5",
        "targets": repair(DELIVERY, 48),
    },
    {
        "order": 73,
        "name": gettext_noop("Fault reports: fixed line (assumption)"),
        "kind": "business",
        "business_type_code": "fault_report",
        "service_type": "fixed",
        "source": "DOMAIN.md K-10, P-5",
        "description": FIXED_ASSUMPTION,
        "targets": repair(DELIVERY, 48, FIXED_ASSUMPTION),
    },
    {
        "order": 80,
        "name": gettext_noop("Business orders: delivery per business type"),
        "kind": "business",
        "source": "DOMAIN.md K-5, S-3, S-12",
        "description": "The delivery limit comes from the business type in the catalogue.",
        "targets": [
            target(DELIVERY, 0, "business_type", ALWAYS, pauses=True),
        ],
    },
    {
        "order": 90,
        "name": gettext_noop("Online chat inquiries"),
        "kind": "inquiry",
        "channel": "online_chat",
        "source": "DOMAIN.md P-1, S-27",
        "description": "Online chat answers within 5 minutes; the other targets as for every inquiry.",
        "targets": [target(FIRST_RESPONSE, 5, "minutes", ALWAYS)],
    },
    {
        "order": 100,
        "name": gettext_noop("VIP inquiries"),
        "kind": "inquiry",
        "vip_match": "vip",
        "source": "DOMAIN.md C-3 applied to inquiries [INFERENCE]; S-26, S-27",
        "description": (
            "VIP tiers run at the tight end: the shortest response the seeds name (5 min); "
            "the other targets as for every inquiry."
        ),
        "targets": [target(FIRST_RESPONSE, 5, "minutes", ALWAYS)],
    },
    {
        "order": 110,
        "name": gettext_noop("Inquiries"),
        "kind": "inquiry",
        "source": "DOMAIN.md P-1, S-20 to S-22, W-6, W-7",
        "description": "First response 15 min, initial solution 30 min, closure 48 h, around the clock.",
        "targets": [
            target(FIRST_RESPONSE, 15, "minutes", ALWAYS),
            target(INITIAL_SOLUTION, 30, "minutes", ALWAYS, pauses=True),
            target(CLOSURE, 48, "hours", ALWAYS, pauses=True, reopen="restart"),
        ],
    },
    {
        "order": 200,
        "is_active": False,
        "name": gettext_noop("Alternative: ordinary business consultation answered within 20 minutes"),
        "kind": "inquiry",
        "source": "DOMAIN.md S-23, K-4 (documented alternative)",
        "targets": [target(FIRST_RESPONSE, 20, "minutes", ALWAYS)],
    },
    {
        "order": 210,
        "is_active": False,
        "name": gettext_noop("Alternative: variant B for every complaint"),
        "kind": "complaint",
        "complaint_tier": "complaint",
        "source": "DOMAIN.md K-1 (variant B as the default for everyone)",
        "description": "Activate with an order before 40 to give every customer 24 h / 72 h / 3 WD.",
        "targets": tight_complaint_targets(),
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
    "service_type",
    "region",
)
TARGET_FIELDS = (
    "metric",
    "amount",
    "unit",
    "cap_amount",
    "cap_unit",
    "pauses_while_waiting_customer",
    "pauses_while_waiting_internal",
    "on_reopen",
    "starts_after",
    "warn_fractions",
    "note",
)

LADDER = [
    (10, gettext_noop("At risk: tell the assignee"), "at_risk", 0, ["notify_assignee"]),
    (20, gettext_noop("Breached: tell the team lead and raise the priority"), "breached", 0, ["notify_team_lead", "raise_priority"]),
    (
        30,
        gettext_noop("Still breached after half the target again: escalation queue and CS managers"),
        "breached",
        "0.5",
        ["move_to_escalation_queue", "notify_cs_manager"],
    ),
]


def load_defaults(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    PolicyTarget = apps.get_model("sla", "PolicyTarget")
    PolicyVersion = apps.get_model("sla", "PolicyVersion")
    EscalationLevel = apps.get_model("sla", "EscalationLevel")

    calendars = {
        ALWAYS: BusinessCalendar.objects.get_or_create(
            name=gettext_noop("24×7"),
            defaults={
                "kind": "24x7",
                "description": "The hotline and online channels are served around the clock (S-7, S-10).",
            },
        )[0],
        WORK: BusinessCalendar.objects.get_or_create(
            name=gettext_noop("Working days 09:00–18:00"),
            defaults={
                "kind": "working_time",
                "working_weekdays": "12345",
                "follows_statutory_holidays": True,
                "description": (
                    "Monday to Friday with Chinese statutory holidays and make-up working days. "
                    "The seeds give no office hours (K-31): 09:00–18:00 is an assumption to confirm."
                ),
            },
        )[0],
    }
    for row in POLICIES:
        row = dict(row)
        targets = row.pop("targets")
        policy, created = SlaPolicy.objects.get_or_create(name=row.pop("name"), defaults=row)
        if not created:
            continue
        snapshots = []
        for spec in targets:
            calendar = calendars[spec["calendar"]]
            fields = {name: spec[name] for name in TARGET_FIELDS}
            PolicyTarget.objects.create(policy=policy, calendar=calendar, **fields)
            snapshots.append({**fields, "calendar_id": calendar.pk})
        criteria = {name: getattr(policy, name) for name in CRITERIA}
        criteria["order"] = policy.order
        version = PolicyVersion.objects.create(
            policy=policy, number=1, criteria=criteria, targets=snapshots, note="Default set"
        )
        policy.current_version = version
        policy.save(update_fields=["current_version"])
    for order, name, trigger, delay, actions in LADDER:
        EscalationLevel.objects.get_or_create(
            name=name,
            defaults={"order": order, "trigger": trigger, "delay_fraction": delay, "actions": actions},
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
