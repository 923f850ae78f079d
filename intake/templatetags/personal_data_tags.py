"""Template filters that show personal data through the request's disclosure.

`{{ customer|shown_phone:pd }}` shows the phone masked or in full, as the
page's `PersonalDataDisclosure` (`pd`) decides, and notes a full view so the
view can record it after rendering. On pages the number is masked, and a user
who may see it in full gets the control that reveals it (with a reason).
"""

from django import template
from django.urls import reverse

from intake.personal_data import reveal_control

register = template.Library()


def _shown(pd, shown: str, what: str, pk: int) -> str:
    return reveal_control(pd, shown, reverse("intake:reveal", args=[what, pk]))


@register.filter
def shown_phone(customer, pd) -> str:
    return _shown(pd, pd.phone(customer), "phone", customer.pk)


@register.filter
def shown_id_number(customer, pd) -> str:
    return _shown(pd, pd.id_number(customer), "id_number", customer.pk)


@register.filter
def shown_number(service, pd) -> str:
    return _shown(pd, pd.service_number(service), "service", service.pk)


@register.filter
def shown_caller(contact, pd) -> str:
    return _shown(pd, pd.caller_number(contact), "caller", contact.pk)
