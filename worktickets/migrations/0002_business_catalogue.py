"""The business catalogue and its eligibility matrix (DOMAIN.md W-23 to W-25, K-5, K-16).

Channel groups read from the seed's channel column: 营业厅 = walk-in hall;
自有渠道 (own channels) = walk-in hall and account managers; 全渠道 = every
channel. Rows the seed leaves illegible or that are inferred carry
needs_confirmation. postpaid_vip follows postpaid (grade service adds
privileges, not eligibility, W-26).
"""

from django.db import migrations

ALL = ["hotline", "ivr", "online_chat", "app", "web", "sms", "social", "walk_in", "account_manager", "email"]
HALL = ["walk_in"]
OWN = ["walk_in", "account_manager"]
ALL_BUT_HOTLINE = [c for c in ALL if c not in ("hotline", "ivr")]
ONLINE_HALL_AND_HALL = ["web", "app", "walk_in"]
SMS_AND_HOTLINE = ["sms", "hotline", "ivr"]
HALL_AND_HOTLINE = ["walk_in", "hotline"]
COUNTER_MINUTES = 10  # S-3: a single transaction at the counter takes at most 10 minutes
INSTALL_MINUTES = 20 * 24 * 60  # S-12: fixed-network installation or relocation, 20 days at most
MOBILE_REPAIR_MINUTES = 48 * 60  # S-15 / P-5: the longest repair limit, refined per region by the SLA policies

# code, zh, en, (postpaid mode, channels), (prepaid mode, channels), approval, limit, needs_confirmation, source, note
CATALOGUE = [
    ("network_entry", "入网/装机", "Network entry / installation", ("provided", OWN), ("provided", ALL_BUT_HOTLINE), False, INSTALL_MINUTES, False, "W-23 #1; W-25 row 6; S-12", ""),
    ("instant_activation", "即开即通", "Instant activation", ("optional", ALL), ("provided", ALL), False, COUNTER_MINUTES, False, "W-24; W-25 row 5", ""),
    ("ownership_transfer", "过户", "Transfer of ownership", ("provided", HALL), ("not_provided", HALL), True, None, False, "W-23 #2; W-25 row 7", ""),
    ("number_change", "改号/换号", "Number change", ("provided", HALL), ("not_provided", HALL), False, None, False, "W-23 #3; W-25 row 8", ""),
    ("relocation", "移机", "Relocation", ("provided", OWN + ["hotline"]), ("not_provided", OWN), False, INSTALL_MINUTES, True, "W-23 #4; S-12 (not in the eligibility table)", ""),
    ("account_closure", "销户/拆机", "Account closure / removal", ("provided", HALL), ("not_provided", HALL), True, None, False, "W-23 #5; W-25 row 7", ""),
    ("suspension_keep_number", "停机保号", "Suspension keeping the number", ("provided", HALL), ("not_provided", HALL), False, None, False, "W-23 #6; W-25 row 9", ""),
    ("suspend_resume", "停/开机(挂失/解挂)", "Suspend or resume, report loss or cancel", ("provided", OWN), ("provided", OWN), False, COUNTER_MINUTES, False, "W-23 #7; W-24; W-25 row 10", ""),
    ("reactivation", "复机", "Reactivation", ("provided", OWN), ("provided", OWN), False, COUNTER_MINUTES, True, "W-23 #8; read with W-25 row 10", ""),
    ("international_roaming", "开/关国际漫游", "International roaming on/off", ("conditional", OWN), ("convert_to_postpaid", OWN), True, None, False, "W-23 #9; W-25 row 11", "后付费有条件提供；预付费不提供或转后付费提供"),
    ("fixed_international_roaming", "固话开通国际漫游", "Fixed-line international roaming", ("provided", OWN), ("not_provided", OWN), True, None, True, "W-23 #10 (not in the eligibility table)", ""),
    ("prepaid_refund", "退预存款", "Refund of prepaid deposit", ("provided", HALL), ("not_provided", HALL), True, None, False, "W-23 #11; W-25 row 12", ""),
    ("product_order_change", "产品订购和变更", "Product order and change", ("provided", ALL), ("provided", ALL), False, None, False, "W-23 #12; W-25 row 13", ""),
    ("broadband_speed_change", "宽带接入速率变更", "Broadband speed change", ("provided", OWN + ["hotline", "web", "app"]), ("provided", OWN + ["hotline", "web", "app"]), False, None, True, "W-23 #13 (not in the eligibility table)", ""),
    ("sim_replacement", "补(换)卡", "SIM re-issue / replacement", ("provided", HALL), ("provided", HALL), False, COUNTER_MINUTES, False, "W-23 #14; W-25 row 14", ""),
    ("deposit_refund", "退押金", "Deposit refund", ("provided", HALL), ("not_provided", HALL), True, None, True, "W-23 #15; W-25 row 15 (low–medium)", ""),
    ("bill_query", "话费查询", "Charges query", ("provided", ALL), ("guide_self_service", HALL_AND_HOTLINE), False, COUNTER_MINUTES, True, "W-23 #16; W-25 row 16 (low)", "预付费客户引导自助查询"),
    ("bill_payment", "话费交纳/充值", "Payment / top-up", ("provided", ALL), ("provided", ALL), False, COUNTER_MINUTES, True, "W-23 #17; W-25 row 17 (low–medium)", "预付费现金充值可选"),
    ("charge_alerts", "话费、停机信息提示", "Charge and suspension alerts", ("provided", SMS_AND_HOTLINE), ("provided", SMS_AND_HOTLINE), False, None, False, "W-24; W-25 row 18", "预付费建议短信及语音"),
    ("points_rewards", "积分回馈", "Points rewards", ("provided", ALL), ("not_provided", ALL), False, COUNTER_MINUTES, True, "W-23 #18; W-25 row 19 (low–medium)", ""),
    ("bill_print", "账单打印", "Bill printing", ("provided", ALL), ("guide_self_service", ONLINE_HALL_AND_HALL), False, COUNTER_MINUTES, True, "W-24; W-25 row 21 (low)", "预付费引导自助提供"),
    ("itemised_bill", "详单打印", "Itemised-bill printing", ("provided", ALL), ("provided", ONLINE_HALL_AND_HALL), False, COUNTER_MINUTES, True, "W-23 #20; W-25 row 22 (low)", "预付费提供并引导自助"),
    ("password_management", "密码管理", "Password management", ("provided", ALL), ("provided", ALL), False, COUNTER_MINUTES, True, "W-24; W-25 row 23 (low)", ""),
    ("fault_report", "障碍申告", "Fault report", ("provided", ALL), ("provided", ALL), False, MOBILE_REPAIR_MINUTES, False, "W-23 #21; S-15 to S-17; P-5", ""),
]


def load_catalogue(apps, schema_editor):
    BusinessType = apps.get_model("worktickets", "BusinessType")
    BusinessEligibility = apps.get_model("worktickets", "BusinessEligibility")
    for order, row in enumerate(CATALOGUE, start=1):
        code, zh, en, postpaid, prepaid, approval, limit, confirm, source, note = row
        business_type, _ = BusinessType.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "requires_approval": approval,
                "delivery_limit_minutes": limit,
                "needs_confirmation": confirm,
                "source": source,
                "sort_order": order,
            },
        )
        for segment, (mode, channels) in (
            ("postpaid", postpaid),
            ("postpaid_vip", postpaid),
            ("prepaid", prepaid),
        ):
            BusinessEligibility.objects.update_or_create(
                business_type=business_type,
                segment=segment,
                defaults={"mode": mode, "channels": channels, "note": note},
            )


class Migration(migrations.Migration):
    dependencies = [("worktickets", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
