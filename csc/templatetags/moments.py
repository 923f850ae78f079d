"""Times in lists: `{% short_time value %}` is `<time datetime="…">12-04 18:30</time>`.

What `<time datetime="{{ v|date:'c' }}">{{ v|date:"m-d H:i" }}</time>` gives,
in the current time zone, for the rows of queues and lists: the two date
filters cost several times this on every row.
"""

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def short_time(value, css_class: str = "") -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time{} datetime="{}">{}</time>',
        format_html(' class="{}"', css_class) if css_class else "",
        local.isoformat(),
        local.strftime("%m-%d %H:%M"),
    )
