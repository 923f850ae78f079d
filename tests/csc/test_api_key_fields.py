"""The records an API request names by key are read by DRF's PrimaryKeyRelatedField,
so what the framework promises for it holds: `get_queryset()` decides what may be
named, a serializer keeps nothing once its request is done, and any queryset the
field is declared with (with its related rows, say) is read as declared."""

import gc
import weakref

import pytest
from rest_framework import serializers

import complaints.api
import csc.api_erasure
import intake.api
import sla.api
import staffing.api
import worktickets.api
from intake.models import Customer
from staffing.api_fields import ActiveTeamField
from staffing.models import User
from tests.factories import CustomerFactory
from worktickets.api import TicketCreateSerializer

pytestmark = pytest.mark.django_db

API_MODULES = (complaints.api, csc.api_erasure, intake.api, sla.api, staffing.api, worktickets.api)


def writable_key_fields():
    for module in API_MODULES:
        for serializer in vars(module).values():
            if not (
                isinstance(serializer, type) and issubclass(serializer, serializers.Serializer)
            ):
                continue
            for name, field in serializer._declared_fields.items():
                field = getattr(field, "child_relation", field)  # many=True
                if isinstance(field, serializers.PrimaryKeyRelatedField) and not field.read_only:
                    yield f"{serializer.__name__}.{name}", field


def test_every_key_the_api_takes_is_read_by_drfs_own_lookup():
    fields = dict(writable_key_fields())
    assert "TicketCreateSerializer.customer" in fields
    own_lookups = {
        name: type(field).__name__
        for name, field in fields.items()
        # Teams are named from the per-process copy (staffing/api_fields.py).
        if not isinstance(field, ActiveTeamField)
        and type(field).to_internal_value
        is not serializers.PrimaryKeyRelatedField.to_internal_value
    }
    assert own_lookups == {}


# The class the API's input serializers declare their keys with.
KeyField = type(TicketCreateSerializer().fields["customer"])


def test_a_get_queryset_override_decides_what_may_be_named():
    own, someone_elses = CustomerFactory(), CustomerFactory()

    class OwnCustomerField(KeyField):
        def get_queryset(self):
            return Customer.objects.filter(pk=self.context["own"])

    class Picks(serializers.Serializer):
        customer = OwnCustomerField(queryset=Customer.objects.all())

    refused = Picks(data={"customer": someone_elses.pk}, context={"own": own.pk})
    allowed = Picks(data={"customer": own.pk}, context={"own": own.pk})

    assert not refused.is_valid()
    assert [error.code for error in refused.errors["customer"]] == ["does_not_exist"]
    assert allowed.is_valid() and allowed.validated_data["customer"] == own


def test_naming_many_keys_keeps_nothing_once_the_request_is_done():
    customers = CustomerFactory.create_batch(3)

    class Picks(serializers.Serializer):
        customers = KeyField(queryset=Customer.objects.all(), many=True)

    querysets = []
    for _request in range(20):
        picks = Picks(data={"customers": [customer.pk for customer in customers]})
        assert picks.is_valid(), picks.errors
        assert picks.validated_data["customers"] == customers
        querysets.append(weakref.ref(picks.fields["customers"].child_relation.queryset))
        del picks
    gc.collect()

    assert [queryset() for queryset in querysets] == [None] * 20


def test_a_queryset_with_its_related_rows_is_read_as_declared(
    agent_user, django_assert_num_queries
):
    class Picks(serializers.Serializer):
        agent = KeyField(queryset=User.objects.filter(agent__isnull=False).select_related("agent"))

    picks = Picks(data={"agent": agent_user.pk})

    with django_assert_num_queries(1):
        assert picks.is_valid(), picks.errors
        assert picks.validated_data["agent"].agent.team_id == agent_user.agent.team_id
