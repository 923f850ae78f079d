"""Complaint defaults: subcategories, routing rules, settings, the complaint steps of
the escalation ladder, and the roles' permissions (DOMAIN.md P-2 to P-4, K-18, K-19).

Every value is data an administrator can change in the admin.
"""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

# (category, code, Chinese, English, source)
SUBCATEGORIES = [
    ("service_fault", "network_outage", "网络中断或无信号", "No network or signal", "C-15"),
    ("service_fault", "system_fault", "系统故障", "System fault", "C-17, K-18 [INFERENCE]"),
    ("service_fault", "broadband_down", "宽带无法上网", "Broadband down", "C-8"),
    ("service_fault", "call_quality", "通话质量差", "Poor call quality", "C-8"),
    ("service_fault", "roaming_fault", "漫游故障", "Roaming fault", "C-18, K-18 [INFERENCE]"),
    ("billing", "tariff_dispute", "资费争议", "Tariff dispute", "C-15, C-16"),
    ("billing", "misleading_promotion", "宣传不清或误导", "Opaque or misleading promotion", "C-15"),
    ("billing", "top_up_card", "缴费卡", "Top-up card", "C-18, K-18 [INFERENCE]"),
    ("billing", "roaming_charges", "漫游费用", "Roaming charges", "C-18, K-18 [INFERENCE]"),
    ("billing", "unrequested_service", "未经同意订购业务", "Service ordered without consent", "C-15"),
    ("tech_support", "device_setup", "终端设置", "Device set-up", "C-16"),
    ("tech_support", "data_card", "无线上网卡", "Wireless data card", "C-16"),
    ("tech_support", "self_service", "自助服务使用", "Self-service or app use", "C-16"),
    ("service_quality", "staff_attitude", "服务态度", "Staff attitude", "C-17, C-40"),
    ("service_quality", "waiting_time", "等候时间过长", "Long waiting time", "C-17"),
    ("service_quality", "remote_service", "异地服务", "Remote (out-of-area) service", "C-18"),
    ("business_error", "wrong_handling", "业务办理错误", "Business handled wrongly", "C-17"),
    ("business_error", "late_handling", "业务办理延误", "Business handled late", "C-17"),
    ("business_error", "wrong_information", "告知信息错误", "Wrong information given", "C-17"),
]

# (category, target, team kind, assign to the lead, order, source)
ROUTING_RULES = [
    ("service_fault", "team_kind", "tech_support", False, 10, "P-4, C-16"),
    ("billing", "team_kind", "market_legal", False, 10, "P-4, C-16"),
    ("tech_support", "team_kind", "tech_support", False, 10, "P-4, C-16"),
    ("service_quality", "agent_team", "", True, 10, "P-4"),
    ("business_error", "agent_team", "", True, 10, "P-4"),
]
# When the handling group is missing, the customer-service group keeps the complaint.
FALLBACK = ("team_kind", "complaints", False, 900, "P-4 fallback: customer-service group (C-10)")

# The complaint steps of the ladder (DESIGN.md §2.2): an overdue stage raises the
# support level; overdue result feedback makes an upgraded complaint.
LADDER = [
    (25, "Complaint acceptance overdue: raise the support level", "complaint_acceptance", ["raise_support_level"]),
    (26, "Complaint investigation overdue: raise the support level", "complaint_investigation", ["raise_support_level"]),
    (27, "Complaint result feedback overdue: upgraded complaint (升级投诉)", "complaint_feedback", ["upgrade_complaint"]),
]

VIEW = [
    "complaints.view_complaint",
    "complaints.view_subcategory",
    "complaints.view_outagecluster",
    "complaints.view_compensation",
    "complaints.view_feedback",
]
RECORD = VIEW + ["complaints.add_complaint"]
HANDLE = RECORD + ["complaints.handle_complaint", "complaints.view_evidence"]
OVERSEE = [
    "complaints.view_all_complaints",
    "complaints.view_leadership_board",
    "complaints.approve_compensation_manager",
    "complaints.approve_extension",
]
CONFIGURE = [
    "complaints.view_complaintsettings",
    "complaints.change_complaintsettings",
    "complaints.view_routingrule",
    "complaints.add_routingrule",
    "complaints.change_routingrule",
    "complaints.add_subcategory",
    "complaints.change_subcategory",
]

ROLE_PERMISSIONS = {
    "agent": RECORD,
    "team_lead": HANDLE,
    "complaint_handler": HANDLE,
    "tech_support": HANDLE,
    "market_legal": HANDLE + ["complaints.approve_compensation_legal"],
    # QA reads every complaint and its evidence, and changes nothing (K-30).
    "qa_inspector": VIEW + ["complaints.view_all_complaints", "complaints.view_evidence"],
    "cs_manager": HANDLE + OVERSEE + CONFIGURE,
    "centre_director": VIEW + OVERSEE + ["complaints.view_evidence"],
}


def load(apps, schema_editor):
    Subcategory = apps.get_model("complaints", "Subcategory")
    RoutingRule = apps.get_model("complaints", "RoutingRule")
    ComplaintSettings = apps.get_model("complaints", "ComplaintSettings")
    EscalationLevel = apps.get_model("sla", "EscalationLevel")
    for order, (category, code, zh, en, source) in enumerate(SUBCATEGORIES):
        Subcategory.objects.get_or_create(
            code=code,
            defaults={
                "category": category,
                "name_zh": zh,
                "name_en": en,
                "source": f"DOMAIN.md {source}",
                "sort_order": order,
            },
        )
    if not RoutingRule.objects.exists():
        fallback_target, fallback_kind, fallback_lead, fallback_order, fallback_source = FALLBACK
        for category, target, kind, to_lead, order, source in ROUTING_RULES:
            RoutingRule.objects.create(
                category=category,
                target=target,
                team_kind=kind,
                assign_to_lead=to_lead,
                order=order,
                source=f"DOMAIN.md {source}",
            )
            RoutingRule.objects.create(
                category=category,
                target=fallback_target,
                team_kind=fallback_kind,
                assign_to_lead=fallback_lead,
                order=fallback_order,
                source=f"DOMAIN.md {fallback_source}",
            )
    if not ComplaintSettings.objects.exists():
        ComplaintSettings.objects.create()
    for order, name, metric, actions in LADDER:
        EscalationLevel.objects.get_or_create(
            name=name,
            defaults={
                "order": order,
                "metric": metric,
                "trigger": "breached",
                "delay_fraction": 0,
                "actions": actions,
            },
        )
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("sla", "0002_default_policies"),
        ("staffing", "0002_roles"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
