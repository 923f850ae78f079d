"""Demo data for quality assurance (issue 17): last month's and this month's samples from
the demo contacts, recordings and transcripts on the sampled calls, and evaluations in
every state, with a dispute waiting for the team lead. Called from seed_demo."""

from datetime import timedelta

from django.utils import timezone

from intake.models import Contact
from intake.services import contact_recording_attach
from quality import services
from quality.models import Evaluation, Sample
from staffing.models import User
from staffing.roles import Role
from staffing.services import agent_create

TRANSCRIPTS = (
    "坐席：您好，很高兴为您服务，请问有什么可以帮您？\n客户：我想查一下这个月的话费。\n"
    "坐席：好的，请您稍等，正在为您查询。本月话费 86.5 元，其中流量费 20 元。\n"
    "客户：好的，谢谢。\n坐席：请问还有其他可以帮您的吗？感谢您的来电，再见。",
    "坐席：您好，请讲。\n客户：我家宽带又断了，已经第三次了！\n坐席：非常抱歉给您带来不便，"
    "我马上为您登记障碍申告，维修人员会在 24 小时内联系您。\n客户：尽快吧。\n"
    "坐席：好的，感谢您的耐心，再见。",
    "坐席：喂？\n客户：我要开通国际漫游。\n坐席：开不了，你欠费了。\n客户：那怎么办？\n坐席：先交钱。",
)


def _points(evaluation: Evaluation, low: bool = False, critical: bool = False) -> dict[int, int]:
    points = {}
    for line in evaluation.scorecard_version.lines.order_by("position"):
        if line.is_critical:
            points[line.pk] = 0 if critical else line.max_points
        else:
            points[line.pk] = 6 if low else 8 + line.position % 3
    return points


def _attach_recordings(samples: list[Sample]) -> None:
    for n, sample in enumerate(samples):
        contact = sample.contact
        if contact.recording_url or contact.channel not in ("hotline", "online_chat"):
            continue
        # As the CTI would post them; the recording URLs are the CTI's (none plays offline).
        hotline = contact.channel == "hotline"
        contact_recording_attach(
            contact,
            recording_url=f"https://cti.example.com/recordings/{contact.pk}.mp3"
            if hotline
            else None,
            recording_seconds=120 + (n * 37) % 400 if hotline else None,
            transcript=TRANSCRIPTS[n % len(TRANSCRIPTS)],
        )


def _evaluate(sample: Sample, **kwargs) -> Evaluation | None:
    inspector = sample.inspector
    if inspector is None or hasattr(sample, "evaluation"):
        return None
    evaluation = services.evaluation_start(sample, by=inspector)
    return services.evaluation_submit(
        evaluation,
        by=inspector,
        points=_points(evaluation, **kwargs),
        overall_comment="服务流程完整，语气亲切。" if not kwargs else "服务用语不规范，需加强。",
        coaching_note="" if not kwargs else "复习服务用语规范，下周班长跟进。",
    )


def seed_quality(users: dict[str, User]) -> int:
    """Samples and evaluations, once; returns how many evaluations were created."""
    if Evaluation.objects.exists() or not Contact.objects.exists():
        return 0
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    for month in (last_month, this_month):
        services.sampling_build(month, today=today)
    samples = list(
        Sample.objects.select_related("contact", "agent", "inspector").order_by("month", "pk")
    )
    _attach_recordings(samples)
    agent, lead, manager = users["agent"], users["lead"], users["manager"]
    created = 0
    # Last month: evaluated, answered and closed (the trend's first point).
    for n, sample in enumerate(s for s in samples if s.month == last_month):
        evaluation = _evaluate(sample, low=n % 5 == 0)
        if evaluation is not None:
            services.evaluation_close(evaluation)
            created += 1
    current = [s for s in samples if s.month == this_month]
    mine = [s for s in current if s.agent_id == agent.pk]
    others = [s for s in current if s.agent_id != agent.pk]
    # The demo agent: one to answer, one disputed (the lead decides), one revised, one closed.
    for sample, state in zip(mine, ("submitted", "disputed", "revised", "closed"), strict=False):
        evaluation = _evaluate(sample, low=state in ("disputed", "revised"))
        if evaluation is None:
            continue
        created += 1
        if state in ("disputed", "revised"):
            services.evaluation_dispute(
                evaluation, by=agent, reason="客户需求我已复述确认，录音 2 分钟处可听到。"
            )
        if state == "revised":
            services.evaluation_revise(
                evaluation,
                by=lead,
                points=_points(evaluation),
                note="复听录音，需求归纳到位，改判。",
            )
        if state == "closed":
            services.evaluation_acknowledge(evaluation, by=agent)
            services.evaluation_close(evaluation)
    # Everyone else: a spread of states, one critical failure and one upheld dispute; the
    # last few stay on the inspector's worklist, one of them begun as a draft.
    waiting = others[max(0, len(others) - 6) :]
    if waiting and waiting[0].inspector is not None:
        services.evaluation_start(waiting[0], by=waiting[0].inspector)
        created += 1
    for n, sample in enumerate(others[: max(0, len(others) - 6)]):
        state = ("submitted", "acknowledged", "closed", "upheld", "critical")[n % 5]
        evaluation = _evaluate(sample, critical=state == "critical", low=state == "upheld")
        if evaluation is None:
            continue
        created += 1
        if state == "acknowledged":
            services.evaluation_acknowledge(evaluation, by=sample.agent)
        elif state == "closed":
            services.evaluation_acknowledge(evaluation, by=sample.agent)
            services.evaluation_close(evaluation)
        elif state == "upheld":
            services.evaluation_dispute(evaluation, by=sample.agent, reason="我认为语气没有问题。")
            services.evaluation_uphold(evaluation, by=manager, note="复听后维持原评分。")
    _calibration(users)
    _coaching(users, this_month)
    services.transcripts_check()  # the automatic checks' hits and rates, at once
    return created


def _coaching(users: dict[str, User], month) -> None:
    """A coaching task from the demo agent's revised evaluation and the team's plan."""
    agent, lead = users["agent"], users["lead"]
    low = list(
        Evaluation.objects.filter(month=month, agent__agent__team=agent.agent.team, passed=False)
        .exclude(state="draft")
        .order_by("pk")[:5]
    )
    mine = (
        next((e for e in low if e.agent_id == agent.pk), None)
        or Evaluation.objects.filter(agent=agent, month=month).exclude(state="draft").first()
    )
    if mine is None:
        return
    services.coaching_create(
        mine,
        by=lead,
        what="复习客户需求归纳的三步法，下周随机复听两通电话。",
        due_on=timezone.localdate() + timedelta(days=7),
    )
    services.training_plan_create(
        by=lead,
        month=month,
        team=agent.agent.team,
        title="服务用语与需求归纳专项培训",
        content="每周二 17:30 班组例会后 30 分钟：复听本月低分录音，逐句对照服务用语规范。",
        evaluations=low,
    )


def _second_inspector(qa: User) -> User:
    """A second QA inspector in the QA team, so calibration has two to compare."""
    found = User.objects.filter(username="qa02").first()
    if found is not None:
        return found
    team = qa.agent.team
    agent = agent_create(
        username="qa02",
        employee_number="CSCQA02",
        team=team,
        roles=[Role.QA_INSPECTOR],
        first_name="娟",
        last_name="杜",
        email="qa02@csc.example.cn",
    )
    agent.user.password = qa.password  # the demo password, as every demo login
    agent.user.save(update_fields=["password"])
    return agent.user


def _calibration(users: dict[str, User]) -> None:
    """A session on a recorded call: the second inspector has scored, `qa` has not yet
    (their scoring is blind until they give it)."""
    qa, manager = users.get("qa"), users["manager"]
    recorded = Sample.objects.exclude(contact__recording_url="").select_related("contact").first()
    if qa is None or recorded is None or not hasattr(qa, "agent"):
        return
    other = _second_inspector(qa)
    session = services.calibration_create(
        title="本月服务用语校准", contact=recorded.contact, inspectors=[qa, other], by=manager
    )
    points = {
        line.pk: (line.max_points if line.is_critical else 7 + line.position % 3)
        for line in session.scorecard_version.lines.all()
    }
    services.calibration_score(session, by=other, points=points)
