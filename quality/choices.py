"""Evaluation states and the moves between them (DOMAIN.md Q-1, P-10; issue 17 item 4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EvaluationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPUTED = "disputed", _("Disputed")
    UPHELD = "upheld", _("Dispute upheld")
    REVISED = "revised", _("Revised")
    CLOSED = "closed", _("Closed")


S = EvaluationState
# Allowed moves, from → to. An illegal move raises IllegalTransition (HTTP 409).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ACKNOWLEDGED, S.DISPUTED, S.CLOSED}),
    S.ACKNOWLEDGED: frozenset({S.CLOSED}),
    S.DISPUTED: frozenset({S.UPHELD, S.REVISED}),
    S.UPHELD: frozenset({S.CLOSED}),
    S.REVISED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
# States the agent's window runs in; when it ends the evaluation closes itself.
CLOSES_BY_ITSELF = (S.SUBMITTED, S.ACKNOWLEDGED, S.UPHELD, S.REVISED)
# States the agent sees (a draft is the inspector's own until submitted).
SHOWN_TO_AGENT = tuple(state for state in S.values if state != S.DRAFT)


class SampleReason(models.TextChoices):
    RANDOM = "random", _("Random draw")
    COMPLAINT = "complaint", _("Complaint (oversampled)")
    DISSATISFIED = "dissatisfied", _("Customer answered dissatisfied (oversampled)")
    RULE_HITS = "rule_hits", _("Automatic check hits (oversampled)")


# A satisfaction answer (1-5, worktickets.Ticket.survey_score) at or below this is a
# dissatisfied customer: 2 "Dissatisfied" and 1 "Very dissatisfied" (DOMAIN.md P-13).
DISSATISFIED_AT_MOST = 2


class ScorecardScope(models.TextChoices):
    """The channel groups a scorecard may be limited to (issue 17 item 2)."""

    HOTLINE = "hotline", _("Hotline")
    ONLINE = "online", _("Online")
    WALK_IN = "walk_in", _("Walk-in hall")


# Contact channels in each scorecard scope (intake.choices.Channel values).
SCOPE_CHANNELS: dict[str, tuple[str, ...]] = {
    ScorecardScope.HOTLINE: ("hotline", "ivr"),
    ScorecardScope.ONLINE: ("online_chat", "app", "web", "sms", "social", "email"),
    ScorecardScope.WALK_IN: ("walk_in", "account_manager"),
}


def scope_of_channel(channel: str) -> str:
    for scope, channels in SCOPE_CHANNELS.items():
        if channel in channels:
            return scope
    return ScorecardScope.HOTLINE
