# Message keys for the timeline lines written before keys existed whose text says
# one fixed thing: they are read in each reader's language too. Other old lines
# keep the text they were written with (TicketEvent.text).

from django.db import migrations
from django.db.models import F, Func, JSONField, Value
from django.utils import translation

# Lines of these kinds whose text is one of these keys, in English or Chinese.
FIXED_LINES = {
    "transfer": ["Reassigned by the team lead"],
    "priority_raised": ["Priority raised by the SLA escalation ladder."],
    "escalated": ["Moved to the escalation queue by the SLA escalation ladder."],
}


def keep_message_keys(apps, schema_editor):
    TicketEvent = apps.get_model("worktickets", "TicketEvent")
    for kind, keys in FIXED_LINES.items():
        for key in keys:
            texts = {key}
            with translation.override("zh-hans"):
                texts.add(translation.gettext(key))
            message = Value({"message": {"key": key, "params": {}}}, output_field=JSONField())
            TicketEvent.objects.filter(kind=kind, body__in=texts).exclude(
                data__has_key="message"
            ).update(
                data=Func(F("data"), message, arg_joiner=" || ", template="%(expressions)s")
            )


class Migration(migrations.Migration):
    dependencies = [("worktickets", "0013_dashboard_covering_indexes")]

    operations = [migrations.RunPython(keep_message_keys, migrations.RunPython.noop)]
