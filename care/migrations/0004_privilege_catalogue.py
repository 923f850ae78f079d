"""The privilege catalogue seeded from CA-8 (28 items) and the default grants (K-15).

K-15's provisional default [INFERENCE]: every tier gets the five club privileges of
CA-7; higher tiers inherit lower tiers' grants (CA-9 "由高向低兼容"). Hotline
priority and the hall green channel are grade service for every VIP tier (CA-9,
CA-10); appointment handling without waiting is for gold and above (P-9, K-14).
The rest are spread by tier as a starting point to confirm; administrators edit
the grants in the admin, each with its source.
"""

from django.db import migrations
from django.utils.translation import gettext_noop

# (number, code, English name, lowest tier, business type code)
CATALOGUE = [
    (1, "hotline_priority", gettext_noop("Hotline priority access"), "silver", ""),
    (2, "hall_green_channel", gettext_noop("Hall green channel"), "silver", ""),
    (3, "vip_manager", gettext_noop("VIP customer manager"), "gold", ""),
    (4, "online_vip_zone", gettext_noop("Online VIP zone"), "silver", ""),
    (5, "credit_uplift", gettext_noop("Credit uplift"), "silver", ""),
    (6, "temporary_credit", gettext_noop("Temporary credit"), "silver", ""),
    (7, "emergency_reactivation", gettext_noop("Emergency reactivation"), "silver", "reactivation"),
    (8, "free_sim_reissue", gettext_noop("Free SIM re-issue"), "silver", "sim_replacement"),
    (9, "free_usim_upgrade", gettext_noop("Free USIM upgrade"), "gold", ""),
    (10, "spend_management", gettext_noop("Communication-spend management"), "gold", ""),
    (11, "bill_mailing", gettext_noop("Bill mailing"), "silver", ""),
    (12, "priority_trial", gettext_noop("Priority trial of new 3G services and terminals"), "silver", ""),
    (13, "business_travel", gettext_noop("Business-travel services"), "diamond", ""),
    (14, "family_care", gettext_noop("Family-care service"), "gold", ""),
    (15, "mobile_mailbox", gettext_noop("Mobile mailbox"), "silver", ""),
    (16, "airport_rail_green_channel", gettext_noop("Airport and railway-station green channels"), "diamond", ""),
    (17, "club_house", gettext_noop("Club house"), "diamond", ""),
    (18, "partner_merchants", gettext_noop("Partner merchants"), "silver", ""),
    (19, "theme_club_activities", gettext_noop("Theme club activities"), "gold", ""),
    (20, "sub_club_activities", gettext_noop("Sub-club activities"), "gold", ""),
    (21, "cross_region_service", gettext_noop("Cross-region service"), "diamond", ""),
    (22, "premium_numbers", gettext_noop("Choice of premium numbers"), "diamond", ""),
    (23, "entrusted_agency", gettext_noop("Entrusted agency handling"), "gold", ""),
    (24, "appointment_handling", gettext_noop("Appointment handling"), "gold", ""),
    (25, "spare_handset", gettext_noop("3G spare handset"), "diamond", ""),
    (26, "spare_sim", gettext_noop("Spare SIM"), "gold", ""),
    (27, "senior_management", gettext_noop("Senior-management communication"), "supreme", ""),
    (28, "customer_care", gettext_noop("Customer care"), "silver", ""),
]
CLUB = {"credit_uplift", "temporary_credit", "emergency_reactivation", "free_sim_reissue", "bill_mailing"}


def source_of(code, tier):
    if code in CLUB:
        return "DOMAIN.md CA-7, K-15: the five club privileges for every tier"
    if code in ("hotline_priority", "hall_green_channel"):
        return "DOMAIN.md CA-9, CA-10: every VIP tier"
    if code == "appointment_handling":
        return "DOMAIN.md P-9, K-14: appointment without waiting for gold and above"
    return "DOMAIN.md CA-8, K-15 [INFERENCE]: provisional tier, to confirm"


def load(apps, schema_editor):
    Privilege = apps.get_model("care", "Privilege")
    TierPrivilege = apps.get_model("care", "TierPrivilege")
    for number, code, name, tier, business_type in CATALOGUE:
        privilege, created = Privilege.objects.get_or_create(
            code=code,
            defaults={"name": name, "number": number, "business_type_code": business_type},
        )
        if created:
            TierPrivilege.objects.create(
                tier=tier, privilege=privilege, source=source_of(code, tier)
            )


class Migration(migrations.Migration):
    dependencies = [("care", "0003_privileges")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
