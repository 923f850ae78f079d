"""Every tracked model's history manager class is made once, and still works; the
simple-history internals this relies on are checked at start-up."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from simple_history.manager import HistoryDescriptor, HistoryManager

from csc.lib import history
from csc.lib.history import KeptHistoryDescriptor
from tests.factories import make_ticket
from worktickets.models import Ticket


def test_every_tracked_model_keeps_its_history_manager_class():
    assert isinstance(Ticket.__dict__["history"], KeptHistoryDescriptor)
    assert type(Ticket.history) is type(Ticket.history)


@pytest.mark.django_db
def test_history_rows_are_still_written_and_read_per_instance(agent_user):
    first = make_ticket(created_by=agent_user)
    second = make_ticket(created_by=agent_user, subject="另一张")

    assert [h.subject for h in second.history.all()] == ["另一张"]
    assert first.history.count() == 1
    assert Ticket.history.filter(id__in=[first.pk, second.pk]).count() == 2


def test_the_installed_simple_history_is_the_one_the_kept_descriptor_was_checked_against():
    assert history.history_internals_changed() == []


def test_start_up_refuses_a_simple_history_whose_descriptor_reads_differently(monkeypatch):
    def reads_with_a_cache(self, instance, owner):
        return self.manager_class(self.model, instance)

    monkeypatch.setattr(HistoryDescriptor, "__get__", reads_with_a_cache)

    with pytest.raises(ImproperlyConfigured) as refused:
        apps.get_app_config("csc").ready()

    message = str(refused.value)
    assert "django-simple-history 3.13.0" in message
    assert "HistoryDescriptor.__get__ does something else" in message
    assert "KEEP_HISTORY_MANAGERS=0" in message


def test_start_up_refuses_a_history_manager_made_with_other_arguments(monkeypatch):
    def init(self, model, instance=None, *, using=None):
        HistoryManager.__bases__[0].__init__(self)

    monkeypatch.setattr(HistoryManager, "__init__", init)

    assert history.history_internals_changed() == [
        "HistoryManager.__init__ takes (self, model, instance, using)"
    ]
    with pytest.raises(ImproperlyConfigured, match=r"HistoryManager\.__init__ takes"):
        history.keep_history_managers()


def test_start_up_with_the_kept_descriptor_switched_off_does_not_check(monkeypatch, settings):
    monkeypatch.setattr(HistoryDescriptor, "__get__", lambda self, instance, owner: None)
    settings.KEEP_HISTORY_MANAGERS = False

    apps.get_app_config("csc").ready()  # no refusal: nothing of simple-history is mirrored
