"""Template helpers for SLA badges and explanations."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from sla.choices import ClockState
from sla.explain import Explanation, duration_text, explain_clock
from sla.models import Clock

register = template.Library()


def compact_duration(value: timedelta) -> str:
    """12 min, 3 h 05 min, 2 d 4 h: short enough for a queue row."""
    minutes = int(abs(value.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def badge_status(
    due: datetime | None, *, state: str = "", at_risk: bool = False, now: datetime | None = None
) -> dict | None:
    """What a badge shows: code (for the script), css, label and the countdown."""
    now = now or timezone.now()
    if state == ClockState.PAUSED:
        return {"code": "paused", "css": "", "label": _("Paused"), "countdown": ""}
    if state == ClockState.MET:
        return {"code": "met", "css": "badge-ok", "label": _("Met"), "countdown": ""}
    if state == ClockState.STOPPED:
        return {"code": "stopped", "css": "", "label": _("Stopped"), "countdown": ""}
    if due is None:
        return None
    remaining = due - now
    under_a_minute = abs(remaining) < timedelta(minutes=1)
    if state == ClockState.BREACHED or remaining <= timedelta():
        late = (
            _("under 1 min late")
            if under_a_minute
            else _("%(time)s late") % {"time": compact_duration(remaining)}
        )
        return {"code": "breached", "css": "badge-bad", "label": _("Breached"), "countdown": late}
    code, css, label = (
        ("at_risk", "badge-warn", _("At risk"))
        if at_risk
        else ("on_time", "badge-ok", _("On time"))
    )
    countdown = (
        _("under 1 min left")
        if under_a_minute
        else _("%(time)s left") % {"time": compact_duration(remaining)}
    )
    return {"code": code, "css": css, "label": label, "countdown": countdown}


@register.simple_tag
def sla_status(due=None, state="", at_risk=False):
    return badge_status(due, state=state or "", at_risk=bool(at_risk))


@register.simple_tag
def sla_badge(due=None, state="", at_risk=False) -> str:
    """A clock's badge: its state, the countdown the page script keeps ticking,
    and the due time on hover. (Written here rather than as an included
    template: queues show one per row, and an include costs several times this.)"""
    status = badge_status(due, state=state or "", at_risk=bool(at_risk))
    if status is None:
        return ""
    countdown = (
        format_html(' <span class="sla-countdown">{}</span>', status["countdown"])
        if status["countdown"]
        else ""
    )
    due_attributes = ""
    if due:
        local = timezone.localtime(due)
        due_attributes = format_html(
            ' data-sla-due="{}" title="{} {}"',
            local.isoformat(),
            _("Due"),
            local.strftime("%Y-%m-%d %H:%M"),
        )
    return format_html(
        '<span class="badge {} sla-badge" data-sla-state="{}"{}>'
        '<span class="sla-label">{}</span>{}</span>',
        status["css"],
        status["code"],
        due_attributes,
        status["label"],
        countdown,
    )


@register.simple_tag
def clock_explanation(clock: Clock) -> Explanation:
    return explain_clock(clock)


@register.filter
def time_to(start: datetime | None, end: datetime | None) -> str:
    """`start|time_to:end` in the compact form the queues use (Django's timeuntil
    writes "1 日，23 小时" where the desk says "1天23小时")."""
    if start is None or end is None:
        return ""
    return compact_duration(end - start)


@register.filter
def business_duration(value: timedelta | None) -> str:
    return duration_text(value) if value else duration_text(timedelta())


@register.simple_tag
def sla_countdown_texts() -> dict:
    """The countdown script's texts, translated here (templates would double the %)."""
    return {
        "breached": _("Breached"),
        "left": _("%(time)s left"),
        "late": _("%(time)s late"),
        "under_minute_left": _("under 1 min left"),
        "under_minute_late": _("under 1 min late"),
        "days": _("%(d)d d %(h)d h"),
        "hours": _("%(h)d h %(m)02d min"),
        "minutes": _("%(m)d min"),
    }
