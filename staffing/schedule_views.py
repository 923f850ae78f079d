"""An agent's own schedule: the month calendar page and the iCalendar feed."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from staffing import rosters, selectors
from staffing.models import Agent, CalendarFeed


def _month(request: HttpRequest) -> datetime.date:
    try:
        return datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return rosters.month_start(timezone.localdate())


def _agent(request: HttpRequest) -> Agent:
    agent = Agent.objects.filter(user=request.user).select_related("team").first()
    if agent is None:
        raise Http404
    return agent


@login_required
@require_GET
def my_schedule(request: HttpRequest) -> HttpResponse:
    agent = Agent.objects.filter(user=request.user).select_related("team").first()
    month = _month(request)
    if agent is None:
        return render(request, "staffing/my_schedule.html", {"month": month, "no_profile": True})
    feed = CalendarFeed.objects.filter(agent=agent).first()
    context = {
        "agent": agent,
        "month": month,
        "previous": rosters.month_start(month - datetime.timedelta(days=1)),
        "next": rosters.next_month(month),
        "weeks": selectors.schedule_weeks(agent, month),
        "feed_url": request.build_absolute_uri(reverse("roster_calendar_feed", args=[feed.token]))
        if feed
        else "",
    }
    return render(request, "staffing/my_schedule.html", context)


@login_required
@require_POST
def renew_feed(request: HttpRequest) -> HttpResponse:
    rosters.calendar_feed_renew(_agent(request))
    return redirect("staffing:my_schedule")


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The agent's published shifts as iCalendar; the secret token is the only key."""
    feed = CalendarFeed.objects.filter(token=token).select_related("agent").first()
    if feed is None:
        raise Http404
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//csc//roster//ZH",
        "CALSCALE:GREGORIAN",
    ]
    for entry in selectors.published_shifts_for_feed(feed.agent):
        lines += [
            "BEGIN:VEVENT",
            f"UID:shift-{entry.pk}@csc",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{entry.starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{entry.ends_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ics_text(entry.template.name)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return response
