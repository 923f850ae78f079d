"""What the shared field template (templates/partials/field.html) asks of a field."""

from django import template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def is_marked_required(field: BoundField) -> bool:
    """Required by the form, or by the service behind it (the form's `marked_required`:
    fields a form leaves optional because the service decides, e.g. when an appeal
    inherits them, but that a person filling it in must give)."""
    if field.is_hidden:
        return False
    return field.field.required or field.name in getattr(field.form, "marked_required", ())


@register.simple_tag
def required_marker() -> SafeString:
    """The star a person sees and the words a screen reader says (a tag, not an
    include: it is drawn for most fields of every form on the ticket page)."""
    return format_html(
        ' <span class="required-marker" aria-hidden="true">*</span>'
        '<span class="visually-hidden">{}</span>',
        _("(required)"),
    )
