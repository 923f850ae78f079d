"""Encrypt every stored resident ID number, customers and their history rows alike.

In batches on the primary key, so a large table is never read whole; the plain
column is emptied as each row is encrypted (0006 then drops it). Nothing is
deleted, and the reverse decrypts back into the plain column.
"""

from django.db import migrations

from csc.lib.crypto import blind_index, decrypt, encrypt
from csc.lib.masking import mask_id_number

BATCH = 2000
ENCRYPTED = ["id_number", "id_number_encrypted", "id_number_index", "id_number_masked"]


def _in_batches(queryset, pk_name: str):
    last = None
    while True:
        rows = queryset.order_by(pk_name)
        if last is not None:
            rows = rows.filter(**{f"{pk_name}__gt": last})
        batch = list(rows[:BATCH])
        if not batch:
            return
        yield batch
        last = getattr(batch[-1], pk_name)


def _tables(apps):
    return (
        (apps.get_model("intake", "Customer"), "id"),
        (apps.get_model("intake", "HistoricalCustomer"), "history_id"),
    )


def encrypt_id_numbers(apps, schema_editor):
    for model, pk_name in _tables(apps):
        plain = model.objects.exclude(id_number="").only(pk_name, "id_number")
        for batch in _in_batches(plain, pk_name):
            for row in batch:
                number = row.id_number
                row.id_number_encrypted = encrypt(number)
                row.id_number_index = blind_index(number)
                row.id_number_masked = mask_id_number(number)
                row.id_number = ""
            model.objects.bulk_update(batch, ENCRYPTED)


def decrypt_id_numbers(apps, schema_editor):
    for model, pk_name in _tables(apps):
        encrypted = model.objects.exclude(id_number_encrypted="").only(
            pk_name, "id_number_encrypted"
        )
        for batch in _in_batches(encrypted, pk_name):
            for row in batch:
                row.id_number = decrypt(row.id_number_encrypted)
                row.id_number_encrypted = row.id_number_index = row.id_number_masked = ""
            model.objects.bulk_update(batch, ENCRYPTED)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_customer_id_number_encrypted_columns"),
    ]

    operations = [
        migrations.RunPython(encrypt_id_numbers, decrypt_id_numbers, elidable=False),
    ]
