from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SurveyStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("survey status", "Scheduled")
    SENT = "sent", pgettext_lazy("survey status", "Sent")
    ANSWERED = "answered", pgettext_lazy("survey status", "Answered")
    EXPIRED = "expired", pgettext_lazy("survey status", "Expired")


class AnsweredVia(models.TextChoices):
    SMS_LINK = "sms_link", _("SMS link")
    IVR = "ivr", _("IVR")


class CallbackOutcome(models.TextChoices):
    REACHED_SATISFIED = "reached_satisfied", _("Reached, satisfied")
    REACHED_DISSATISFIED = "reached_dissatisfied", _("Reached, still dissatisfied")
    NOT_REACHED = "not_reached", _("Not reached")


class AppointmentPlace(models.TextChoices):
    HALL = "hall", _("At a business hall")
    CALLBACK = "callback", _("By a call from us")


# P-9: appointments without waiting are for gold and above (entitled to grade service).
APPOINTMENT_LOWEST_TIER = "gold"
APPOINTMENT_MAX_MINUTES = 240
APPOINTMENT_BOOK_AHEAD_DAYS = 60


# DOMAIN.md P-13 / CA-29: the 5-point question and the optional dimensions.
SCORE_CHOICES = [
    (5, _("Very satisfied")),
    (4, _("Satisfied")),
    (3, _("Neutral")),
    (2, _("Dissatisfied")),
    (1, _("Very dissatisfied")),
]
DIMENSIONS = {
    "attitude": _("Service attitude"),
    "efficiency": _("Business-handling efficiency"),
    "stability": _("System stability"),
    "after_sales": _("After-sales service"),
}
DISSATISFIED_AT_MOST = 2  # P-13: an answer of 1 or 2 asks for a callback
SATISFIED_AT_LEAST = 4  # CSAT = share of 4 and 5 (K-23)
