"""Care's panel on the customer page and the desk (registered with intake.extensions).

The desk shows the caller's privileges at a glance, read from the kept catalogue (no
query per page); the customer page adds the survey answers and callbacks."""

from care import selectors


def customer_panel(customer, user, *, full: bool = True) -> dict | None:
    if not user.has_perm("care.view_callback"):
        return None
    care = (
        selectors.customer_care_summary(customer)
        if full
        else {"privileges": selectors.privileges_for(customer), "brief": True}
    )
    return {"template": "care/_customer_panel.html", "care": care, "customer": customer}
