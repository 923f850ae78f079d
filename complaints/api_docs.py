"""The API documentation of complaints and outage clusters (complaints/api.py), applied
by its decorators."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter

from staffing.api_schema import (
    NO_VERSION,
    error_body,
    operation,
    refusal,
    request_body,
    response_body,
    viewset_actions,
)
from worktickets.api_docs import CUSTOMER, ZHANG_WEI

# ---------------------------------------------------------------- examples

WANG_FANG = {"id": 3, "username": "handler", "name": "王芳"}
CHEN_JING = {"id": 5, "username": "legal", "name": "陈静"}
ZHAO_MIN = {"id": 7, "username": "manager", "name": "赵敏"}
TECH = {"id": 6, "name": "技术支持组", "kind": "tech_support"}
CONTENT = "客户反映家中宽带近三天每晚 8 点后频繁掉线，重启光猫无效，影响居家办公。"

COMPLAINT_ROW = {
    "id": 52801,
    "number": "T20250603-000801",
    "kind": "complaint",
    "tier": "complaint",
    "category": "service_fault",
    "subcategory": "broadband_down",
    "severity": "normal",
    "support_level": 1,
    "is_major": False,
    "major_reasons": [],
    "status": "new",
    "status_category": "open",
    "priority": 3,
    "channel": "hotline",
    "subject": "宽带连续三天晚间断网",
    "customer": CUSTOMER,
    "team": TECH,
    "collaborating_team": None,
    "assignee": None,
    "first_contact_agent": ZHANG_WEI,
    "region": "urban",
    "area": "朝阳区",
    "service_type": "broadband",
    "parent": None,
    "parent_number": None,
    "cluster": None,
    "recurrence_of": None,
    "recurrence_count": 0,
    "created_at": "2025-06-03T14:20:05+08:00",
    "sla_due_at": "2025-06-04T18:00:00+08:00",
    "version": 1,
}


def _clock(metric: str, due_at: str) -> dict:
    return {
        "metric": metric,
        "state": "running",
        "started_at": "2025-06-03T14:20:05+08:00",
        "due_at": due_at,
        "met_at": None,
        "breached_at": None,
        "at_risk": False,
    }


RECORDED_LINES = [
    {
        "id": 419020,
        "kind": "created",
        "at": "2025-06-03T14:20:05+08:00",
        "actor": ZHANG_WEI,
        "from_status": "",
        "to_status": "",
        "body": CONTENT,
        "text": CONTENT,
        "message": None,
        "is_customer_facing": False,
        "data": {
            "complaint_event": "recorded",
            "to_status": "new",
            "tier": "complaint",
            "category": "service_fault",
        },
    },
    {
        "id": 419021,
        "kind": "note",
        "at": "2025-06-03T14:20:05+08:00",
        "actor": ZHANG_WEI,
        "from_status": "",
        "to_status": "",
        "body": "已分派至 技术支持组（服务故障 → 技术支持）。",
        "text": "已分派至 技术支持组（服务故障 → 技术支持）。",
        # A generated line keeps its message key and parameters: the text is rendered
        # in the language of each request.
        "message": {
            "key": "Routed to %(team)s (%(rule)s).",
            "params": {"team": "技术支持组", "rule": "服务故障 → 技术支持"},
        },
        "is_customer_facing": False,
        "data": {"complaint_event": "routed", "team": "技术支持组", "rule": 1},
    },
]
COMPLAINT = {
    **COMPLAINT_ROW,
    "content": CONTENT,
    "customer_name": "张建国",
    "contact_phone": "139****6721",
    "regulator_reference": "",
    "service_number": "KD0******8830",
    "agent_concerned": None,
    "media_involved": False,
    "regulator_involved": False,
    "leadership_notified_at": None,
    "promised_repair_at": "2025-06-04T12:00:00+08:00",
    "repaired_at": None,
    "accepted_at": None,
    "evidence_completed_at": None,
    "evidence_head": "0" * 64,
    "customer_response": "",
    "clocks": [
        _clock("complaint_acceptance", "2025-06-04T18:00:00+08:00"),
        _clock("complaint_investigation", "2025-06-06T18:00:00+08:00"),
        _clock("complaint_feedback", "2025-06-10T18:00:00+08:00"),
        _clock("complaint_overall", "2025-06-18T14:20:05+08:00"),
        _clock("repair", "2025-06-05T02:20:05+08:00"),
    ],
    "compensations": [],
    "feedback": [],
    "escalations": [],
    "extensions": [],
    "evidence": [],
    "timeline": RECORDED_LINES,
    "allowed_actions": [
        "accept",
        "escalate",
        "approve_compensation",
        "request_extension",
        "extend",
        "record_repair",
    ],
}
NEW_COMPLAINT = {
    "channel": "hotline",
    "category": "service_fault",
    "subcategory": "broadband_down",
    "customer": 1024,
    "contact": 90640,
    "subject": "宽带连续三天晚间断网",
    "content": CONTENT,
    "service_type": "broadband",
    "service_number": "KD010088308830",
    "area": "朝阳区",
    "promised_repair_at": "2025-06-04T12:00:00+08:00",
    "first_contact_agent": 1,
}
APPEAL = {
    "channel": "web",
    "kind": "appeal",
    "parent_number": "T20250520-000412",
    "regulator_reference": "GXB-2025-110-08817",
    "content": "客户不认可 5 月 20 日投诉的处理结果，已向工信部申诉受理中心申诉。",
}
INVESTIGATING = {
    "status": "investigating",
    "assignee": WANG_FANG,
    "accepted_at": "2025-06-03T15:02:44+08:00",
}
COMPENSATION = {
    "id": 3071,
    "kind": "fee_credit",
    "amount": "30.00",
    "remedy": "",
    "reason": "断网三天，按日租减免宽带月费",
    "status": "proposed",
    "needs_manager": False,
    "threshold": "500.00",
    "proposed_by": WANG_FANG,
    "proposed_at": "2025-06-04T10:12:30+08:00",
    "decisions": [],
    "next_decision": {
        "stage": "market_legal",
        "deciders": [CHEN_JING],
        "due_at": "2025-06-10T18:00:00+08:00",
    },
}
FEEDBACK = {
    "id": 2210,
    "cause": "小区分光器端口老化，晚高峰时光衰过大导致掉线",
    "measures": "6 月 4 日更换分光器端口并重新熔接尾纤，连续观察 24 小时无掉线",
    "compensation": "减免当月宽带费 30.00 元",
    "rectification": "对该小区分光器开展专项巡检",
    "follow_up": "7 日后回访客户确认网络稳定",
    "channel": "sms",
    "sent_by": WANG_FANG,
    "sent_at": "2025-06-05T16:40:00+08:00",
    "due_at": "2025-06-10T18:00:00+08:00",
    "on_time": True,
    "outbox_message": 77512,
    "cluster": None,
    "response": "",
    "response_note": "",
    "responded_at": None,
}
NOT_AUDIO = "call.mp3 的内容不是 MP3 文件，与文件名不符。"

EVIDENCE = {
    "id": 611,
    "seq": 1,
    "kind": "call_recording",
    "title": "6 月 3 日客户来电录音",
    "original_name": "20250603-142005-13912346721.mp3",
    "size": 1843200,
    "content_type": "audio/mpeg",
    "sha256": "9f2c4e1b7a05d3c8e6f1a2b4c7d9e0f13a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d",
    "prev_hash": "0" * 64,
    "chain_hash": "4b8e2d6f0a1c3e5d7f9b1a3c5e7d9f0b2a4c6e8d0f1b3a5c7e9d1f3b5a7c9e0d",
    "supersedes": None,
    "note": "",
    "uploaded_by": WANG_FANG,
    "uploaded_at": "2025-06-03T15:10:12+08:00",
}
STALE = error_body(
    "StaleVersion",
    _("Someone changed the complaint since you read it"),
    {
        "detail": "工单 T20250603-000801 在您打开后已被 王芳 修改（当前版本 3，您的版本 2）。"
        "请刷新后重试。",
        "code": "stale_version",
        "current_version": 3,
    },
)
ILLEGAL = error_body(
    "IllegalTransition",
    _("The stage does not allow the action"),
    {
        "detail": "投诉 T20250603-000801 当前处于“新建”，不能执行“开始调查”。",
        "code": "illegal_transition",
        "status": "new",
        "allowed": COMPLAINT["allowed_actions"],
    },
)
ROLE = _("A signed-in user whose role may not take this action.")
ROLE_REFUSED = error_body(
    "RoleMayNot", _("A role without the permission"), {"detail": "您的角色不能进行此操作。"}
)


def after(complaint: dict, line: dict | None, **changes) -> dict:
    """The complaint as an action leaves it: one version on, maybe one more timeline line."""
    lines = complaint["timeline"]
    if line is not None:
        base = {"id": 419040, "at": "2025-06-04T10:12:30+08:00", "actor": WANG_FANG}
        base |= {"from_status": "", "to_status": "", "body": "", "is_customer_facing": False}
        lines = [
            *lines,
            {"text": line.get("body", ""), "message": None, **base, "data": {}, **line},
        ]
    return {**complaint, "version": complaint["version"] + 1, "timeline": lines, **changes}


def _moved(frm: str, to: str, body: str = "") -> dict:
    return {"kind": "status_changed", "from_status": frm, "to_status": to, "body": body}


# ---------------------------------------------------------------- list, record, read

ORDERING = _("-created_at (default), created_at, or due (nearest deadline first; none last).")


def complaint_operations(
    *,
    row,
    detail,
    create,
    evidence,
    evidence_upload,
    chain_report,
    recurrence_row,
    orderings: list[str],
) -> dict:
    """The ComplaintViewSet's operations but its stage actions (`action_operation`)."""
    return {
        "list": operation(
            summary=_("List complaints"),
            description=_(
                "Newest first unless `ordering` says otherwise, 50 to a page (`page_size` up "
                "to 200), paged by `cursor`. Filter by stage, category, subcategory, tier, "
                "severity, support level, channel, region, service, team, assignee, "
                "customer, outage cluster, appealed complaint, number, creation time, and "
                "whether it is major, open, overdue or a recurrence. An API client sees "
                "every complaint; a signed-in person those "
                "their rule covers (handling group, assignee, first-contact agent, "
                "leadership for major ones). Phone numbers are masked."
            ),
            parameters=[OpenApiParameter("ordering", str, enum=orderings, description=ORDERING)],
            responses={200: row(many=True)},
            errors={
                400: refusal(
                    _("A filter value that is refused."),
                    error_body(
                        "UnknownCategory",
                        _("A category that does not exist"),
                        {"category": ["选择一个有效的选项。 network 不在可用的选项中。"]},
                    ),
                )
            },
            examples=[response_body("Complaint", _("A new service fault"), COMPLAINT_ROW)],
        ),
        "create": operation(
            summary=_("Record a complaint or an appeal"),
            description=_(
                "Records a complaint from any channel and routes it to its handling group by "
                "category (the service-quality complaint about an agent goes to that "
                "agent's team lead). The acceptance, investigation, feedback and overall "
                "deadlines start at once, as the SLA policy matching it sets them (tighter for "
                "VIP customers). A service fault names "
                "the affected service and the repair time promised to the customer, within "
                "the repair limit of its service and region. An appeal (`kind: appeal`) names "
                "the complaint it appeals (`parent` or `parent_number`) or the regulator's "
                "reference, and takes that complaint's category. The customer is found by "
                "`customer` or `contact`; the answer is the complaint with its deadlines "
                "and timeline."
            ),
            request=create,
            responses={201: detail},
            errors={
                400: refusal(
                    _(
                        "A field is missing or refused, or a rule refuses the complaint: no "
                        "category, a subcategory of another category, no way to reach the "
                        "customer, a service fault without service or promised repair time "
                        "or with one past the repair limit, an appeal naming nothing or "
                        "another customer's complaint, no handling group for the category "
                        "(`no_handling_group`)."
                    ),
                    error_body(
                        "RepairTimeMissing",
                        _("A service fault without a promised repair time"),
                        {
                            "detail": "请告知客户预计修复时间（不晚于 2025-06-05 02:20）。",
                            "code": "required",
                            "promised_repair_at": [
                                "请告知客户预计修复时间（不晚于 2025-06-05 02:20）。"
                            ],
                        },
                    ),
                    error_body(
                        "NoContact",
                        _("No way to reach the customer"),
                        {
                            "detail": "请填写客户的联系方式：电话、邮箱或通信地址。",
                            "code": "required",
                            "contact_phone": ["请填写客户的联系方式：电话、邮箱或通信地址。"],
                        },
                    ),
                ),
                403: refusal(_("A signed-in user without complaints.add_complaint."), ROLE_REFUSED),
            },
            examples=[
                request_body(
                    "ServiceFault", _("A broadband fault from the hotline"), NEW_COMPLAINT
                ),
                request_body("Appeal", _("An appeal through the regulator"), APPEAL),
                response_body("Recorded", _("The complaint, routed"), COMPLAINT, 201),
            ],
        ),
        "retrieve": operation(
            summary=_("Get a complaint"),
            description=_(
                "The complaint with its deadlines, compensations, results given, "
                "escalations, extensions, evidence and timeline, and `allowed_actions`: the "
                "actions its stage allows now. Contact and service numbers come masked "
                "unless the service user holds intake.view_full_personal_data (each full "
                "view is recorded)."
            ),
            responses={200: detail},
            examples=[response_body("Complaint", _("A service fault just recorded"), COMPLAINT)],
        ),
        "evidence": [
            operation(
                methods=["GET"],
                operation_id="complaints_evidence_list",
                summary=_("List a complaint's evidence"),
                description=_(
                    "The evidence chain in order: each entry carries the SHA-256 of its file "
                    "and a chain hash over the previous entry's, so any change shows."
                ),
                responses={200: evidence(many=True)},
                examples=[response_body("Evidence", _("A call recording"), EVIDENCE)],
            ),
            operation(
                methods=["POST"],
                operation_id="complaints_evidence_upload",
                summary=_("Add evidence to a complaint"),
                description=_(
                    "Uploads one file (multipart/form-data) and appends it to the complaint's "
                    "evidence chain; the answer carries its SHA-256 and chain hash. An entry "
                    "is never replaced: `supersedes` names the entry number a corrected file "
                    "stands in for. Files above the configured size (evidence_max_megabytes, "
                    "200 MB by default) are refused while they stream."
                ),
                request={"multipart/form-data": evidence_upload},
                responses={201: evidence},
                errors={
                    400: refusal(
                        _(
                            "No file, an empty file, an unknown kind, or a `supersedes` that "
                            "names no entry or one already superseded."
                        ),
                        error_body(
                            "EmptyFile",
                            _("An empty file"),
                            {"detail": "文件为空。", "code": "empty", "file": ["文件为空。"]},
                        ),
                        error_body(
                            "NotARecording",
                            _(
                                "A program renamed .mp3 as a call recording: each kind accepts "
                                "its file types (`file_type`), checked by the file's content "
                                "(`file_content`)"
                            ),
                            {
                                "detail": NOT_AUDIO,
                                "code": "file_content",
                                "file": [NOT_AUDIO],
                            },
                        ),
                    ),
                    403: refusal(
                        _("A signed-in user without complaints.handle_complaint."), ROLE_REFUSED
                    ),
                    409: refusal(
                        _("The complaint is closed and archived (`illegal_transition`)."),
                        error_body(
                            "Archived",
                            _("A closed complaint"),
                            {
                                "detail": "投诉已归档；如需添加证据请先重新处理。",
                                "code": "illegal_transition",
                            },
                        ),
                    ),
                    413: refusal(
                        _("The file is larger than the evidence limit (`too_large`)."),
                        error_body(
                            "TooLarge",
                            _("A 350 MB video"),
                            {
                                "detail": "文件超过 200 MB。",
                                "code": "too_large",
                                "file": ["文件超过 200 MB。"],
                            },
                        ),
                    ),
                },
                examples=[
                    request_body(
                        "CallRecording",
                        _("The recording of the customer's call"),
                        {"file": "(binary)", "kind": "call_recording", "title": EVIDENCE["title"]},
                        media_type="multipart/form-data",
                    ),
                    response_body("Added", _("The new entry of the chain"), EVIDENCE, 201),
                ],
            ),
        ],
        "evidence_verify": operation(
            operation_id="complaints_evidence_verify",
            summary=_("Verify a complaint's evidence chain"),
            description=_(
                "Recomputes every entry's hashes from its stored record and file and says "
                "whether the chain holds; if not, the first entry that fails and why "
                "(record_changed, link_broken, file_changed, file_missing or "
                "entry_missing). Files removed by retention keep their entry and verify."
            ),
            responses={200: chain_report},
            examples=[
                response_body(
                    "Intact",
                    _("An intact chain"),
                    {
                        "complaint": "T20250603-000801",
                        "ok": True,
                        "entries": 3,
                        "first_bad_seq": None,
                        "first_bad_id": None,
                        "problem": "",
                        "problem_code": "",
                        "message": "T20250603-000801 的证据链完整（共 3 条）。",
                    },
                )
            ],
        ),
        "recurrence_rate": operation(
            operation_id="complaints_recurrence_rate",
            summary=_("Complaint recurrence rate by month and category"),
            description=_(
                "For each month and category: complaints received, how many were "
                "recurrences (the same customer and category again within the recurrence "
                "window, 30 days by default), and their rate. Appeals and upgraded "
                "complaints are not counted. A signed-in user needs "
                "complaints.view_leadership_board."
            ),
            parameters=[
                OpenApiParameter("months", int, description=_("How many months back (1–36, 12)."))
            ],
            responses={200: recurrence_row(many=True)},
            errors={
                400: refusal(
                    _("`months` is not a whole number."),
                    error_body(
                        "NotANumber",
                        _("Months that is no number"),
                        {"months": ["请填写整数月数。"]},
                    ),
                ),
                403: refusal(
                    _("A signed-in user without complaints.view_leadership_board."), ROLE_REFUSED
                ),
            },
            examples=[
                response_body(
                    "Billing",
                    _("Billing complaints in May"),
                    {
                        "month": "2025-05-01",
                        "category": "billing",
                        "complaints": 412,
                        "recurrences": 23,
                        "rate": 0.0558,
                    },
                )
            ],
        ),
    }


# ---------------------------------------------------------------- stage actions

DECIDED_BY_SERVICE = _(
    "Any role that sees the complaint may try it; the service decides who may (it answers "
    "403 `not_allowed` otherwise), and so does it for an API client's service user."
)

ACTIONS: dict[str, dict] = {
    "accept": {
        "summary": _("Accept a complaint (受理)"),
        "description": _(
            "The handling group takes the complaint: new → accepted, and the acceptance "
            "deadline is met. The caller becomes the assignee if there is none."
        ),
        "example": (
            {"version": 1, "note": "已致电客户致歉，约定 6 月 4 日上午上门检测"},
            COMPLAINT,
            _moved("new", "accepted", "已致电客户致歉，约定 6 月 4 日上午上门检测"),
            {"status": "accepted", "assignee": WANG_FANG},
        ),
    },
    "investigate": {
        "summary": _("Start the investigation"),
        "description": _("accepted → investigating."),
        "example": (
            {"version": 2, "note": "派装维上门检测光猫及分光器"},
            {**COMPLAINT, "status": "accepted", "assignee": WANG_FANG, "version": 2},
            _moved("accepted", "investigating", "派装维上门检测光猫及分光器"),
            INVESTIGATING,
        ),
    },
    "handle": {
        "summary": _("Record the investigation's findings"),
        "description": _(
            "The investigation is done and its deadline met: investigating → handling."
        ),
        "errors": {400: refusal(_("No `findings` (`required`)."))},
        "example": (
            {"version": 3, "findings": "小区分光器端口老化，晚高峰光衰过大"},
            {**COMPLAINT, **INVESTIGATING, "version": 3},
            _moved("investigating", "handling", "小区分光器端口老化，晚高峰光衰过大"),
            {"status": "handling"},
        ),
    },
    "escalate": {
        "summary": _("Escalate a complaint"),
        "description": _(
            "`raise_level` hands it up a support level (L1 → L2 → L3, the provincial "
            "complaint centre) and raises its priority; `upgrade` turns it into an upgraded "
            "complaint (升级投诉) with tighter deadlines, which carries the case from then "
            "on: the answer is that new complaint."
        ),
        "errors": {
            400: refusal(_("No reason, or an unknown `mode`.")),
            409: refusal(
                _(
                    "Already at L3; or, to upgrade, not a plain complaint, upgraded before, "
                    "or closed."
                ),
                error_body(
                    "AlreadyUpgraded",
                    _("Upgraded before"),
                    {"detail": "该投诉已升级过。", "code": "illegal_transition"},
                ),
            ),
        },
        "example": (
            {"version": 3, "mode": "raise_level", "reason": "涉及小区光缆改造，需网络部协调"},
            {**COMPLAINT, **INVESTIGATING, "version": 3},
            {"kind": "escalated", "body": "专业组（L2）: 涉及小区光缆改造，需网络部协调"},
            {"support_level": 2, "priority": 4},
        ),
    },
    "propose_compensation": {
        "summary": _("Propose a compensation"),
        "description": _(
            "A remedy for the customer: a fee credit (with `amount`) or equipment, service "
            "or another remedy (with `remedy`). Market & legal decide first; above the "
            "threshold (500 yuan by default) the CS manager decides next."
        ),
        "errors": {400: refusal(_("No reason, a cash remedy without amount, a negative amount."))},
        "example": (
            {
                "version": 3,
                "kind": "fee_credit",
                "amount": "30.00",
                "reason": COMPENSATION["reason"],
            },
            {**COMPLAINT, **INVESTIGATING, "version": 3},
            {
                "kind": "note",
                "body": "费用减免或退款 · ¥30.00: 断网三天，按日租减免宽带月费",
                "data": {
                    "complaint_event": "compensation",
                    "compensation": 3071,
                    "amount": "30.00",
                    "needs_manager": False,
                },
            },
            {"compensations": [COMPENSATION]},
        ),
    },
    "approve_compensation": {
        "summary": _("Decide on a compensation"),
        "description": format_lazy(
            "{} {}",
            _(
                "Approve or reject a proposal: market & legal first "
                "(complaints.approve_compensation_legal), then the CS manager above the "
                "threshold. Whoever proposed it may not decide it; a rejection needs a note."
            ),
            DECIDED_BY_SERVICE,
        ),
        "errors": {
            400: refusal(
                _("An unknown decision, a rejection without note, another complaint's proposal.")
            ),
            403: refusal(
                _("The service user may not decide at this stage, or proposed it (`not_allowed`)."),
                error_body(
                    "OwnProposal",
                    _("The proposer deciding"),
                    {"detail": "补偿提出人不能审批自己的方案。", "code": "not_allowed"},
                ),
            ),
            409: refusal(_("The proposal was decided already.")),
        },
        "example": (
            {"version": 4, "compensation": 3071, "decision": "approve", "note": "符合资费减免规定"},
            {**COMPLAINT, **INVESTIGATING, "version": 4, "compensations": [COMPENSATION]},
            {
                "kind": "note",
                "body": "市场与法律合规组: 批准 费用减免或退款 · ¥30.00 — 符合资费减免规定",
            },
            {
                "compensations": [
                    {
                        **COMPENSATION,
                        "status": "approved",
                        "next_decision": None,
                        "decisions": [
                            {
                                "stage": "market_legal",
                                "decision": "approve",
                                "note": "符合资费减免规定",
                                "by": CHEN_JING,
                                "at": "2025-06-04T10:12:30+08:00",
                            }
                        ],
                    }
                ]
            },
        ),
    },
    "feedback": {
        "summary": _("Give the result to the customer (结果反馈)"),
        "description": _(
            "Sends the cause, the measures, the compensation (by default the approved one), "
            "the rectification and the follow-up to the customer by SMS, email or letter; "
            "the feedback deadline is met and the complaint waits for the customer's answer."
        ),
        "errors": {
            400: refusal(
                _("No cause or measures, or no contact for the channel (`no_recipient`)."),
                error_body(
                    "NoPhone",
                    _("An SMS without a phone number"),
                    {
                        "detail": "该投诉没有可发送短信的电话号码。",
                        "code": "no_recipient",
                        "channel": ["该投诉没有可发送短信的电话号码。"],
                    },
                ),
            ),
            409: refusal(
                _("A compensation proposal still awaits its decision."),
                error_body(
                    "CompensationPending",
                    _("A proposal not yet decided"),
                    {
                        "detail": "有补偿方案尚待审批，请审批后再反馈结果。",
                        "code": "illegal_transition",
                    },
                ),
            ),
        },
        "example": (
            {
                "version": 5,
                "cause": FEEDBACK["cause"],
                "measures": FEEDBACK["measures"],
                "rectification": FEEDBACK["rectification"],
                "follow_up": FEEDBACK["follow_up"],
                "channel": "sms",
            },
            {**COMPLAINT, "status": "handling", "assignee": WANG_FANG, "version": 5},
            {
                "kind": "reply",
                "body": "尊敬的客户：您反映的宽带掉线问题原因为小区分光器端口老化……",
                "is_customer_facing": True,
                "data": {"complaint_event": "feedback", "channel": "sms", "feedback": 2210},
            },
            {
                "status": "feedback_given",
                "status_category": "waiting_customer",
                "feedback": [FEEDBACK],
            },
        ),
    },
    "confirm": {
        "summary": _("The customer confirms the result"),
        "description": _("feedback given → confirmed; the complaint can be closed."),
        "example": (
            {"version": 6, "note": "客户短信回复“满意”"},
            {**COMPLAINT, "status": "feedback_given", "version": 6},
            _moved("feedback_given", "confirmed", "客户短信回复“满意”"),
            {
                "status": "confirmed",
                "status_category": "resolved",
                "customer_response": "confirmed",
            },
        ),
    },
    "dissatisfied": {
        "summary": _("The customer is not satisfied"),
        "description": _(
            "Records what the customer is not satisfied with, then `next_step`: `reopen` "
            "handles it again (feedback deadline restarts), `upgrade` turns it into an "
            "upgraded complaint, which the answer is."
        ),
        "errors": {400: refusal(_("No note, or an unknown next step."))},
        "example": (
            {"version": 6, "note": "客户认为减免金额过低", "next_step": "reopen"},
            {**COMPLAINT, "status": "feedback_given", "version": 6},
            _moved("feedback_given", "handling", "客户认为减免金额过低"),
            {"status": "handling", "customer_response": "dissatisfied"},
        ),
    },
    "reopen": {
        "summary": _("Reopen a complaint"),
        "description": _(
            "The customer comes back after the result: back to handling. A complaint that "
            "was upgraded stays closed: its upgraded complaint carries the case."
        ),
        "errors": {
            400: refusal(_("No reason (`required`).")),
            409: refusal(_("The complaint was upgraded.")),
        },
        "example": (
            {"version": 7, "reason": "客户反映 6 月 12 日晚再次掉线"},
            {**COMPLAINT, "status": "closed", "status_category": "closed", "version": 7},
            _moved("closed", "handling", "客户反映 6 月 12 日晚再次掉线"),
            {"status": "handling", "status_category": "open"},
        ),
    },
    "close": {
        "summary": _("Close (archive) a confirmed complaint (归档)"),
        "description": _("confirmed → closed; the first-contact agent is told."),
        "example": (
            {"version": 7},
            {**COMPLAINT, "status": "confirmed", "status_category": "resolved", "version": 7},
            _moved("confirmed", "closed"),
            {"status": "closed", "status_category": "closed"},
        ),
    },
    "request_extension": {
        "summary": _("Ask to extend a deadline"),
        "description": _(
            "Asks a CS manager for 1 to 30 more working days on the investigation, feedback, "
            "overall or evidence deadline. The result must still reach the customer within "
            "15 calendar days of receipt (MIIT Order 35)."
        ),
        "errors": {
            400: refusal(
                _(
                    "No reason, an unknown deadline, days outside 1–30, a deadline that is "
                    "not running (`no_clock`) or already at the 15-day reply limit "
                    "(`reply_limit`)."
                ),
                error_body(
                    "NotRunning",
                    _("A deadline already met"),
                    {
                        "detail": "该时限未在计时。",
                        "code": "no_clock",
                        "metric": ["该时限未在计时。"],
                    },
                ),
            ),
            409: refusal(_("A request for this deadline already awaits a decision.")),
        },
        "example": (
            {
                "version": 3,
                "metric": "complaint_investigation",
                "working_days": 2,
                "reason": "需等待光缆改造施工窗口",
            },
            {**COMPLAINT, **INVESTIGATING, "version": 3},
            {
                "kind": "note",
                "body": "申请投诉调查延期 2 个工作日：需等待光缆改造施工窗口",
                "data": {"complaint_event": "extension", "extension": 145, "status": "requested"},
            },
            {
                "extensions": [
                    {
                        "id": 145,
                        "metric": "complaint_investigation",
                        "working_days": 2,
                        "reason": "需等待光缆改造施工窗口",
                        "status": "requested",
                        "requested_by": WANG_FANG,
                        "requested_at": "2025-06-04T10:12:30+08:00",
                        "decided_by": None,
                        "decided_at": None,
                        "decision_note": "",
                        "due_before": None,
                        "due_after": None,
                    }
                ]
            },
        ),
    },
    "extend": {
        "summary": _("Decide on or grant a deadline extension"),
        "description": format_lazy(
            "{} {}",
            _(
                "A CS manager (complaints.approve_extension) approves or refuses a request "
                "(`extension`), or extends directly with `metric`, `working_days` and "
                "`reason`. An approval moves the deadline, never past the 15-day reply "
                "limit."
            ),
            DECIDED_BY_SERVICE,
        ),
        "errors": {
            400: refusal(
                _(
                    "An unknown decision, a refusal without request, another complaint's "
                    "request, a deadline not running or at the reply limit."
                )
            ),
            403: refusal(
                _("The service user lacks complaints.approve_extension (`not_allowed`)."),
                error_body(
                    "NotManager",
                    _("Not a CS manager"),
                    {"detail": "只有客服经理可以批准时限延期。", "code": "not_allowed"},
                ),
            ),
            409: refusal(_("The request was decided already.")),
        },
        "example": (
            {"version": 4, "extension": 145, "decision": "approve", "note": "同意"},
            {**COMPLAINT, **INVESTIGATING, "version": 4},
            {
                "kind": "note",
                "actor": ZHAO_MIN,
                "body": "投诉调查延期 2 个工作日，现于 2025-06-10 18:00 到期："
                "需等待光缆改造施工窗口",
                "data": {"complaint_event": "extension", "extension": 145, "status": "approved"},
            },
            {
                "extensions": [
                    {
                        "id": 145,
                        "metric": "complaint_investigation",
                        "working_days": 2,
                        "reason": "需等待光缆改造施工窗口",
                        "status": "approved",
                        "requested_by": WANG_FANG,
                        "requested_at": "2025-06-04T09:50:02+08:00",
                        "decided_by": ZHAO_MIN,
                        "decided_at": "2025-06-04T10:12:30+08:00",
                        "decision_note": "同意",
                        "due_before": "2025-06-06T18:00:00+08:00",
                        "due_after": "2025-06-10T18:00:00+08:00",
                    }
                ]
            },
        ),
    },
    "evidence_complete": {
        "summary": _("Evidence collection is complete"),
        "description": _("The evidence deadline (7 days) is met; the chain stays open to appends."),
        "errors": {409: refusal(_("Evidence collection was completed already."))},
        "example": (
            {"version": 3},
            {**COMPLAINT, **INVESTIGATING, "version": 3},
            {"kind": "note", "data": {"complaint_event": "evidence_complete", "entries": 1}},
            {"evidence_completed_at": "2025-06-04T10:12:30+08:00", "evidence": [EVIDENCE]},
        ),
    },
    "record_repair": {
        "summary": _("Record the repair of a service fault"),
        "description": _(
            "The fault is repaired (`repaired_at`, now by default): the repair deadline is "
            "met, and the timeline says whether it was later than promised."
        ),
        "errors": {
            400: refusal(_("A repair time before the complaint or in the future.")),
            409: refusal(
                _("Not a service fault, or the repair is recorded already."),
                error_body(
                    "NotAFault",
                    _("A billing complaint"),
                    {"detail": "只有服务故障需要登记修复。", "code": "illegal_transition"},
                ),
            ),
        },
        "example": (
            {"version": 4, "repaired_at": "2025-06-04T11:30:00+08:00", "note": "更换分光器端口"},
            {**COMPLAINT, **INVESTIGATING, "version": 4},
            {
                "kind": "note",
                "body": "更换分光器端口",
                "data": {
                    "complaint_event": "repair",
                    "repaired_at": "2025-06-04T11:30:00+08:00",
                    "later_than_promised": False,
                },
            },
            {"repaired_at": "2025-06-04T11:30:00+08:00"},
        ),
    },
}

# What every stage action may answer, after its own reasons.
ACTION_ERRORS = {
    400: NO_VERSION,
    403: refusal(ROLE, ROLE_REFUSED),
    409: refusal(
        _(
            "The complaint changed since you read it (`stale_version`, with "
            "`current_version`), or its stage does not allow this action "
            "(`illegal_transition`, with `status` and `allowed`)."
        ),
        STALE,
        ILLEGAL,
    ),
}


action_operation = viewset_actions(
    ACTIONS,
    prefix="complaints",
    shared=ACTION_ERRORS,
    after=after,
    result_summary=_("The complaint carrying the case afterwards"),
)


# ---------------------------------------------------------------- outage clusters

CLUSTER = {
    "id": 88,
    "service_type": "broadband",
    "area": "朝阳区望京街道",
    "status": "open",
    "opened_at": "2025-06-03T20:15:00+08:00",
    "threshold": 5,
    "window_minutes": 60,
    "resolved_at": None,
    "cause": "",
    "size": 7,
    "complaints": [52801, 52806, 52811, 52813, 52820, 52822, 52830],
}


def cluster_operations(*, output, feedback, result) -> dict:
    """The ClusterViewSet's operations, given its serializers."""
    return {
        "list": operation(
            summary=_("List outage clusters"),
            description=_(
                "Complaints about the same service in the same area within a window open a "
                "cluster once they reach its threshold. Newest first, paged by `page`, 50 to "
                "a page."
            ),
            parameters=[
                OpenApiParameter(
                    "status",
                    str,
                    enum=["open", "resolved"],
                    description=_("Only open or only resolved clusters."),
                )
            ],
            responses={200: output(many=True)},
            examples=[response_body("Cluster", _("A broadband outage"), CLUSTER)],
        ),
        "retrieve": operation(
            summary=_("Get an outage cluster"),
            description=_("The cluster with its complaints' ids."),
            responses={200: output},
            examples=[response_body("Cluster", _("A broadband outage"), CLUSTER)],
        ),
        "feedback": operation(
            summary=_("Answer every complaint of an outage at once"),
            description=_(
                "Gives one result to every complaint of the cluster that can take it "
                "(accepting new ones first) and resolves the cluster. A complaint that "
                "cannot (a stage past feedback, no contact for the channel, a compensation "
                "awaiting its decision) is skipped with the reason and answered on its own."
            ),
            request=feedback,
            responses={200: result},
            errors={
                400: refusal(_("No cause or measures, or an unknown channel.")),
                403: refusal(_("A signed-in user without complaints.handle_complaint.")),
                409: refusal(
                    _("The outage was answered already (`illegal_transition`)."),
                    error_body(
                        "Answered",
                        _("A resolved cluster"),
                        {"detail": "该故障事件已反馈。", "code": "illegal_transition"},
                    ),
                ),
            },
            examples=[
                request_body(
                    "Outage",
                    _("The fibre cut is repaired"),
                    {
                        "cause": "市政施工挖断望京街道主干光缆",
                        "measures": "6 月 4 日 02:30 完成熔接，业务全部恢复",
                        "follow_up": "3 日内回访受影响客户",
                        "channel": "sms",
                    },
                ),
                response_body(
                    "Answered",
                    _("Six answered, one already past feedback"),
                    {
                        "given": [52801, 52806, 52811, 52813, 52820, 52822],
                        "skipped": [{"number": "T20250603-000830", "why": "客户已确认"}],
                    },
                ),
            ],
        ),
    }
