"""Every change in quality assurance, one function per business action (issue 17).

Each runs in one transaction and leaves a history row naming who acted
(django-simple-history). Refusals are DomainError (400), IllegalTransition (409)
or NotAllowed (403), which every door maps the same way (csc.lib.errors).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import MD5
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed, Refusals
from intake.models import Contact
from quality import checks, sampling
from quality.choices import (
    CLOSES_BY_ITSELF,
    DISSATISFIED_AT_MOST,
    TRANSITIONS,
    EvaluationState,
    SampleReason,
    scope_of_channel,
)
from quality.models import (
    CalibrationEntry,
    CalibrationSession,
    CheckHit,
    CheckRule,
    CoachingTask,
    ContactCheck,
    Evaluation,
    LineScore,
    QualitySettings,
    Sample,
    SamplingShortfall,
    Scorecard,
    ScorecardLine,
    ScorecardVersion,
    Scoring,
    TrainingPlan,
)
from sla.calendars import add_business_time, local
from sla.choices import CalendarKind
from sla.models import BusinessCalendar
from staffing.models import Agent, Team, User
from worktickets.models import Ticket

MANAGE = "quality.manage_quality"
EVALUATE = "quality.evaluate"
HUNDRED = Decimal("100")
S = EvaluationState


def _save(instance, by: User | None, **kwargs) -> None:
    instance._history_user = by  # the history row names who did it, from any door
    instance.save(**kwargs)


# ---------------------------------------------------------------- settings


def quality_settings() -> QualitySettings:
    found = QualitySettings.objects.select_related("calendar").order_by("pk").first()
    return found if found is not None else QualitySettings.objects.create()


def dispute_calendar(settings: QualitySettings) -> BusinessCalendar | None:
    if settings.calendar is not None:
        return settings.calendar
    return BusinessCalendar.objects.filter(kind=CalendarKind.WORKING_TIME).order_by("pk").first()


def respond_deadline(settings: QualitySettings, start: datetime.datetime) -> datetime.datetime:
    """The end of the agent's window: N working days on the centre's calendar."""
    cal = dispute_calendar(settings)
    days = settings.dispute_working_days
    if cal is None:
        return start + timedelta(days=days)
    return add_business_time(cal, start, working_days=days)


# ---------------------------------------------------------------- scorecards


@dataclass
class LineSpec:
    name: str
    weight: Decimal = Decimal("1")
    max_points: int = 10
    is_critical: bool = False
    description: str = ""


def scorecard_line_problems(lines: list[LineSpec]) -> dict[str, list[str]]:
    """Every problem with a scorecard's lines at once, each under its line's field
    (`lines-<index>-<field>`, as the scorecard page's form names them), or "lines"."""
    details: dict[str, list[str]] = {}
    if not lines:
        details["lines"] = [_("A scorecard needs at least one line.")]
    elif all(line.is_critical for line in lines):
        details["lines"] = [_("A scorecard needs at least one scored (not critical) line.")]
    names: set[str] = set()
    for index, line in enumerate(lines):
        field = f"lines-{index}-"
        if not line.name.strip():
            details[field + "name"] = [_("A line needs a name.")]
        elif line.name.strip() in names:
            details[field + "name"] = [_("Two lines have this name.")]
        names.add(line.name.strip())
        if line.max_points < 1:
            details[field + "max_points"] = [_("A line's maximum points must be at least 1.")]
        # A critical line is pass or fail and carries no weight; a scored one must.
        if Decimal(line.weight) < 0 or (not line.is_critical and Decimal(line.weight) == 0):
            details[field + "weight"] = [_("A scored line's weight must be more than zero.")]
    return details


def _check_lines(lines: list[LineSpec]) -> None:
    details = scorecard_line_problems(lines)
    if details:
        raise DomainError(next(iter(details.values()))[0], details=details)


def _write_version(
    scorecard: Scorecard, number: int, lines: list[LineSpec], effective_from: date, by
) -> ScorecardVersion:
    version = ScorecardVersion.objects.create(
        scorecard=scorecard, number=number, effective_from=effective_from, created_by=by
    )
    ScorecardLine.objects.bulk_create(
        ScorecardLine(
            version=version,
            position=index,
            name=line.name,
            description=line.description,
            weight=Decimal(line.weight),
            max_points=line.max_points,
            is_critical=line.is_critical,
        )
        for index, line in enumerate(lines, start=1)
    )
    return version


def _check_scorecard(
    name: str, lines: list[LineSpec], *, other_than: Scorecard | None = None
) -> None:
    """A name no other scorecard has, and lines without problems: all refusals at once."""
    refusals = Refusals()
    taken = Scorecard.objects.filter(name=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.exists():
        message = _("A scorecard with this name exists.")
        refusals.errors.append(DomainError(message, details={"name": [message]}))
    with refusals.check():
        _check_lines(lines)
    refusals.raise_any()


@transaction.atomic
def scorecard_create(
    *,
    name: str,
    lines: list[LineSpec],
    effective_from: date,
    by: User | None,
    scope: str = "",
    ticket_kind: str = "",
) -> Scorecard:
    _check_scorecard(name, lines)
    scorecard = Scorecard(name=name, scope=scope, ticket_kind=ticket_kind)
    _save(scorecard, by)
    _write_version(scorecard, 1, lines, effective_from, by)
    return scorecard


@transaction.atomic
def scorecard_revise(
    scorecard: Scorecard, *, lines: list[LineSpec], effective_from: date, by: User | None
) -> ScorecardVersion:
    """Edit the lines. A version already used by an evaluation (or a calibration) is
    never changed: the edit becomes a new version, and old evaluations keep theirs. A
    version nobody used yet is replaced. A new version takes effect no earlier than the
    one it follows."""
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    latest = scorecard.versions.order_by("-number").first()
    replace = latest is not None and not version_in_use(latest)
    before = scorecard.versions.filter(number__lt=latest.number) if replace and latest else None
    follows = before.order_by("-number").first() if before is not None else latest
    refusals = Refusals()
    with refusals.check():
        _check_lines(lines)
    if follows is not None and effective_from < follows.effective_from:
        refusals.errors.append(
            DomainError(
                _("A new version takes effect on or after %(day)s, when version %(n)s did.")
                % {"day": follows.effective_from.isoformat(), "n": follows.number},
                details={"effective_from": [_("Earlier than the version it follows.")]},
            )
        )
    refusals.raise_any()
    if replace and latest is not None:
        latest.lines.all().delete()
        latest.delete()
        number = latest.number
    else:
        number = (latest.number + 1) if latest else 1
    return _write_version(scorecard, number, lines, effective_from, by)


def version_in_use(version: ScorecardVersion) -> bool:
    """Whether an evaluation or a calibration session scored on this version."""
    return (
        version.evaluations.exists()
        or CalibrationSession.objects.filter(scorecard_version=version).exists()
    )


def _same_lines(version: ScorecardVersion, lines: list[LineSpec]) -> bool:
    current = [
        (line.name, line.description, line.weight, line.max_points, line.is_critical)
        for line in version.lines.order_by("position")
    ]
    wanted = [
        (line.name, line.description, Decimal(line.weight), line.max_points, line.is_critical)
        for line in lines
    ]
    return current == wanted


@transaction.atomic
def scorecard_edit(
    scorecard: Scorecard,
    *,
    name: str,
    scope: str,
    ticket_kind: str,
    lines: list[LineSpec],
    effective_from: date,
    by: User | None,
) -> ScorecardVersion:
    """The QA lead's edit from the scorecard page: its name and scope (channel, ticket
    kind) change in place (history keeps the old); changed lines or a new effective
    date make a new version when the current one is in use (scorecard_revise). Saving
    without a change to the lines keeps the current version."""
    _check_scorecard(name, lines, other_than=scorecard)
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if (scorecard.name, scorecard.scope, scorecard.ticket_kind) != (name, scope, ticket_kind):
        scorecard.name, scorecard.scope, scorecard.ticket_kind = name, scope, ticket_kind
        _save(scorecard, by)
    latest = scorecard.versions.order_by("-number").first()
    if (
        latest is not None
        and latest.effective_from == effective_from
        and _same_lines(latest, lines)
    ):
        return latest
    return scorecard_revise(scorecard, lines=lines, effective_from=effective_from, by=by)


def scorecard_version_for(channel: str, ticket_kind: str, day: date) -> ScorecardVersion | None:
    """The version in effect on `day` of the most specific active scorecard for the
    contact: channel and kind, then channel or kind, then the general one."""
    scope = scope_of_channel(channel)
    cards = Scorecard.objects.filter(
        Q(scope="") | Q(scope=scope), Q(ticket_kind="") | Q(ticket_kind=ticket_kind), is_active=True
    )
    ranked = sorted(cards, key=lambda c: (-(bool(c.scope) + bool(c.ticket_kind)), c.pk))
    for card in ranked:
        version = (
            card.versions.filter(effective_from__lte=day)
            .order_by("-number")
            .prefetch_related("lines")
            .first()
        )
        if version is not None:
            return version
    return None


# ---------------------------------------------------------------- scoring


def weighted_score(lines: list[ScorecardLine], points: dict[int, int]) -> tuple[Decimal, bool]:
    """The weighted score (0–100) and whether a critical line failed (P-10: a critical
    error fails the whole evaluation, score 0). A critical line fails below its maximum."""
    critical_failed = any(line.is_critical and points[line.pk] < line.max_points for line in lines)
    if critical_failed:
        return Decimal("0.00"), True
    scored = [line for line in lines if not line.is_critical]
    total_weight = sum((line.weight for line in scored), Decimal())
    earned = sum(
        (line.weight * Decimal(points[line.pk]) / Decimal(line.max_points) for line in scored),
        Decimal(),
    )
    score = (earned / total_weight * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return score, False


def _check_points(
    lines: list[ScorecardLine], points: dict[int, Any], *, complete: bool
) -> dict[int, int]:
    """Points as whole numbers within each line's range; 400 naming the line otherwise."""
    known = {line.pk: line for line in lines}
    clean: dict[int, int] = {}
    errors: dict[str, list[str]] = {}
    for line_id, value in points.items():
        line = known.get(int(line_id))
        if line is None:
            errors[f"line_{line_id}"] = [_("This line is not on the evaluation's scorecard.")]
            continue
        if value in (None, ""):
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            number = -1
        if number < 0 or number > line.max_points or str(value).strip() != str(number):
            errors[f"line_{line.pk}"] = [
                _("%(line)s takes whole points from 0 to %(max)s.")
                % {"line": line.name, "max": line.max_points}
            ]
            continue
        clean[line.pk] = number
    if complete:
        for line in lines:
            if line.pk not in clean and f"line_{line.pk}" not in errors:
                errors[f"line_{line.pk}"] = [_("Score every line before submitting.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, code="points_out_of_range", details=errors)
    return clean


def _move(evaluation: Evaluation, to: str) -> None:
    if to not in TRANSITIONS[evaluation.state]:
        raise IllegalTransition(
            _("An evaluation that is %(state)s cannot become %(to)s.")
            % {"state": evaluation.get_state_display(), "to": EvaluationState(to).label}
        )
    evaluation.state = to


def _locked(evaluation: Evaluation) -> Evaluation:
    return (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("scorecard_version", "agent", "inspector")
        .get(pk=evaluation.pk)
    )


def _lines(evaluation: Evaluation) -> list[ScorecardLine]:
    return list(evaluation.scorecard_version.lines.order_by("position"))


def _write_scoring(
    evaluation: Evaluation,
    scoring: Scoring,
    lines: list[ScorecardLine],
    points: dict[int, int],
    comments: dict[int, str],
    by: User,
) -> None:
    existing = {ls.line_id: ls for ls in scoring.line_scores.all()}
    for line in lines:
        if line.pk not in points:
            continue
        line_score = existing.get(line.pk) or LineScore(scoring=scoring, line=line)
        line_score.points = points[line.pk]
        line_score.comment = (comments.get(line.pk) or "").strip()
        _save(line_score, by)


# ---------------------------------------------------------------- the evaluation workflow


@transaction.atomic
def evaluation_start(sample: Sample, *, by: User) -> Evaluation:
    """Open the draft evaluation of a sampled contact; a sample is evaluated once (409)."""
    if not by.has_perm(EVALUATE):
        raise NotAllowed(_("Only QA inspectors evaluate contacts."))
    sample = Sample.objects.select_for_update().select_related("contact").get(pk=sample.pk)
    if sample.agent_id == by.pk:
        raise NotAllowed(_("Nobody evaluates their own contacts."))
    if Evaluation.objects.filter(sample=sample).exists():
        raise IllegalTransition(
            _("This sample has already been evaluated."), code="already_evaluated"
        )
    version = scorecard_version_for(
        sample.channel, sample.ticket_kind, local(sample.contact.queued_at).date()
    )
    if version is None:
        raise DomainError(_("No active scorecard applies to this contact."))
    evaluation = Evaluation(
        sample=sample,
        scorecard_version=version,
        agent_id=sample.agent_id,
        inspector=by,
        month=sample.month,
    )
    try:
        with transaction.atomic():
            _save(evaluation, by)
    except IntegrityError:
        raise IllegalTransition(
            _("This sample has already been evaluated."), code="already_evaluated"
        ) from None
    scoring = Scoring(evaluation=evaluation, number=1, scored_by=by)
    _save(scoring, by)
    if sample.inspector_id != by.pk:
        sample.inspector = by
        _save(sample, by)
    return evaluation


@transaction.atomic
def evaluation_save_draft(
    evaluation: Evaluation,
    *,
    by: User,
    points: dict[int, Any],
    comments: dict[int, str] | None = None,
    overall_comment: str = "",
    coaching_note: str = "",
) -> Evaluation:
    evaluation = _locked(evaluation)
    if evaluation.inspector_id != by.pk:
        raise NotAllowed(_("Only the evaluation's inspector scores it."))
    if evaluation.state != S.DRAFT:
        raise IllegalTransition(_("Only a draft can be scored; it has been submitted."))
    lines = _lines(evaluation)
    clean = _check_points(lines, points, complete=False)
    scoring = evaluation.scorings.get(number=1)
    _write_scoring(evaluation, scoring, lines, clean, comments or {}, by)
    evaluation.overall_comment = overall_comment.strip()
    evaluation.coaching_note = coaching_note.strip()
    _save(evaluation, by)
    return evaluation


@transaction.atomic
def evaluation_submit(
    evaluation: Evaluation,
    *,
    by: User,
    points: dict[int, Any],
    comments: dict[int, str] | None = None,
    overall_comment: str = "",
    coaching_note: str = "",
) -> Evaluation:
    """Score every line and send it to the agent: the weighted score, a critical line
    failing sets 0 and failed; the agent's window starts."""
    evaluation = _locked(evaluation)
    if evaluation.inspector_id != by.pk:
        raise NotAllowed(_("Only the evaluation's inspector scores it."))
    _move(evaluation, S.SUBMITTED)
    lines = _lines(evaluation)
    clean = _check_points(lines, points, complete=True)
    scoring = evaluation.scorings.get(number=1)
    _write_scoring(evaluation, scoring, lines, clean, comments or {}, by)
    score, critical = weighted_score(lines, clean)
    scoring.score, scoring.critical_failed = score, critical
    _save(scoring, by)
    settings = quality_settings()
    now = timezone.now()
    evaluation.score, evaluation.critical_failed = score, critical
    evaluation.passed = not critical and score >= settings.pass_mark
    evaluation.overall_comment = overall_comment.strip()
    evaluation.coaching_note = coaching_note.strip()
    evaluation.submitted_at = now
    evaluation.respond_by = respond_deadline(settings, now)
    evaluation.closes_at = evaluation.respond_by
    _save(evaluation, by)
    return evaluation


def _check_window(evaluation: Evaluation, now: datetime.datetime) -> None:
    if evaluation.respond_by is not None and now > evaluation.respond_by:
        raise DomainError(
            _("The window to acknowledge or dispute ended on %(moment)s.")
            % {"moment": local(evaluation.respond_by).strftime("%Y-%m-%d %H:%M")},
            code="window_closed",
        )


@transaction.atomic
def evaluation_acknowledge(evaluation: Evaluation, *, by: User) -> Evaluation:
    evaluation = _locked(evaluation)
    if evaluation.agent_id != by.pk:
        raise NotAllowed(_("Only the evaluated agent acknowledges an evaluation."))
    _check_window(evaluation, timezone.now())
    _move(evaluation, S.ACKNOWLEDGED)
    _save(evaluation, by)
    return evaluation


@transaction.atomic
def evaluation_dispute(evaluation: Evaluation, *, by: User, reason: str) -> Evaluation:
    """The agent disputes within the window, with a reason; the QA lead or the agent's
    team lead decides."""
    evaluation = _locked(evaluation)
    if evaluation.agent_id != by.pk:
        raise NotAllowed(_("Only the evaluated agent disputes an evaluation."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say why you dispute the evaluation."), details={"reason": [_("Required.")]}
        )
    now = timezone.now()
    _check_window(evaluation, now)
    _move(evaluation, S.DISPUTED)
    evaluation.dispute_reason = reason
    evaluation.disputed_at = now
    evaluation.closes_at = None  # open until decided
    _save(evaluation, by)
    return evaluation


def may_decide(user: User, evaluation: Evaluation) -> bool:
    """The QA lead, or the team lead of the agent's team (never the agent)."""
    if user.pk == evaluation.agent_id or not user.is_active:
        return False
    if user.has_perm(MANAGE):
        return True
    return Team.objects.filter(lead=user, agents__user_id=evaluation.agent_id).exists()


def _decide(evaluation: Evaluation, by: User, to: str, note: str) -> Evaluation:
    if not may_decide(by, evaluation):
        raise NotAllowed(_("Only the QA lead or the agent's team lead decides a dispute."))
    _move(evaluation, to)
    now = timezone.now()
    evaluation.decided_by = by
    evaluation.decided_at = now
    evaluation.decision_note = note.strip()
    evaluation.closes_at = respond_deadline(quality_settings(), now)
    return evaluation


@transaction.atomic
def evaluation_uphold(evaluation: Evaluation, *, by: User, note: str = "") -> Evaluation:
    evaluation = _decide(_locked(evaluation), by, S.UPHELD, note)
    _save(evaluation, by)
    return evaluation


@transaction.atomic
def evaluation_revise(
    evaluation: Evaluation,
    *,
    by: User,
    points: dict[int, Any],
    comments: dict[int, str] | None = None,
    note: str = "",
) -> Evaluation:
    """The dispute is granted: a new scored version; the inspector's stays visible."""
    evaluation = _locked(evaluation)
    if not (note or "").strip():
        raise DomainError(
            _("Say why the evaluation is revised."), details={"note": [_("Required.")]}
        )
    evaluation = _decide(evaluation, by, S.REVISED, note)
    lines = _lines(evaluation)
    clean = _check_points(lines, points, complete=True)
    number = evaluation.scorings.order_by("-number").values_list("number", flat=True).first()
    score, critical = weighted_score(lines, clean)
    scoring = Scoring(
        evaluation=evaluation,
        number=(number or 0) + 1,
        scored_by=by,
        score=score,
        critical_failed=critical,
        note=note.strip(),
    )
    _save(scoring, by)
    _write_scoring(evaluation, scoring, lines, clean, comments or {}, by)
    evaluation.score, evaluation.critical_failed = score, critical
    evaluation.passed = not critical and score >= quality_settings().pass_mark
    _save(evaluation, by)
    return evaluation


@transaction.atomic
def evaluation_close(evaluation: Evaluation, *, by: User | None = None) -> Evaluation:
    evaluation = _locked(evaluation)
    _move(evaluation, S.CLOSED)
    evaluation.closed_at = timezone.now()
    _save(evaluation, by)
    return evaluation


def evaluations_close_due(now: datetime.datetime | None = None) -> int:
    """Close every evaluation whose window has ended (the agent neither acknowledged
    nor disputed, or a decision was given); returns how many."""
    now = now or timezone.now()
    due = Evaluation.objects.filter(state__in=CLOSES_BY_ITSELF, closes_at__lte=now)
    closed = 0
    for pk in due.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            evaluation = _locked(Evaluation(pk=pk))
            closes = evaluation.closes_at
            if evaluation.state in CLOSES_BY_ITSELF and closes is not None and closes <= now:
                evaluation.state = S.CLOSED
                evaluation.closed_at = now
                _save(evaluation, None)
                closed += 1
    return closed


# ---------------------------------------------------------------- the monthly sample


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_bounds(month: date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's first and next month's first moment, in Asia/Shanghai."""
    start = month_start(month)
    following = (start + timedelta(days=32)).replace(day=1)
    tz = timezone.get_default_timezone()
    return (
        datetime.datetime.combine(start, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(following, datetime.time(), tzinfo=tz),
    )


@dataclass
class SamplingResult:
    month: date
    created: int = 0
    agents: int = 0
    shortfalls: list[SamplingShortfall] = field(default_factory=list)


def _candidates(month: date, weight_of_complaint: float) -> dict[int, list[sampling.Candidate]]:
    start, end = month_bounds(month)
    in_month = {"queued_at__gte": start, "queued_at__lt": end}
    # Each contact's first ticket, read once for the month (a correlated subquery per
    # contact cost most of the build over 300,000 contacts).
    # The survey score is care's, recorded on the ticket through a worktickets service:
    # quality reads it there and never imports care.
    first_ticket: dict[int, tuple[str, int | None]] = {}
    unhappy: set[int] = set()
    for contact_id, ticket_kind, ticket_pk, survey_score in (
        Ticket.objects.filter(**{f"contact__{k}": v for k, v in in_month.items()})
        .order_by("-pk")
        .values_list("contact_id", "kind", "pk", "survey_score")
        .iterator(chunk_size=10000)
    ):
        first_ticket[contact_id] = (ticket_kind, ticket_pk)  # the lowest id is written last
        if survey_score is not None and survey_score <= DISSATISFIED_AT_MOST:
            unhappy.add(contact_id)
    # Automatic-check hits raise a contact's weight (issue 17 item 10): one read.
    hit_weights = dict(
        CheckHit.objects.filter(
            check_row__contact__queued_at__gte=start, check_row__contact__queued_at__lt=end
        )
        .values("check_row__contact_id")
        .annotate(weight=Sum("rule__sampling_weight"))
        .values_list("check_row__contact_id", "weight")
        .order_by()
    )
    rows = (
        Contact.objects.filter(agent__isnull=False, answered_at__isnull=False, **in_month)
        .values_list("pk", "agent_id", "channel")
        .order_by()
    )
    found: dict[int, list[sampling.Candidate]] = defaultdict(list)
    for pk, agent_id, channel in rows.iterator(chunk_size=10000):
        kind, ticket_id = first_ticket.get(pk, ("", None))
        weight = weight_of_complaint if kind == "complaint" else 1.0
        weight *= 1.0 + float(hit_weights.get(pk) or 0)
        found[agent_id].append(
            sampling.Candidate(pk, channel, kind, ticket_id, weight, pk in unhappy)
        )
    return found


def _low_scorers(month: date, pass_mark: Decimal) -> set[int]:
    previous = month_start(month_start(month) - timedelta(days=1))
    rows = (
        Evaluation.objects.filter(month=previous, score__isnull=False)
        .exclude(state=S.DRAFT)
        .values("agent_id")
        .annotate(average=Avg("score"))
    )
    return {row["agent_id"] for row in rows if row["average"] < pass_mark}


def _sampled_agents() -> list[Agent]:
    return list(
        Agent.objects.filter(user__is_active=True, user__groups__name="agent")
        .select_related("user")
        .order_by("user_id")
        .distinct()
    )


def _inspectors() -> list[tuple[int, int | None]]:
    """(user id, team id) of every active QA inspector."""
    group = Group.objects.filter(name="qa_inspector").first()
    if group is None:
        return []
    users = group.user_set.filter(is_active=True).order_by("pk")
    teams = dict(Agent.objects.filter(user__in=users).values_list("user_id", "team_id"))
    return [(pk, teams.get(pk)) for pk in users.values_list("pk", flat=True)]


def _open_load() -> dict[int, int]:
    """Samples each inspector has not yet submitted an evaluation for."""
    rows = (
        Sample.objects.filter(inspector__isnull=False)
        .filter(Q(evaluation__isnull=True) | Q(evaluation__state=S.DRAFT))
        .values("inspector_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["inspector_id"]: row["n"] for row in rows}


def _pick_inspector(
    inspectors: list[tuple[int, int | None]],
    load: dict[int, int],
    agent_id: int,
    agent_team: int | None,
    exclude_team: bool,
) -> int | None:
    """The least-loaded inspector who is not the agent and (if so configured) not in
    the agent's team; ties go to the lowest id, so the spread is reproducible."""
    allowed = [
        pk
        for pk, team in inspectors
        if pk != agent_id and not (exclude_team and team is not None and team == agent_team)
    ]
    if not allowed:
        return None
    chosen = min(allowed, key=lambda pk: (load.get(pk, 0), pk))
    load[chosen] = load.get(chosen, 0) + 1
    return chosen


@transaction.atomic
def sampling_build(month: date, *, today: date | None = None) -> SamplingResult:
    """Build or top up every agent's sample for the month; idempotent, reproducible."""
    month = month_start(month)
    today = today or timezone.localdate()
    settings = quality_settings()
    result = SamplingResult(month=month)
    candidates = _candidates(month, float(settings.complaint_weight))
    low = _low_scorers(month, settings.pass_mark)
    agents = _sampled_agents()
    inspectors = _inspectors()
    load = _open_load()
    already: dict[int, set[int]] = defaultdict(set)
    for agent_id, contact_id in Sample.objects.filter(month=month).values_list(
        "agent_id", "contact_id"
    ):
        already[agent_id].add(contact_id)
    new: list[Sample] = []
    shortfalls: list[SamplingShortfall] = []
    for agent in agents:
        result.agents += 1
        target = settings.min_per_agent
        if agent.user_id in low:
            target = max(target, settings.low_scorer_per_agent)
        target = min(target, settings.max_per_agent)
        mine = candidates.get(agent.user_id, [])
        picked = sampling.top_up(
            mine,
            target,
            sampling.seed_for(month, agent.user_id),
            already[agent.user_id],
            settings.dissatisfied_share / 100,
        )
        for index, candidate in enumerate(picked):
            due = min(today + timedelta(days=7 * (1 + index // 2)), today + timedelta(days=28))
            new.append(
                Sample(
                    month=month,
                    agent_id=agent.user_id,
                    contact_id=candidate.contact_id,
                    ticket_id=candidate.ticket_id,
                    channel=candidate.channel,
                    ticket_kind=candidate.ticket_kind,
                    reason=(
                        SampleReason.COMPLAINT
                        if candidate.ticket_kind == "complaint"
                        else SampleReason.DISSATISFIED
                        if candidate.dissatisfied
                        else SampleReason.RULE_HITS
                        if candidate.weight > 1
                        else SampleReason.RANDOM
                    ),
                    inspector_id=_pick_inspector(
                        inspectors, load, agent.user_id, agent.team_id, settings.exclude_own_team
                    ),
                    due_on=due,
                )
            )
        have = len(already[agent.user_id]) + len(picked)
        if have < target:
            reason = (
                _("No answered contacts this month.")
                if not mine
                else _("Only %(n)s answered contacts this month.") % {"n": len(mine)}
            )
            shortfalls.append(
                SamplingShortfall(
                    month=month, agent_id=agent.user_id, target=target, found=have, reason=reason
                )
            )
    bulk_create_with_history(new, Sample, batch_size=2000)
    result.created = len(new)
    SamplingShortfall.objects.filter(month=month).delete()
    result.shortfalls = bulk_create_with_history(shortfalls, SamplingShortfall)
    return result


# ---------------------------------------------------------------- automatic checks


def _rules() -> tuple[list[checks.Rule], dict[int, CheckRule]]:
    rows = {row.pk: row for row in CheckRule.objects.filter(is_active=True).order_by("pk")}
    compiled = []
    for row in rows.values():
        try:
            compiled.append(checks.compile_rule(row))
        except ValueError:
            continue  # a rule the admin left unusable checks nothing (its form says why)
    return compiled, rows


def _unchecked_contacts() -> QuerySet[Contact]:
    """Contacts with a transcript never checked, or changed since (its MD5 differs)."""
    current = ContactCheck.objects.filter(
        contact_id=OuterRef("pk"), digest=MD5(OuterRef("transcript"))
    )
    return Contact.objects.exclude(transcript="").filter(~Exists(current))


def transcripts_check(*, batch_size: int = 2000, limit: int | None = None) -> int:
    """Check every new or changed transcript against the active rules and record the
    hits (issue 17 item 10); returns how many contacts were checked. Idempotent."""
    rules, _rows = _rules()
    checked, after = 0, 0
    while limit is None or checked < limit:
        size = batch_size if limit is None else min(batch_size, limit - checked)
        # Walked in id order from where the last batch ended: each batch reads only its
        # own stretch of the table.
        batch = list(
            _unchecked_contacts()
            .filter(pk__gt=after)
            .annotate(digest=MD5("transcript"))
            .order_by("pk")
            .values_list("pk", "agent_id", "queued_at", "transcript", "digest")[:size]
        )
        if not batch:
            break
        after = batch[-1][0]
        now = timezone.now()
        with transaction.atomic():
            ids = [row[0] for row in batch]
            ContactCheck.objects.filter(contact_id__in=ids).delete()  # hits go by cascade
            rows, hits_of = [], []
            for pk, agent_id, queued_at, transcript, digest in batch:
                hits = checks.check(transcript, rules)
                rows.append(
                    ContactCheck(
                        contact_id=pk,
                        agent_id=agent_id,
                        month=local(queued_at).date().replace(day=1),
                        digest=digest,
                        checked_at=now,
                        hit_count=len(hits),
                    )
                )
                hits_of.append(hits)
            created = ContactCheck.objects.bulk_create(rows, batch_size=batch_size)
            CheckHit.objects.bulk_create(
                [
                    CheckHit(
                        check_row=row,
                        rule_id=hit.rule_id,
                        line=hit.line,
                        start=hit.start,
                        end=hit.end,
                        excerpt=hit.excerpt[:200],
                    )
                    for row, hits in zip(created, hits_of, strict=True)
                    for hit in hits
                ],
                batch_size=5000,
            )
        checked += len(batch)
    return checked


# ---------------------------------------------------------------- calibration


@transaction.atomic
def calibration_create(
    *, title: str, contact: Contact, inspectors: list[User], by: User
) -> CalibrationSession:
    """The QA lead picks a contact and the inspectors who score it blind (item 6)."""
    if not by.has_perm(MANAGE):
        raise NotAllowed(_("Only the QA lead runs calibration sessions."))
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Required.")]
    chosen = [person for person in inspectors if person.has_perm(EVALUATE)]
    if len(chosen) < 2 or len(chosen) != len(inspectors):
        errors["inspectors"] = [_("Choose at least two QA inspectors.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], details=errors)
    first_ticket = Ticket.objects.filter(contact=contact).order_by("pk").first()
    version = scorecard_version_for(
        contact.channel, first_ticket.kind if first_ticket else "", local(contact.queued_at).date()
    )
    if version is None:
        raise DomainError(_("No active scorecard applies to this contact."))
    session = CalibrationSession(
        title=title, contact=contact, scorecard_version=version, created_by=by
    )
    _save(session, by)
    session.inspectors.set(chosen)
    return session


@transaction.atomic
def calibration_score(
    session: CalibrationSession, *, by: User, points: dict[int, Any]
) -> CalibrationEntry:
    """An inspector's blind scoring, once (409 on a second)."""
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if not session.inspectors.filter(pk=by.pk).exists():
        raise NotAllowed(_("Only the inspectors invited to the session score it."))
    if CalibrationEntry.objects.filter(session=session, inspector=by).exists():
        raise IllegalTransition(_("You have already scored this session."))
    lines = list(session.scorecard_version.lines.order_by("position"))
    clean = _check_points(lines, points, complete=True)
    score, critical = weighted_score(lines, clean)
    entry = CalibrationEntry(
        session=session,
        inspector=by,
        score=score,
        critical_failed=critical,
        points={str(pk): value for pk, value in clean.items()},
    )
    _save(entry, by)
    return entry


# ---------------------------------------------------------------- coaching and training


@transaction.atomic
def coaching_create(
    evaluation: Evaluation, *, by: User, what: str, due_on: date | None
) -> CoachingTask:
    """From an evaluation, the agent's team lead or the QA lead sets a coaching task."""
    if not may_decide(by, evaluation) or evaluation.state == S.DRAFT:
        raise NotAllowed(_("Only the QA lead or the agent's team lead sets coaching tasks."))
    what = (what or "").strip()
    errors: dict[str, list[str]] = {}
    if not what:
        errors["what"] = [_("Say what the agent is to work on.")]
    if due_on is None or due_on < timezone.localdate():
        errors["due_on"] = [_("Give a due date from today on.")]
    if errors or due_on is None:
        raise DomainError(next(iter(errors.values()))[0], details=errors)
    task = CoachingTask(
        agent_id=evaluation.agent_id, evaluation=evaluation, what=what, due_on=due_on, created_by=by
    )
    _save(task, by)
    return task


@transaction.atomic
def coaching_done(task: CoachingTask, *, by: User, note: str) -> CoachingTask:
    task = CoachingTask.objects.select_for_update().get(pk=task.pk)
    if task.agent_id != by.pk:
        raise NotAllowed(_("Only the coached agent marks the task done."))
    if task.done_at is not None:
        raise IllegalTransition(_("This coaching task is already done."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say how it was done."), details={"note": [_("Required.")]})
    task.done_at, task.done_note = timezone.now(), note
    _save(task, by)
    return task


@transaction.atomic
def training_plan_create(
    *,
    by: User,
    month: date,
    team: Team | None,
    title: str,
    content: str,
    evaluations: list[Evaluation],
) -> TrainingPlan:
    """A month's training for a team (its lead or the QA lead) or the centre (QA lead)."""
    lead = by.has_perm(MANAGE)
    if team is None and not lead:
        raise NotAllowed(_("Only the QA lead plans the whole centre's training."))
    if team is not None and not lead and team.lead_id != by.pk:
        raise NotAllowed(_("Only the team's lead or the QA lead plans its training."))
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Required.")]
    if not (content or "").strip():
        errors["content"] = [_("Required.")]
    if team is not None and any(
        not Agent.objects.filter(user_id=e.agent_id, team=team).exists() for e in evaluations
    ):
        errors["evaluations"] = [_("Link evaluations of the team's own agents.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], details=errors)
    plan = TrainingPlan(
        month=month_start(month),
        team=team,
        title=title.strip(),
        content=content.strip(),
        created_by=by,
    )
    _save(plan, by)
    plan.evaluations.set(evaluations)
    return plan
