"""Reads for quality assurance pages, exports and the API (issue 17 items 8, 9, 11).

One visibility rule serves every door: QA inspectors and the QA lead see every
evaluation; a team lead sees the submitted evaluations of the teams they lead; an
agent sees only their own, once submitted. A draft is its inspector's alone.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import Combinable
from django.utils import timezone

from intake.choices import Channel
from quality.choices import EvaluationState, SampleReason
from quality.models import (
    CalibrationEntry,
    CalibrationSession,
    CheckHit,
    CheckRule,
    CoachingTask,
    ContactCheck,
    Evaluation,
    LineScore,
    Sample,
    SamplingShortfall,
    Scorecard,
    ScorecardLine,
    ScorecardVersion,
    Scoring,
    TrainingPlan,
)
from staffing.models import Team, User

SEE_ALL = "quality.view_all_evaluations"
EVALUATE = "quality.evaluate"
MANAGE = "quality.manage_quality"


def evaluations_visible_to(user: User) -> QuerySet[Evaluation]:
    evaluations = Evaluation.objects.all()
    if not user.is_authenticated or not user.has_perm("quality.view_evaluation"):
        return evaluations.none()
    if user.has_perm(SEE_ALL):
        return evaluations.filter(~Q(state=EvaluationState.DRAFT) | Q(inspector=user))
    led = Team.objects.filter(lead_id=user.pk).values("pk")
    return evaluations.exclude(state=EvaluationState.DRAFT).filter(
        Q(agent_id=user.pk) | Q(agent__agent__team__in=led)
    )


def evaluation_list(
    user: User,
    *,
    agent: int | None = None,
    team: int | None = None,
    month: date | None = None,
    state: str = "",
) -> QuerySet[Evaluation]:
    found = evaluations_visible_to(user)
    if agent:
        found = found.filter(agent_id=agent)
    if team:
        found = found.filter(agent__agent__team_id=team)
    if month:
        found = found.filter(month=month.replace(day=1))
    if state:
        found = found.filter(state=state)
    return found.select_related("agent__agent__team", "inspector", "scorecard_version__scorecard")


def evaluation_detail(user: User, pk: int) -> Evaluation | None:
    """The evaluation with everything its page shows, or None if hidden from this user."""
    scorings = Scoring.objects.select_related("scored_by").prefetch_related(
        Prefetch("line_scores", LineScore.objects.select_related("line"))
    )
    return (
        evaluations_visible_to(user)
        .select_related(
            "agent__agent__team",
            "inspector",
            "decided_by",
            "scorecard_version__scorecard",
            "sample__contact__customer",
            "sample__ticket",
        )
        .prefetch_related(
            Prefetch("scorings", scorings.order_by("number")), "scorecard_version__lines"
        )
        .filter(pk=pk)
        .first()
    )


@dataclass
class Worklist:
    overdue: list[Sample]
    due: list[Sample]
    later: list[Sample]
    done: list[Sample]
    week_ends: date
    counts: dict[str, int]


# Rows each part of the worklist shows (the badges count them all): the page stays
# quick on the 1st, when a month's whole share lands at once.
# Measured with 50,000 evaluations: rendering a row costs about as much as reading it,
# so the page shows the first rows of each part (by due date) and the badges say how
# many there are; the next come up as the first are done.
SHOWN = {"overdue": 30, "due": 30, "later": 10}
DONE_SHOWN = 10
# The columns a worklist row shows: a contact's transcript (tens of kilobytes) and the
# evaluation's comments stay in the database.
ROW_FIELDS = (
    "month",
    "channel",
    "reason",
    "due_on",
    "inspector_id",
    "agent__username",
    "agent__first_name",
    "agent__last_name",
    "contact__queued_at",
    "contact__recording_url",
)


def _open_samples(inspector: User) -> QuerySet[Sample]:
    """The inspector's samples with no submitted evaluation: none yet, or a draft.

    Written as NOT EXISTS, not as `evaluation IS NULL OR state = draft` over a left
    join: PostgreSQL estimates that OR at one row and then joins the agents by
    scanning them once per sample (measured: 225,000 rows read for 1,000 samples).
    The evaluations looked at are the inspector's own (their index), not all of them:
    starting an evaluation makes its inspector the sample's (services.evaluation_start),
    and nothing else moves a sample to another inspector."""
    submitted = Evaluation.objects.filter(sample_id=OuterRef("pk"), inspector=inspector).exclude(
        state=EvaluationState.DRAFT
    )
    return Sample.objects.filter(inspector=inspector).filter(~Exists(submitted))


def worklist(
    inspector: User, today: date | None = None, *, done_limit: int = DONE_SHOWN
) -> Worklist:
    """The inspector's samples: overdue, due this week, later, and recently done.

    Three queries whatever the inspector's load: the open samples' ids and due dates
    (counted and cut into parts here), the rows shown (only the columns shown), and the
    last evaluations submitted, read down the (inspector, submitted at) index rather
    than by sorting every evaluation the inspector ever made."""
    today = today or timezone.localdate()
    week_ends = today + timedelta(days=6 - today.weekday())
    open_ids: dict[str, list[int]] = {"overdue": [], "due": [], "later": []}
    for pk, due_on in _open_samples(inspector).order_by("due_on", "pk").values_list("pk", "due_on"):
        part = "overdue" if due_on < today else "due" if due_on <= week_ends else "later"
        open_ids[part].append(pk)
    shown = [pk for part, ids in open_ids.items() for pk in ids[: SHOWN[part]]]
    rows = {
        sample.pk: sample
        for sample in Sample.objects.filter(pk__in=shown)
        .select_related("agent", "contact", "evaluation")
        .only(*ROW_FIELDS, "evaluation__state", "evaluation__score", "evaluation__sample_id")
    }
    parts = {
        part: [rows[pk] for pk in ids[: SHOWN[part]] if pk in rows]
        for part, ids in open_ids.items()
    }
    evaluations = (
        Evaluation.objects.filter(inspector=inspector, submitted_at__isnull=False)
        .exclude(state=EvaluationState.DRAFT)
        .select_related("sample__agent", "sample__contact")
        .only("state", "score", "sample_id", *(f"sample__{field}" for field in ROW_FIELDS))
        .order_by("-submitted_at", "-pk")[:done_limit]
    )
    done = []
    for evaluation in evaluations:
        sample = evaluation.sample
        sample.evaluation = evaluation  # the row links to it without another query
        done.append(sample)
    # Labels looked up once per page, not through get_FOO_display per row (measured:
    # half the page's time with a hundred rows).
    channels, reasons = dict(Channel.choices), dict(SampleReason.choices)
    states = dict(EvaluationState.choices)
    for sample in [*parts["overdue"], *parts["due"], *parts["later"], *done]:
        begun = getattr(sample, "evaluation", None)
        sample.labels = {  # type: ignore[attr-defined]
            "channel": channels.get(sample.channel, sample.channel),
            "reason": reasons.get(sample.reason, sample.reason),
            "state": states.get(begun.state, "") if begun else "",
        }
    return Worklist(
        overdue=parts["overdue"],
        due=parts["due"],
        later=parts["later"],
        done=done,
        week_ends=week_ends,
        counts={part: len(ids) for part, ids in open_ids.items()},
    )


def scored(evaluations: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    return evaluations.exclude(state=EvaluationState.DRAFT).filter(score__isnull=False)


@dataclass
class AgentScores:
    agent: User
    count: int
    average: Decimal | None
    failed: int
    critical: int
    lines: dict[str, Decimal]


def team_scores(user: User, team: Team, month: date) -> list[AgentScores]:
    """Per agent of the team: evaluations, average, failures, and each line's average
    (as a share of its maximum, in %), for the month; four queries whatever the size."""
    base = scored(evaluations_visible_to(user)).filter(
        agent__agent__team=team, month=month.replace(day=1)
    )
    per_agent: dict[int, dict[str, Any]] = {
        row["agent_id"]: dict(row)
        for row in base.values("agent_id").annotate(
            n=Count("pk"),
            average=Avg("score"),
            failed=Count("pk", filter=Q(passed=False)),
            critical=Count("pk", filter=Q(critical_failed=True)),
        )
    }
    # Each evaluation's latest scoring counts (a revision replaces the inspector's).
    line_rows = (
        LineScore.objects.filter(scoring__evaluation__in=base.values("pk"))
        .filter(_latest_scoring())
        .values("scoring__evaluation__agent_id", "line__name", "line__max_points")
        .annotate(points=Avg("points"))
    )
    lines: dict[int, dict[str, Decimal]] = {}
    for row in line_rows:
        share = Decimal(row["points"]) / row["line__max_points"] * 100
        lines.setdefault(row["scoring__evaluation__agent_id"], {})[row["line__name"]] = share
    people = User.objects.filter(agent__team=team, is_active=True).order_by("username")
    return [
        AgentScores(
            agent=person,
            count=per_agent.get(person.pk, {}).get("n", 0),
            average=per_agent.get(person.pk, {}).get("average"),
            failed=per_agent.get(person.pk, {}).get("failed", 0),
            critical=per_agent.get(person.pk, {}).get("critical", 0),
            lines=lines.get(person.pk, {}),
        )
        for person in people
    ]


def _latest_scoring() -> Combinable:
    """A line score of its evaluation's latest scoring: no later scoring exists. (An
    anti-join, which PostgreSQL plans as one; comparing with the highest number per
    evaluation ran a grouped subquery per row: about 26 ms of the team QA page
    against 18 ms.)"""
    return ~Exists(
        Scoring.objects.filter(
            evaluation_id=OuterRef("scoring__evaluation_id"),
            number__gt=OuterRef("scoring__number"),
        )
    )


def monthly_trend(evaluations: QuerySet[Evaluation], months: int = 6) -> list[dict]:
    """Average score and count per month, oldest first, for the last `months` months."""
    rows = (
        scored(evaluations)
        .values("month")
        .annotate(average=Avg("score"), n=Count("pk"))
        .order_by("-month")[:months]
    )
    return list(reversed(list(rows)))


def teams_for(user: User) -> QuerySet[Team]:
    """The teams whose scores this person may see: all for QA, their own for a lead."""
    teams = Team.objects.filter(is_active=True, agents__isnull=False).distinct()
    if user.has_perm(SEE_ALL):
        return teams.order_by("name")
    return teams.filter(lead_id=user.pk).order_by("name")


def shortfalls(month: date) -> QuerySet[SamplingShortfall]:
    return SamplingShortfall.objects.filter(month=month.replace(day=1)).select_related("agent")


def scorecards() -> QuerySet[Scorecard]:
    return Scorecard.objects.prefetch_related("versions__lines").order_by("name")


def scorecard_overview() -> QuerySet[Scorecard]:
    """Every scorecard with its latest version's number and effective date and how
    many evaluations were scored on any of its versions: one query."""
    latest = ScorecardVersion.objects.filter(scorecard_id=OuterRef("pk")).order_by("-number")
    return Scorecard.objects.annotate(
        version=Subquery(latest.values("number")[:1]),
        effective_from=Subquery(latest.values("effective_from")[:1]),
        evaluated=Count("versions__evaluations"),
    ).order_by("name")


def scorecard_latest(scorecard: Scorecard) -> ScorecardVersion | None:
    """The scorecard's latest version with its lines, and (as `evaluated`) how many
    evaluations were scored on it."""
    return (
        scorecard.versions.annotate(evaluated=Count("evaluations"))
        .prefetch_related(Prefetch("lines", ScorecardLine.objects.order_by("position")))
        .order_by("-number")
        .first()
    )


def contact_hits(contact_id: int) -> list[CheckHit]:
    return list(
        CheckHit.objects.filter(check_row__contact_id=contact_id)
        .select_related("rule")
        .order_by("line", "start")
    )


def transcript_lines(transcript: str, hits: list[CheckHit]) -> list[tuple[int, str, list]]:
    """The transcript's lines, numbered as the checks number them, each with its hits."""
    by_line: dict[int, list[CheckHit]] = {}
    for hit in hits:
        by_line.setdefault(hit.line, []).append(hit)
    lines = [line for line in (transcript or "").splitlines() if line.strip()]
    return [(n, line, by_line.get(n, [])) for n, line in enumerate(lines, start=1)]


@dataclass
class HitRates:
    rules: list[CheckRule]
    rows: list[tuple[User, int, list[Decimal]]]


def hit_rates(month: date) -> HitRates:
    """Per agent, over every checked contact of the month (not just the sample): how many
    contacts were checked and, for each rule, the share of them with a hit, in %.
    Three queries whatever the numbers."""
    month = month.replace(day=1)
    checked = dict(
        ContactCheck.objects.filter(month=month, agent__isnull=False)
        .values("agent_id")
        .annotate(n=Count("pk"))
        .values_list("agent_id", "n")
        .order_by()
    )
    with_hits: dict[tuple[int, int], int] = {
        (row["check_row__agent_id"], row["rule_id"]): row["n"]
        for row in CheckHit.objects.filter(check_row__month=month, check_row__agent__isnull=False)
        .values("check_row__agent_id", "rule_id")
        .annotate(n=Count("check_row_id", distinct=True))
        .order_by()
    }
    rules = list(CheckRule.objects.order_by("name"))
    people = User.objects.filter(pk__in=list(checked)).order_by("username")
    rows = []
    for person in people:
        total = checked[person.pk]
        rows.append(
            (
                person,
                total,
                [Decimal(with_hits.get((person.pk, rule.pk), 0) * 100) / total for rule in rules],
            )
        )
    return HitRates(rules=rules, rows=rows)


def calibration_sessions(user: User) -> QuerySet[CalibrationSession]:
    """The QA lead sees every session; an inspector those they were invited to."""
    sessions = CalibrationSession.objects.select_related("created_by", "contact")
    if user.has_perm(MANAGE):
        return sessions
    if user.has_perm(EVALUATE):
        return sessions.filter(inspectors=user)
    return sessions.none()


@dataclass
class LineSpread:
    line: ScorecardLine
    points: list[int | None]  # in the order of CalibrationResults.entries
    mean: Decimal | None
    spread: int | None  # highest minus lowest


@dataclass
class CalibrationResults:
    entries: list[CalibrationEntry]
    lines: list[LineSpread]
    consensus: Decimal | None  # the mean score
    deviations: list[Decimal]  # each entry's score minus the consensus
    line_deviations: list[Decimal]  # each entry's mean absolute deviation from line means


def calibration_results(session: CalibrationSession) -> CalibrationResults:
    """Each line's spread and each inspector's deviation from the consensus (the mean)."""
    entries = list(session.entries.select_related("inspector").order_by("submitted_at", "pk"))
    lines = list(session.scorecard_version.lines.order_by("position"))
    spreads = []
    for line in lines:
        values = [entry.points.get(str(line.pk)) for entry in entries]
        given = [v for v in values if v is not None]
        spreads.append(
            LineSpread(
                line=line,
                points=values,
                mean=(Decimal(sum(given)) / len(given)).quantize(Decimal("0.01"))
                if given
                else None,
                spread=(max(given) - min(given)) if given else None,
            )
        )
    if not entries:
        return CalibrationResults(entries, spreads, None, [], [])
    consensus = (sum((e.score for e in entries), Decimal()) / len(entries)).quantize(
        Decimal("0.01")
    )
    line_deviations = []
    for index, _entry in enumerate(entries):
        gaps = []
        for spread in spreads:
            mark = spread.points[index]
            if mark is not None and spread.mean is not None:
                gaps.append(abs(Decimal(mark) - spread.mean))
        line_deviations.append(
            (sum(gaps, Decimal()) / len(gaps)).quantize(Decimal("0.01")) if gaps else Decimal()
        )
    return CalibrationResults(
        entries=entries,
        lines=spreads,
        consensus=consensus,
        deviations=[(e.score - consensus).quantize(Decimal("0.01")) for e in entries],
        line_deviations=line_deviations,
    )


def coaching_visible_to(user: User) -> QuerySet[CoachingTask]:
    """The QA lead sees every task; a team lead their teams'; an agent their own."""
    tasks = CoachingTask.objects.select_related("agent", "created_by", "evaluation")
    if user.has_perm(MANAGE):
        return tasks
    led = Team.objects.filter(lead_id=user.pk).values("pk")
    return tasks.filter(Q(agent_id=user.pk) | Q(agent__agent__team__in=led))


def plans_visible_to(user: User) -> QuerySet[TrainingPlan]:
    """Centre-wide plans for everyone; a team's for its people, its lead and QA."""
    plans = TrainingPlan.objects.select_related("team", "created_by").annotate(
        linked=Count("evaluations")
    )
    if user.has_perm(SEE_ALL):
        return plans
    own = Team.objects.filter(Q(lead_id=user.pk) | Q(agents__user_id=user.pk)).values("pk")
    return plans.filter(Q(team__isnull=True) | Q(team__in=own))


def plan_candidates(user: User, month: date) -> QuerySet[Evaluation]:
    """Evaluations a plan may cite: the month's failed ones this person sees."""
    return (
        scored(evaluations_visible_to(user))
        .filter(month=month.replace(day=1), passed=False)
        .select_related("agent")
        .order_by("agent__username", "pk")
    )


@dataclass
class TeamSummary:
    team: str
    count: int
    average: Decimal | None
    pass_rate: Decimal | None
    critical: int
    disputed: int
    upheld: int
    revised: int


def centre_summary(month: date) -> tuple[list[TeamSummary], list[tuple[str, Decimal]]]:
    """The month's QA by team (evaluations, average, pass rate, critical failures,
    disputes and their outcome) and by scorecard line; three queries."""
    base = Evaluation.objects.exclude(state=EvaluationState.DRAFT).filter(
        month=month.replace(day=1), score__isnull=False
    )
    # A revision is a second scoring, whatever state the evaluation has reached since.
    revision = Scoring.objects.filter(evaluation_id=OuterRef("pk"), number__gt=1)
    rows = (
        base.annotate(was_revised=Exists(revision))
        .values("agent__agent__team__name")
        .annotate(
            n=Count("pk"),
            average=Avg("score"),
            passed_n=Count("pk", filter=Q(passed=True)),
            critical=Count("pk", filter=Q(critical_failed=True)),
            disputed=Count("pk", filter=Q(disputed_at__isnull=False)),
            upheld=Count("pk", filter=Q(decided_at__isnull=False, was_revised=False)),
            revised=Count("pk", filter=Q(was_revised=True)),
        )
        .order_by("agent__agent__team__name")
    )
    teams = [
        TeamSummary(
            team=row["agent__agent__team__name"] or "—",
            count=row["n"],
            average=row["average"],
            pass_rate=(Decimal(row["passed_n"] * 100) / row["n"]) if row["n"] else None,
            critical=row["critical"],
            disputed=row["disputed"],
            upheld=row["upheld"],
            revised=row["revised"],
        )
        for row in rows
    ]
    return teams, line_averages(base)


def line_averages(evaluations: QuerySet[Evaluation]) -> list[tuple[str, Decimal]]:
    """Each scorecard line's average over these evaluations' latest scorings, as a share
    of the line's maximum in %, critical lines left out: one query."""
    return [
        (row["line__name"], Decimal(row["points"]) / row["line__max_points"] * 100)
        for row in LineScore.objects.filter(scoring__evaluation__in=evaluations.values("pk"))
        .filter(_latest_scoring(), line__is_critical=False)
        .values("line__name", "line__max_points", "line__position")
        .annotate(points=Avg("points"))
        .order_by("line__position")
    ]
