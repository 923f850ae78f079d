"""The complaint actions of the SLA escalation ladder (DESIGN.md §2.2).

The ladder (which overdue metric takes which step) is data in `sla`; these are
the steps complaints provide, registered from ComplaintsConfig.ready():

- "raise_support_level": an overdue stage raises L1 → L2 → L3;
- "upgrade_complaint": overdue result feedback turns the complaint into an
  upgraded complaint (升级投诉).

The sweeper records each (clock, level) once; the complaint side keys its own
escalation row on the same pair, so a replayed step changes nothing either.
"""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.choices import EscalationKind
from complaints.services import complaint_escalate_overdue
from sla.escalation import register_action

RAISE_SUPPORT_LEVEL = "raise_support_level"
UPGRADE_COMPLAINT = "upgrade_complaint"


def _reason(clock) -> str:
    return gettext("%(metric)s overdue (was due %(due)s)") % {
        "metric": clock.get_metric_display(),
        "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M"),
    }


def _step(clock, level, mode: str) -> None:
    complaint_escalate_overdue(
        clock.ticket_id,
        mode=mode,
        reason=_reason(clock),
        dedupe_key=f"sla:{clock.pk}:{level.pk}",
    )


def raise_support_level(clock, level) -> None:
    _step(clock, level, EscalationKind.RAISE_LEVEL)


def upgrade_complaint(clock, level) -> None:
    _step(clock, level, EscalationKind.UPGRADE)


def register() -> None:
    register_action(
        RAISE_SUPPORT_LEVEL, raise_support_level, _("Raise the complaint's support level")
    )
    register_action(
        UPGRADE_COMPLAINT, upgrade_complaint, _("Turn the complaint into an upgraded complaint")
    )
