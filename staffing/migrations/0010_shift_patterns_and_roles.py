"""Ship both seed shift patterns as data (DOMAIN.md P-11, ST-13, ST-14, K-6, K-7) and
grant the rostering, leave and swap permissions to the roles (ST-34, ST-42)."""

from datetime import time

from django.db import migrations

from staffing.role_grants import grant_role_permissions

PATTERNS = [
    (
        "A",
        "模板A：白班 08:00–17:00，夜班 17:00–01:00",
        "003 客服值班管理规定(第1篇) 第六条 (DOMAIN.md ST-13)",
        [
            ("day", "白班", "day", time(8), time(17), "1234567", 60, 1),
            ("night", "夜班", "night", time(17), time(1), "1234567", 30, 2),
        ],
    ),
    (
        "B",
        "模板B：周一至周五 白天班 08:00–17:00，夜晚班 19:00–次日03:00",
        "003 电信运营商客户服务值班工作制度 一、二 (DOMAIN.md ST-14, ST-15)",
        [
            ("day", "白天班", "day", time(8), time(17), "12345", 60, 1),
            ("night", "夜晚班", "night", time(19), time(3), "12345", 30, 2),
        ],
    ),
]

EVERYONE_WITH_A_SHIFT = ["staffing.view_roster", "staffing.add_leaverequest"]
LEAD = EVERYONE_WITH_A_SHIFT + [
    "staffing.add_roster",
    "staffing.change_roster",
    "staffing.publish_roster",
    "staffing.view_leaverequest",
    "staffing.view_swaprequest",
    "staffing.approve_swap",
    "staffing.view_handover",
    "staffing.add_handover",
    "staffing.view_dutylogentry",
    "staffing.add_dutylogentry",
    "staffing.view_shifttemplate",
]
MANAGER = LEAD + ["staffing.decide_leave_as_manager"]
# Level by level (ST-34): the director decides after the CS manager, never in their place.
DIRECTOR = LEAD + ["staffing.decide_leave_as_director"]

ROLE_PERMISSIONS = {
    "agent": EVERYONE_WITH_A_SHIFT,
    "complaint_handler": EVERYONE_WITH_A_SHIFT,
    "tech_support": EVERYONE_WITH_A_SHIFT,
    "market_legal": EVERYONE_WITH_A_SHIFT,
    "qa_inspector": EVERYONE_WITH_A_SHIFT
    + ["staffing.view_handover", "staffing.view_dutylogentry"],
    "team_lead": LEAD,
    "cs_manager": MANAGER,
    "centre_director": DIRECTOR,
}


def seed(apps, schema_editor):
    ShiftPattern = apps.get_model("staffing", "ShiftPattern")
    ShiftTemplate = apps.get_model("staffing", "ShiftTemplate")
    for code, name, source, shifts in PATTERNS:
        pattern, _ = ShiftPattern.objects.get_or_create(
            code=code, defaults={"name": name, "source": source}
        )
        for t_code, t_name, kind, starts, ends, weekdays, break_minutes, minimum in shifts:
            ShiftTemplate.objects.get_or_create(
                pattern=pattern,
                code=t_code,
                defaults={
                    "name": t_name,
                    "kind": kind,
                    "starts": starts,
                    "ends": ends,
                    "weekdays": weekdays,
                    "break_minutes": break_minutes,
                    "channel": "hotline",
                    "min_headcount": minimum,
                    "source": f"{source}; K-7",
                },
            )
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("staffing", "0009_shifts_rosters_leave_swaps_handover")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
