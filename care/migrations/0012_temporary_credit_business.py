"""Temporary credit (临时信用额度, CA-7 club privilege, CA-8 #6) becomes a business the
new-ticket form can start for a caller who holds it; emergency reactivation and free
SIM re-issue already name theirs (0004).

The business catalogue (worktickets 0002) has no such type: it is added here, for
postpaid VIP customers only (a credit limit is a postpaid notion and the privilege
is grade service, CA-4) through the hotline, the hall and the account manager,
delivered within 10 minutes; [INFERENCE], marked to confirm. Nothing is deleted; a type already present is kept.
"""

from django.db import migrations

CHANNELS = ["hotline", "walk_in", "account_manager"]


def load(apps, schema_editor):
    BusinessType = apps.get_model("worktickets", "BusinessType")
    BusinessEligibility = apps.get_model("worktickets", "BusinessEligibility")
    DeliveryLimit = apps.get_model("worktickets", "DeliveryLimit")
    Privilege = apps.get_model("care", "Privilege")
    last = BusinessType.objects.order_by("-sort_order").values_list("sort_order", flat=True)
    business_type, created = BusinessType.objects.get_or_create(
        code="temporary_credit",
        defaults={
            "name_zh": "临时信用额度",
            "name_en": "Temporary credit limit",
            "requires_approval": False,
            "needs_confirmation": True,
            "source": "CA-7; CA-8 #6 [INFERENCE]",
            "sort_order": (last.first() or 0) + 1,
        },
    )
    if created:
        for segment, mode in (
            ("postpaid_vip", "provided"),
            ("postpaid", "not_provided"),
            ("prepaid", "not_provided"),
        ):
            BusinessEligibility.objects.create(
                business_type=business_type,
                segment=segment,
                mode=mode,
                channels=CHANNELS,
                note="VIP club privilege (CA-7)",
            )
        # Granted on the spot, like a counter transaction (S-3's 10 minutes) [INFERENCE].
        DeliveryLimit.objects.create(
            business_type=business_type,
            channel="",
            service_type="",
            minutes=10,
            is_assumption=True,
            source="Assumption, confirm: granted on the spot like a counter transaction (S-3)",
        )
    Privilege.objects.filter(code="temporary_credit", business_type_code="").update(
        business_type_code="temporary_credit"
    )


class Migration(migrations.Migration):
    dependencies = [("care", "0011_appointment_defaults"), ("worktickets", "0016_callback_reason_vip_appointment")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
