from django.db import migrations, models


class Migration(migrations.Migration):
    """Columns for the encrypted resident ID number; 0005 fills them, 0006 drops the plain one."""

    dependencies = [
        ("intake", "0003_lookup_indexes_and_anonymous_access"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="id_number_encrypted",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="resident ID number (encrypted)"),
        ),
        migrations.AddField(
            model_name="customer",
            name="id_number_index",
            field=models.CharField(blank=True, db_index=True, default="", editable=False, max_length=64, verbose_name="resident ID number (lookup index)"),
        ),
        migrations.AddField(
            model_name="customer",
            name="id_number_masked",
            field=models.CharField(blank=True, default="", editable=False, max_length=18, verbose_name="resident ID number (masked)"),
        ),
        migrations.AddField(
            model_name="historicalcustomer",
            name="id_number_encrypted",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="resident ID number (encrypted)"),
        ),
        migrations.AddField(
            model_name="historicalcustomer",
            name="id_number_index",
            field=models.CharField(blank=True, db_index=True, default="", editable=False, max_length=64, verbose_name="resident ID number (lookup index)"),
        ),
        migrations.AddField(
            model_name="historicalcustomer",
            name="id_number_masked",
            field=models.CharField(blank=True, default="", editable=False, max_length=18, verbose_name="resident ID number (masked)"),
        ),
    ]
