"""Care in the browser: the public survey page (no login), the care manager's home,
and the callback outcome form. Views parse, call one service or selector, render."""

import datetime
import functools

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from redis.exceptions import RedisError

from care import selectors, services
from care.choices import DIMENSIONS, SCORE_CHOICES, CallbackOutcome
from care.forms import AppointmentForm
from care.models import Callback, Campaign
from csc.lib.addresses import client_address
from csc.lib.errors import DomainError
from intake.models import Customer
from staffing.access import permission
from staffing.api_auth import count_in_window
from worktickets import selectors as ticket_selectors

VIEW_CARE = "care.view_survey"
WORK_CALLBACKS = "care.change_callback"
BOOK_APPOINTMENTS = "care.add_appointment"


def _too_many(request: HttpRequest) -> bool:
    """Per client address and minute: the public page is hit in bursts after an SMS batch."""
    window = int(timezone.now().timestamp() // 60)
    try:
        count = count_in_window(f"survey-page:{client_address(request)}:{window}", 60)
    except RedisError:
        return False
    return count > settings.SURVEY_PAGE_RATE_PER_MINUTE


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1  # refused by the service's check with a clear message


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's survey page from the SMS link: mobile-first, no login."""
    if _too_many(request):
        return render(
            request,
            "care/survey_closed.html",
            {"message": _("Too many requests. Please try again in a minute.")},
            status=429,
        )
    try:
        found = services.survey_by_token(token)
    except services.SurveyRefused as refusal:
        return render(
            request, "care/survey_closed.html", {"message": refusal.message}, status=refusal.status
        )
    errors: dict = {}
    if request.method == "POST":
        answer = services.SurveyAnswer(
            score=_int_or_none(request.POST.get("score")) or 0,
            comment=request.POST.get("comment", ""),
            **{name: _int_or_none(request.POST.get(name)) for name in DIMENSIONS},
        )
        try:
            services.survey_answer(token, answer)
        except services.SurveyRefused as refusal:
            return render(
                request,
                "care/survey_closed.html",
                {"message": refusal.message},
                status=refusal.status,
            )
        except DomainError as error:
            errors = error.details or {"score": [error.message]}
        else:
            return render(request, "care/survey_thanks.html", {"score": answer.score})
    # Refused: what the customer chose and wrote is shown again, so nothing is lost.
    chosen = {name: request.POST.get(name, "") for name in ("score", *DIMENSIONS)}
    context = {
        "survey": found,
        "questions": _questions_markup(chosen) if errors else _questions_html(get_language()),
        "scores": SCORE_CHOICES,
        "errors": errors,
        "chosen_score": chosen["score"],
        "comment": request.POST.get("comment", "") if errors else "",
    }
    return render(request, "care/survey.html", context, status=400 if errors else 200)


@functools.cache
def _questions_html(language: str) -> str:
    """The optional questions' markup, the same for every survey in a language:
    rendered once per process and language, not on every view of the public page."""
    return _questions_markup({})


def _questions_markup(chosen: dict[str, str]) -> str:
    return render_to_string(
        "care/_survey_questions.html",
        {
            "scores": SCORE_CHOICES,
            "dimensions": [
                (name, label, chosen.get(name, "")) for name, label in DIMENSIONS.items()
            ],
        },
    )


def _month_start(now: datetime.datetime) -> datetime.datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@permission(VIEW_CARE)
def home(request: HttpRequest) -> HttpResponse:
    """The care manager's home: CSAT against target (per channel and tier against
    their own targets, where set), response rate, open callbacks."""
    now = timezone.localtime()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = _month_start(now)
    targets = selectors.csat_targets()
    context = {
        "today": selectors.csat(today, now + datetime.timedelta(seconds=1)),
        "month": selectors.csat(month, now + datetime.timedelta(seconds=1)),
        "index": selectors.satisfaction_index(month, now),
        "response_rate": selectors.response_rate(month, now),
        "trend": selectors.csat_trend("day", today - datetime.timedelta(days=29), now),
        "by_channel": selectors.csat_by("channel", month, now, targets=targets),
        "by_tier": selectors.csat_by("tier", month, now, targets=targets),
        "callbacks": list(selectors.open_callbacks()[:50]),
        "weekly": selectors.callbacks_weekly(today - datetime.timedelta(weeks=4), now),
        "campaigns": list(Campaign.objects.order_by("-scheduled_at")[:10]),
        "now": now,
    }
    return render(request, "care/home.html", context)


@permission(WORK_CALLBACKS)
@require_POST
def callback_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    visible = ticket_selectors.tickets_visible_to(request.user)
    callback = get_object_or_404(
        Callback.objects.select_related("ticket").filter(ticket__in=visible), pk=pk
    )
    try:
        services.callback_record_outcome(
            callback,
            by=request.user,
            outcome=request.POST.get("outcome", ""),
            comment=request.POST.get("comment", ""),
            reopen_complaint=request.POST.get("reopen_complaint") == "on",
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("care:callbacks")
    messages.success(request, _("Callback outcome recorded."))
    return redirect("care:callbacks")


@permission(WORK_CALLBACKS)
def callbacks(request: HttpRequest) -> HttpResponse:
    """The callbacks the agent's teams have open, nearest deadline first, with the
    outcome form on each row (reached or not, satisfied or not, comment)."""
    visible = ticket_selectors.tickets_visible_to(request.user)
    rows = list(selectors.open_callbacks().filter(ticket__in=visible)[:100])
    context = {"callbacks": rows, "outcomes": CallbackOutcome.choices, "now": timezone.now()}
    return render(request, "care/callbacks.html", context)


@permission(BOOK_APPOINTMENTS)
@require_http_methods(["GET", "POST"])
def appointment_new(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """Book a VIP appointment without waiting (P-9) from the customer page or the desk.
    A customer below gold or without grade service is refused with the reason (403)."""
    customer = get_object_or_404(Customer, pk=customer_pk)
    refusal = selectors.appointment_refusal(customer)
    form = AppointmentForm(request.POST or None)
    status = 403 if refusal else 200
    if request.method == "POST" and not refusal:
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.appointment_book(
                    customer,
                    by=request.user,
                    slot_start=data["slot_start"],
                    slot_end=data["slot_start"] + datetime.timedelta(minutes=data["duration"]),
                    place=data["place"],
                    hall=data["hall"],
                    note=data["note"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, _("Appointment booked."))
                return redirect("intake:customer_detail", pk=customer.pk)
        status = 400
    context = {"customer": customer, "form": form, "refusal": refusal}
    return render(request, "care/appointment_new.html", context, status=status)
