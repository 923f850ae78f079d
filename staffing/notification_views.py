"""The in-app notification inbox: list, unread badge, open, mark read."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from staffing.models import Notification
from staffing.outbox import notifications_mark_read

INBOX_SIZE = 100


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = list(
        Notification.objects.filter(recipient=request.user).order_by("-created_at")[:INBOX_SIZE]
    )
    return render(
        request,
        "staffing/notifications.html",
        {"notifications": notifications, "unread": sum(n.read_at is None for n in notifications)},
    )


@login_required
@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The top bar's unread count, polled by htmx."""
    return render(
        request, "staffing/_notification_badge.html", {"unread": unread_count(request.user)}
    )


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points (only within the site)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_mark_read(request.user, [notification.pk])
    target = notification.link
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(request.user)
    return redirect("notifications:inbox")
