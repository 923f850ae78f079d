"""The API door of a customer's erasure (PIPL Art. 47): the same service as the page."""

from django.shortcuts import get_object_or_404
from django.urls import path
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from csc import api_docs
from csc.erasure import ERASE_PERM, customer_erase
from csc.models import CustomerErasure
from intake.models import Customer


class CustomerEraseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class CustomerErasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerErasure
        fields = ["id", "customer", "by", "at", "reason", "counts"]
        read_only_fields = fields


class CustomerEraseView(APIView):
    """Erase a cancelled customer's personal data, keeping what the law requires."""

    scope_resource = "customers"
    # The service also asks the caller (a person or an integration's service user) for it.
    required_perms = {"write": ["intake.view_customer", ERASE_PERM]}

    @api_docs.erase_operation(payload=CustomerEraseSerializer, output=CustomerErasureSerializer)
    def post(self, request, pk: int) -> Response:
        customer = get_object_or_404(Customer, pk=pk)
        data = CustomerEraseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        erasure = customer_erase(customer, by=request.user, reason=data.validated_data["reason"])
        return Response(CustomerErasureSerializer(erasure).data, status=status.HTTP_201_CREATED)


api_urlpatterns = [
    path("customers/<int:pk>/erase/", CustomerEraseView.as_view(), name="customer-erase"),
]
