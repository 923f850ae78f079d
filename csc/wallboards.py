"""Wallboards: a secret URL per TV, made and revoked by a manager, each change recorded
(the model's history says who and when)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from csc.lib.errors import IllegalTransition
from csc.models import Wallboard
from staffing.models import Team, User


@transaction.atomic
def wallboard_create(*, name: str, team: Team | None, by: User) -> Wallboard:
    board = Wallboard(name=name, team=team, created_by=by)
    board._history_user = by  # type: ignore[attr-defined]  # simple-history's documented hook
    board.save()
    return board


@transaction.atomic
def wallboard_revoke(board: Wallboard, *, by: User) -> Wallboard:
    board = Wallboard.objects.select_for_update().get(pk=board.pk)
    if board.revoked_at is not None:
        raise IllegalTransition(_("This wallboard is already revoked."), code="already_revoked")
    board.revoked_at = timezone.now()
    board._history_user = by  # type: ignore[attr-defined]
    board.save(update_fields=["revoked_at"])
    return board
