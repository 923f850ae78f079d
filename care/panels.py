"""Care's panel on the customer page and the desk (registered with intake.extensions).

The desk shows the caller's privileges at a glance, read from the kept catalogue (no
query per page) and, for a customer who may have one, the link to book a VIP
appointment; the customer page adds the upcoming appointments, the survey answers
and callbacks."""

from care import selectors


def customer_panel(customer, user, *, full: bool = True) -> dict | None:
    if not user.has_perm("care.view_callback"):
        return None
    care = (
        selectors.customer_care_summary(customer)
        if full
        else {"privileges": selectors.privileges_for(customer), "brief": True}
    )
    care["can_book"] = user.has_perm("care.add_appointment") and not (
        selectors.appointment_refusal(customer)
    )
    return {"template": "care/_customer_panel.html", "care": care, "customer": customer}


def business_offers(customer) -> list:
    """The caller's privileges for the new-ticket form (worktickets.offers): those that
    are a business carry its code, so the form can start it in one click."""
    from django.utils.translation import gettext

    from worktickets.offers import Offer

    return [
        Offer(gettext(privilege.name), privilege.business_type_code)
        for privilege in selectors.privileges_for(customer)
    ]
