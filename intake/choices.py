from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """Where a contact came in (DESIGN.md §3 value set; DOMAIN.md I-2, I-7, I-8)."""

    HOTLINE = "hotline", _("Hotline")
    IVR = "ivr", _("IVR self-service")
    ONLINE_CHAT = "online_chat", _("Online chat")
    APP = "app", _("App")
    WEB = "web", _("Website")
    SMS = "sms", _("SMS")
    SOCIAL = "social", _("Social media")
    WALK_IN = "walk_in", _("Walk-in hall")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    EMAIL = "email", _("Email")


class CustomerType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    FAMILY = "family", _("Family")
    ENTERPRISE = "enterprise", _("Enterprise")


class PaymentType(models.TextChoices):
    PREPAID = "prepaid", _("Prepaid")
    POSTPAID = "postpaid", _("Postpaid")


class VipTier(models.TextChoices):
    """DOMAIN.md P-9: silver < gold < diamond < supreme; declared in rank order."""

    NONE = "none", pgettext_lazy("VIP tier", "None")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    DIAMOND = "diamond", _("Diamond")
    SUPREME = "supreme", _("Supreme")

    @classmethod
    def rank(cls, tier: str) -> int:
        return cls.values.index(tier)


class Region(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class PaymentSegment(models.TextChoices):
    """The three segments that drive eligibility (DOMAIN.md I-23, W-26)."""

    PREPAID = "prepaid", _("Prepaid")
    POSTPAID = "postpaid", _("Postpaid")
    POSTPAID_VIP = "postpaid_vip", _("Postpaid VIP")


class ServiceType(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    FIXED = "fixed", _("Fixed line")
    BROADBAND = "broadband", _("Broadband")


class ServiceStatus(models.TextChoices):
    # Contexts keep these short words apart from other apps' statuses in the catalogues.
    ACTIVE = "active", pgettext_lazy("service status", "Active")
    SUSPENDED = "suspended", pgettext_lazy("service status", "Suspended")
    CLOSED = "closed", pgettext_lazy("service status", "Closed")


class Disposition(models.TextChoices):
    RESOLVED = "resolved", _("Resolved on first contact")
    TICKET_OPENED = "ticket_opened", _("Ticket opened")
    TRANSFERRED = "transferred", pgettext_lazy("contact disposition", "Transferred")
    CALLBACK = "callback", _("Callback requested")
    ABANDONED = "abandoned", _("Abandoned before answer")
    OTHER = "other", pgettext_lazy("contact disposition", "Other")


class AccessVia(models.TextChoices):
    PAGE = "page", pgettext_lazy("personal data access via", "Page")
    API = "api", pgettext_lazy("personal data access via", "API")


class AccessAction(models.TextChoices):
    """What an access-log row records (DOMAIN.md R-2: who, when, what)."""

    VIEW = "view", pgettext_lazy("personal data access", "Full view")
    REVEAL = "reveal", pgettext_lazy("personal data access", "Revealed with a reason")
    SEARCH = "search", pgettext_lazy("personal data access", "Search by number")
