"""`insert()` writes what `save()` writes, for the named models only."""

from datetime import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Value
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from csc.lib import inserts
from csc.lib.inserts import insert
from intake.choices import Channel
from tests.factories import CustomerFactory, TicketFactory
from worktickets.choices import EventKind
from worktickets.models import TicketEvent

pytestmark = pytest.mark.django_db

SAVED_BY_BOTH = (
    "kind",
    "actor_id",
    "from_status",
    "to_status",
    "body",
    "is_customer_facing",
    "data",
)


def _event(ticket, actor, **fields):
    fields = {
        "kind": EventKind.CREATED,
        "to_status": "new",
        "body": "客户来电询问：“流量包”怎么退订？",
        "data": {"nested": {"list": [1, "二"]}, "quote": "it's"},
        **fields,
    }
    return TicketEvent(ticket=ticket, actor=actor, **fields)


def _row(model, pk, names):
    return model.objects.filter(pk=pk).values(*names).get()


def test_a_row_inserted_reads_back_as_the_same_row_saved(agent_user):
    ticket = TicketFactory()
    saved = _event(ticket, agent_user)
    saved.save()
    inserted = _event(ticket, agent_user)

    insert([inserted])

    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding
    assert _row(TicketEvent, inserted.pk, SAVED_BY_BOTH) == _row(
        TicketEvent, saved.pk, SAVED_BY_BOTH
    )
    # auto_now_add is stamped as save() stamps it, on the object too.
    assert inserted.at is not None
    assert _row(TicketEvent, inserted.pk, ["at"])["at"] == inserted.at


def test_several_rows_take_one_statement_and_get_their_own_keys(
    agent_user, django_assert_num_queries
):
    ticket = TicketFactory()
    events = [_event(ticket, agent_user, body=f"第 {n} 条") for n in range(3)]
    events[1].actor = None

    with django_assert_num_queries(1):
        insert(events)

    for event in events:
        assert _row(TicketEvent, event.pk, ["body", "actor_id"]) == {
            "body": event.body,
            "actor_id": event.actor_id,
        }


def test_values_the_driver_does_not_take_as_they_are_go_through_django(agent_user):
    # An enum member and a naive time: Django makes the one a string and
    # reads the other in the default zone (with its warning).
    from staffing.models import Notification

    naive = datetime(2026, 3, 2, 9, 30)
    told = Notification(recipient=agent_user, kind=Channel.HOTLINE, title="x", read_at=naive)

    with pytest.warns(RuntimeWarning, match="naive datetime"):
        insert([told])

    row = _row(Notification, told.pk, ["read_at", "kind"])
    assert row == {"read_at": timezone.make_aware(naive), "kind": "hotline"}


def test_every_field_through_django_gives_the_same_row(agent_user, monkeypatch):
    """The path every field takes on databases other than PostgreSQL."""
    monkeypatch.setattr(inserts, "_PLAIN_ON_POSTGRESQL", {})
    monkeypatch.setattr(inserts, "_statements", {})
    ticket = TicketFactory()
    saved = _event(ticket, agent_user)
    saved.save()
    inserted = _event(ticket, agent_user)

    insert([inserted])

    assert _row(TicketEvent, inserted.pk, SAVED_BY_BOTH) == _row(
        TicketEvent, saved.pk, SAVED_BY_BOTH
    )


def test_a_related_row_saved_after_it_was_assigned_gives_its_key(
    agent_user, django_assert_num_queries
):
    ticket = TicketFactory.build(
        customer=CustomerFactory(), team=agent_user.agent.team, first_contact_agent=agent_user
    )
    event = _event(ticket, agent_user)  # assigned while the ticket has no key yet
    with pytest.raises(ValueError, match="not saved"):
        insert([event])

    ticket.save()
    insert([event])

    assert event.ticket_id == ticket.pk
    with django_assert_num_queries(0):
        assert event.ticket is ticket  # the object assigned is kept, as save() keeps it
    assert TicketEvent.objects.get(pk=event.pk).ticket_id == ticket.pk


def test_expressions_and_mixed_rows_are_refused(agent_user):
    ticket = TicketFactory()
    with_expression = _event(ticket, agent_user)
    with_expression.body = F("body")
    with pytest.raises(TypeError, match="expressions"):
        insert([with_expression])

    keyed = _event(ticket, agent_user)
    keyed.pk = 10**9
    with pytest.raises(ValueError, match="one model"):
        insert([_event(ticket, agent_user), keyed])
    with pytest.raises(ValueError, match="one model"):
        insert([_event(ticket, agent_user), ticket])
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_rows_a_unique_constraint_refuses_are_skipped_and_not_counted(agent_user, lead_user):
    from staffing.models import Notification

    def told(user):
        return Notification(recipient=user, kind="sla", title="x", dedupe_key="clock-1")

    assert inserts.insert_skipping_conflicts([told(agent_user)]) == 1
    assert inserts.insert_skipping_conflicts([told(agent_user), told(lead_user)]) == 1
    assert inserts.insert_skipping_conflicts([]) == 0
    assert sorted(
        Notification.objects.filter(dedupe_key="clock-1").values_list("recipient_id", flat=True)
    ) == sorted([agent_user.pk, lead_user.pk])


# ---------------------------------------------------------------- which models, and how


@pytest.fixture
def fresh_statements(monkeypatch):
    monkeypatch.setattr(inserts, "_statements", {})


def test_a_model_not_in_the_list_is_refused(agent_user, fresh_statements):
    from sla.models import EscalationRecord

    with pytest.raises(ImproperlyConfigured, match=r"not in csc\.lib\.inserts\.INSERTED_MODELS"):
        insert([EscalationRecord(clock_id=1, level_id=1, due_at=timezone.now(), outcome="done")])


def test_a_db_default_is_refused_when_the_statement_is_built(
    agent_user, monkeypatch, fresh_statements
):
    # A field given a db_default: a clear refusal before any row is written, and
    # the start-up check names it, instead of a TypeError in the middle of a request.
    monkeypatch.setattr(TicketEvent._meta.get_field("body"), "db_default", Value(""))
    event = _event(TicketFactory(), agent_user)

    with pytest.raises(ImproperlyConfigured, match=r"TicketEvent\.body has a db_default"):
        insert([event])

    assert [error.id for error in inserts.check_models()] == ["csc.E102"]
    assert not TicketEvent.objects.filter(body=event.body).exists()


def test_generated_fields_and_parent_models_are_refused(monkeypatch):
    from django.db import models
    from django.test.utils import isolate_apps

    with isolate_apps("worktickets"):

        class Totalled(models.Model):  # noqa: DJ008
            a = models.IntegerField()
            total = models.GeneratedField(
                expression=F("a") * 2, output_field=models.IntegerField(), db_persist=True
            )

            class Meta:
                app_label = "worktickets"

        class Base(models.Model):  # noqa: DJ008
            class Meta:
                app_label = "worktickets"

        class Child(Base):  # noqa: DJ008
            class Meta:
                app_label = "worktickets"

    monkeypatch.setattr(
        inserts,
        "INSERTED_MODELS",
        {**inserts.INSERTED_MODELS, "worktickets.Totalled": "", "worktickets.Child": ""},
    )
    assert inserts.unsupported(Totalled) == ["worktickets.Totalled.total is a generated field"]
    assert inserts.unsupported(Child) == ["worktickets.Child inherits from another concrete model"]


def test_every_listed_model_can_be_written_today():
    assert inserts.check_models() == []


def _receivers(signal, model) -> list:
    sync, asynchronous = signal._live_receivers(model)
    return [*sync, *asynchronous]


@pytest.mark.parametrize("label", sorted(inserts.INSERTED_MODELS))
def test_no_save_receiver_listens_to_a_listed_model(label):
    # insert() sends no signals, so a receiver added later would silently miss
    # these rows (simple-history's among them: no listed model has history).
    model = apps.get_model(label)
    assert _receivers(pre_save, model) == []
    assert _receivers(post_save, model) == []


def test_direct_inserts_switched_off_write_the_same_rows_through_the_orm(
    agent_user, settings, django_assert_num_queries
):
    settings.DIRECT_INSERTS = False
    ticket = TicketFactory()
    saved = _event(ticket, agent_user)
    saved.save()
    events = [_event(ticket, agent_user), _event(ticket, agent_user)]

    with django_assert_num_queries(1):
        insert(events)

    for event in events:
        assert event.pk is not None
        assert _row(TicketEvent, event.pk, SAVED_BY_BOTH) == _row(
            TicketEvent, saved.pk, SAVED_BY_BOTH
        )
