"""Labels of choices come from a dict kept per field, in the request's language."""

from functools import partialmethod

from django.utils import translation

from csc.lib import choices
from worktickets.models import Ticket


def test_every_display_method_django_made_reads_the_kept_labels():
    made = Ticket.__dict__["get_status_display"]
    assert isinstance(made, partialmethod) and made.func is choices.kept_display


def test_labels_follow_the_language_and_unknown_values_show_as_they_are():
    ticket = Ticket(status="in_progress", channel="online_chat")

    with translation.override("en"):
        assert ticket.get_status_display() == "In progress"
    with translation.override("zh-hans"):
        assert ticket.get_status_display() == "处理中"
        assert ticket.get_channel_display() == "在线客服"
    ticket.status = "no_such_status"
    assert ticket.get_status_display() == "no_such_status"


def test_the_dict_is_built_once_per_field_and_again_when_its_choices_change(monkeypatch):
    monkeypatch.setattr(choices, "_labels", {})
    field = Ticket._meta.get_field("status")
    ticket = Ticket(status="in_progress")

    ticket.get_status_display()
    kept = choices._labels[field][1]
    ticket.get_status_display()
    assert choices._labels[field][1] is kept

    monkeypatch.setattr(field, "choices", [("in_progress", "Being worked")])
    assert ticket.get_status_display() == "Being worked"
