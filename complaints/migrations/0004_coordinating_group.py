"""The complaint-handling group's role (DOMAIN.md C-10 to C-12): upgraded complaints and
appeals go to it, as coordinator; the specialist group collaborates.

Rules are data: one per category and tier, editable in the admin.
"""

import django.db.models.deletion
from django.db import migrations, models

CATEGORIES = ["service_fault", "billing", "tech_support", "service_quality", "business_error"]
COORDINATED_TIERS = ["upgraded", "appeal"]
SOURCE = "DOMAIN.md C-10, P-2: the complaint-handling group coordinates upgraded complaints and appeals"


def add_rules(apps, schema_editor):
    RoutingRule = apps.get_model("complaints", "RoutingRule")
    for category in CATEGORIES:
        for tier in COORDINATED_TIERS:
            RoutingRule.objects.get_or_create(
                category=category,
                subcategory=None,
                tier=tier,
                target="team_kind",
                team_kind="complaints",
                defaults={"order": 5, "source": SOURCE},
            )


def remove_rules(apps, schema_editor):
    RoutingRule = apps.get_model("complaints", "RoutingRule")
    RoutingRule.objects.filter(tier__in=COORDINATED_TIERS, source=SOURCE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0003_schedules'),
        ('staffing', '0008_api_client_key_expiry'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='collaborating_team',
            field=models.ForeignKey(blank=True, help_text='The specialist group working on a complaint the complaint-handling group coordinates (an upgraded complaint or an appeal): it sees and works it too.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='staffing.team', verbose_name='collaborating group'),
        ),
        migrations.AddField(
            model_name='historicalcomplaint',
            name='collaborating_team',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The specialist group working on a complaint the complaint-handling group coordinates (an upgraded complaint or an appeal): it sees and works it too.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='staffing.team', verbose_name='collaborating group'),
        ),
        migrations.AddField(
            model_name='historicalroutingrule',
            name='tier',
            field=models.CharField(blank=True, choices=[('complaint', 'Complaint'), ('upgraded', 'Upgraded complaint'), ('appeal', 'Appeal')], help_text="Empty: every tier. A tier's rule comes before the rules for every tier (upgraded complaints and appeals go to the complaint-handling group).", max_length=10, verbose_name='tier'),
        ),
        migrations.AddField(
            model_name='routingrule',
            name='tier',
            field=models.CharField(blank=True, choices=[('complaint', 'Complaint'), ('upgraded', 'Upgraded complaint'), ('appeal', 'Appeal')], help_text="Empty: every tier. A tier's rule comes before the rules for every tier (upgraded complaints and appeals go to the complaint-handling group).", max_length=10, verbose_name='tier'),
        ),
        migrations.RunPython(add_rules, remove_rules),
    ]
