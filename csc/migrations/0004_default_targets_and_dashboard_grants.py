"""The default targets (DOMAIN.md P-8, K-13, K-23) and who sees the shift dashboard."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

# measure, queue, target %, answer seconds, short-abandon seconds, source
DEFAULTS = [
    ("service_level", "general", 70, 20, 5, "DOMAIN.md P-8, S-5, K-13: ≥70 % within 20 s"),
    ("service_level", "vip", 85, 20, 5, "DOMAIN.md P-8, S-6, K-13: ≥85 % within 20 s, VIP queue"),
    ("csat", "", 95, None, None, "DOMAIN.md CA-36, K-23: satisfaction ≥95 %"),
    (
        "sla_compliance",
        "",
        95,
        None,
        None,
        "Product default (the seeds set deadlines, not a share met); edit to the centre's own",
    ),
    (
        "complaint_timeliness",
        "",
        95,
        None,
        None,
        "DOMAIN.md C-36, Q-14 name timeliness without a figure; product default",
    ),
]

ROLE_PERMISSIONS = {
    "team_lead": ["csc.view_shift_dashboard"],
    "cs_manager": [
        "csc.view_shift_dashboard",
        "csc.view_centre_figures",
        "csc.manage_wallboards",
        "csc.view_servicetarget",
        "csc.change_servicetarget",
    ],
    "centre_director": [
        "csc.view_shift_dashboard",
        "csc.view_centre_figures",
        "csc.manage_wallboards",
        "csc.view_servicetarget",
    ],
}


def seed(apps, schema_editor):
    ServiceTarget = apps.get_model("csc", "ServiceTarget")
    for measure, queue, percent, answer, abandon, source in DEFAULTS:
        ServiceTarget.objects.get_or_create(
            measure=measure,
            queue=queue,
            defaults={
                "target_percent": percent,
                "answer_seconds": answer,
                "short_abandon_seconds": abandon,
                "source": source,
            },
        )
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("csc", "0003_service_targets_and_wallboards"),
        ("staffing", "0002_roles"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
