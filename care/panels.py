"""Care's panel on the customer page and the desk (registered with intake.extensions)."""

from care import selectors


def customer_panel(customer, user) -> dict | None:
    if not user.has_perm("care.view_callback"):
        return None
    return {
        "template": "care/_customer_panel.html",
        "care": selectors.customer_care_summary(customer),
        "customer": customer,
    }
