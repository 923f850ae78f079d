"""Template filters that show personal data through the request's disclosure.

`{{ customer|shown_phone:pd }}` shows the phone masked or in full, as the
page's `PersonalDataDisclosure` (`pd`) decides, and notes a full view so the
view can record it after rendering.
"""

from django import template

register = template.Library()


@register.filter
def shown_phone(customer, pd) -> str:
    return pd.phone(customer)


@register.filter
def shown_id_number(customer, pd) -> str:
    return pd.id_number(customer)


@register.filter
def shown_number(service, pd) -> str:
    return pd.service_number(service)


@register.filter
def shown_caller(contact, pd) -> str:
    return pd.caller_number(contact)
