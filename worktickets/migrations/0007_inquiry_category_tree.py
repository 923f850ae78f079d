"""The inquiry category tree (DOMAIN.md W-1 to W-10, W-22, S-24).

Top level: the kinds of inquiry the seeds count and time separately — consultation,
query and proactive service (W-2), suggestion and feedback (W-1 申告建议, W-10),
system fault during a query (W-9), technical questions and fault declarations
(W-3, W-4), after-sales (W-4) and complex requests (W-6, W-13, S-24).
Consultation is refined by the product classes of W-22, queries by the subjects
of W-8, feedback by the subjects of W-10. The SLA policies match
`feedback`, `system_fault` and `complex` by code (the sla data migration
`category_policies`); administrators edit the tree in the admin.
"""

from django.db import migrations

# code, zh, en, source, children [(code, zh, en)]
TREE = [
    (
        "consultation",
        "业务咨询",
        "Consultation",
        "W-1, W-2, W-22",
        [
            ("consultation_basic", "基础通信(语音/短信/流量)", "Basic communication (voice, SMS, data)"),
            ("consultation_value_added", "增值业务", "Value-added services"),
            ("consultation_network", "网络服务(宽带/固话)", "Network services (broadband, fixed line)"),
            ("consultation_cloud", "云服务", "Cloud services"),
            ("consultation_packages", "套餐(基础/定制/家庭)", "Packages (basic, customised, family)"),
            ("consultation_promotions", "优惠活动(积分/优惠券/礼品)", "Promotions (points, coupons, gifts)"),
        ],
    ),
    (
        "query",
        "查询",
        "Query",
        "W-2, W-8",
        [
            ("query_business_status", "业务状态查询", "Business status"),
            ("query_tariff", "资费明细查询", "Tariff and charge details"),
            ("query_package_usage", "套餐使用情况查询", "Package usage"),
        ],
    ),
    (
        "proactive",
        "主动服务",
        "Proactive service",
        "W-2, W-21",
        [
            ("proactive_notice", "变更与终止预先通知", "Advance notice of a change or termination"),
            ("proactive_renewal", "续约提醒", "Renewal reminder"),
            ("proactive_care", "客户关怀", "Customer care"),
        ],
    ),
    (
        "feedback",
        "意见反馈",
        "Suggestion and feedback",
        "W-1, W-10, S-25",
        [
            ("feedback_attitude", "服务态度", "Service attitude"),
            ("feedback_efficiency", "办理效率", "Handling efficiency"),
            ("feedback_system", "系统稳定性", "System stability"),
            ("feedback_suggestion", "产品与服务建议", "Product and service suggestion"),
        ],
    ),
    (
        "system_fault",
        "系统故障",
        "System fault",
        "W-9, S-26",
        [
            ("system_fault_app", "手机营业厅/APP故障", "App fault"),
            ("system_fault_web", "网上营业厅故障", "Online hall fault"),
            ("system_fault_wrong_info", "查询信息错误", "Wrong information shown"),
        ],
    ),
    (
        "technical",
        "技术问题与故障申报",
        "Technical question and fault declaration",
        "W-3, W-4, W-30",
        [
            ("technical_mobile", "移动通信", "Mobile"),
            ("technical_broadband", "宽带", "Broadband"),
            ("technical_fixed", "固话", "Fixed line"),
            ("technical_data_card", "无线上网卡", "Wireless data card"),
        ],
    ),
    (
        "after_sales",
        "售后服务",
        "After-sales",
        "W-4",
        [
            ("after_sales_returns", "退换货", "Returns and exchanges"),
            ("after_sales_delivery", "订单与配送跟踪", "Order and delivery tracking"),
            ("after_sales_usage", "使用指导", "Usage guidance"),
            ("after_sales_repair", "终端维修", "Device repair"),
        ],
    ),
    (
        "complex",
        "复杂问题",
        "Complex request",
        "W-6, W-13, S-24, K-2",
        [
            ("complex_business", "复杂业务", "Complex business request"),
            ("complex_cross_team", "需技术或产品团队协同", "Needs the technical or product team"),
        ],
    ),
]


def load_tree(apps, schema_editor):
    InquiryCategory = apps.get_model("worktickets", "InquiryCategory")
    for order, (code, zh, en, source, children) in enumerate(TREE, start=1):
        parent, _ = InquiryCategory.objects.update_or_create(
            code=code,
            defaults={"name_zh": zh, "name_en": en, "source": source, "sort_order": order * 10},
        )
        for child_order, (child_code, child_zh, child_en) in enumerate(children, start=1):
            InquiryCategory.objects.update_or_create(
                code=child_code,
                defaults={
                    "parent": parent,
                    "name_zh": child_zh,
                    "name_en": child_en,
                    "source": source,
                    "sort_order": order * 10 + child_order,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("worktickets", "0006_inquiry_categories")]

    operations = [migrations.RunPython(load_tree, migrations.RunPython.noop)]
