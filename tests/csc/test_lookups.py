"""A key lookup compiled once finds what `queryset.get(pk=...)` finds, and the
serializer field built on it answers as DRF's PrimaryKeyRelatedField does."""

import pytest
from rest_framework import serializers

from csc.lib.lookups import KeyLookup, key_lookup
from csc.lib.serializers import PreparedPrimaryKeyRelatedField
from intake.models import Contact, Customer
from staffing.models import User
from tests.factories import ContactFactory, CustomerFactory, TicketFactory, UserFactory
from worktickets.models import Ticket

pytestmark = pytest.mark.django_db

ACTIVE_AGENTS = User.objects.filter(is_active=True, agent__isnull=False)


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_finds_the_row_get_finds_with_its_values_converted():
    contact = ContactFactory(summary="客户反映“信号差”")
    ticket = TicketFactory(order_details={"service_type": "broadband", "地址": ["某路 1 号"]})

    found = KeyLookup(Contact.objects.all()).get(contact.pk)
    found_ticket = KeyLookup(Ticket.objects.all()).get(ticket.pk)

    assert type(found) is Contact and not found._state.adding
    assert _fields(found) == _fields(Contact.objects.get(pk=contact.pk))
    # JSON comes back as what it holds, as the ORM's converters give it.
    assert found_ticket.order_details == {"service_type": "broadband", "地址": ["某路 1 号"]}
    assert _fields(found_ticket) == _fields(Ticket.objects.get(pk=ticket.pk))
    # Keys given as text are read as get() reads them.
    assert KeyLookup(Contact.objects.all()).get(str(contact.pk)).pk == contact.pk


def test_the_querysets_own_filters_hold(agent_user):
    outsider = UserFactory()  # no agent profile
    lookup = KeyLookup(ACTIVE_AGENTS)

    assert lookup.get(agent_user.pk) == agent_user
    assert lookup.get(outsider.pk) is None
    agent_user.is_active = False
    agent_user.save()
    assert lookup.get(agent_user.pk) is None


def test_one_statement_per_lookup(django_assert_num_queries):
    customer = CustomerFactory()
    lookup = key_lookup(Customer.objects.all())
    with django_assert_num_queries(1):
        assert lookup.get(customer.pk) == customer


def test_a_wrong_kind_of_key_raises_as_get_does():
    lookup = KeyLookup(Customer.objects.all())
    with pytest.raises(ValueError):
        Customer.objects.get(pk="abc")
    with pytest.raises(ValueError):
        lookup.get("abc")
    assert lookup.get(10**12) is None


def test_querysets_it_cannot_read_exactly_are_refused():
    for queryset in (
        User.objects.select_related("agent"),
        Customer.objects.only("name"),
        Customer.objects.values("pk"),
        Customer.objects.all()[:5],
    ):
        with pytest.raises(ValueError, match="plain queryset"):
            KeyLookup(queryset)


class Picks(serializers.Serializer):
    customer = PreparedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    agent = PreparedPrimaryKeyRelatedField(queryset=ACTIVE_AGENTS, required=False)


class DrfPicks(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    agent = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_AGENTS, required=False)


@pytest.mark.parametrize(
    "posted",
    [
        {"customer": "found", "agent": "agent"},
        {"customer": "found"},
        {"customer": 10**9},
        {"customer": "abc"},
        {"customer": True},
        {"customer": None},
        {"customer": [1]},
        {"customer": "found", "agent": "outsider"},
    ],
)
def test_the_field_answers_as_drfs_does(posted, agent_user):
    customer, outsider = CustomerFactory(), UserFactory()
    names = {"found": customer.pk, "agent": agent_user.pk, "outsider": outsider.pk}
    data = {
        key: names.get(value, value) if isinstance(value, str) else value
        for key, value in posted.items()
    }

    ours, theirs = Picks(data=data), DrfPicks(data=data)

    assert ours.is_valid() == theirs.is_valid()
    assert ours.errors == theirs.errors
    if theirs.is_valid():
        assert ours.validated_data == theirs.validated_data
