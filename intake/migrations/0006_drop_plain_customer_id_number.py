from django.db import migrations


class Migration(migrations.Migration):
    """The plain resident ID number column goes: 0005 encrypted (and emptied) it."""

    dependencies = [
        ("intake", "0005_encrypt_customer_id_numbers"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="customer",
            name="id_number",
        ),
        migrations.RemoveField(
            model_name="historicalcustomer",
            name="id_number",
        ),
    ]
