"""The status, priority and VIP-tier badges every ticket list and the ticket page show.

They are tags rather than `{% include %}`d snippets because a queue page shows
three per row: an include costs a template lookup and a context push each time,
about a fifth of the queue page's rendering (measured: 42 → 34 ms CPU per page).

Labels come from the choices enums (`TicketStatus(value).label`), not from
`get_status_display()`, which hashes every choice of the field, and so
translates every label, on each call: a queue page made about 160 such calls."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from csc.lib.translations import choice_label
from intake.choices import VipTier
from worktickets.choices import Priority, TicketKind, TicketStatus

register = template.Library()


@register.filter
def kind_label(ticket) -> str:
    return choice_label(TicketKind, ticket.kind)


@register.simple_tag
def status_badge(ticket) -> SafeString:
    badge = format_html(
        '<span class="badge wt-status wt-status-{}">{}</span>',
        ticket.status_category,
        choice_label(TicketStatus, ticket.status),
    )
    if ticket.transfer_pending:
        badge += format_html(
            ' <span class="badge badge-warn wt-awaiting">{}</span>', gettext("Awaiting acceptance")
        )
    return badge


@register.simple_tag
def priority_badge(ticket) -> SafeString:
    priority = ticket.priority
    tone = " badge-bad" if priority >= 4 else " badge-warn" if priority == 3 else ""
    return format_html(
        '<span class="badge{}">{}</span>', mark_safe(tone), choice_label(Priority, ticket.priority)
    )


@register.simple_tag
def tier_badge(customer) -> SafeString:
    """The customer's tier when it entitles them to grade service; nothing otherwise."""
    if customer is None or not customer.is_vip:
        return mark_safe("")
    return format_html(
        '<span class="badge tier-{}" title="{}">{}</span>',
        customer.vip_tier,
        gettext("VIP tier"),
        choice_label(VipTier, customer.vip_tier),
    )
