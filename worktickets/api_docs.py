"""The API documentation of tickets (worktickets/api.py), applied by its decorators."""

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

# ---------------------------------------------------------------- examples

ZHANG_WEI = {"id": 1, "username": "agent", "name": "张伟"}
LI_NA = {"id": 2, "username": "lead", "name": "李娜"}
CRM = {"id": 25, "username": "api-crm", "name": "CRM 接口"}
HOTLINE = {"id": 1, "name": "热线一班", "kind": "hotline"}
CUSTOMER = {
    "id": 1024,
    "name": "张建国",
    "phone": "139****6721",
    "vip_tier": "gold",
    "payment_type": "postpaid",
    "region": "urban",
}


def clock(number: int, metric: str, label: str, due_at: str, warn_at: str) -> dict:
    return {
        "id": number,
        "ticket": 52731,
        "metric": metric,
        "metric_label": label,
        "state": "running",
        "state_label": "计时中",
        "at_risk": False,
        "policy": "金卡及以上客户咨询",
        "policy_version": 3,
        "calendar": "24×7",
        "started_at": "2025-06-03T09:32:10+08:00",
        "due_at": due_at,
        "warn_at": warn_at,
        "paused_since": None,
        "paused_seconds": 0,
        "met_at": None,
        "breached_at": None,
        "stopped_at": None,
        "lateness_seconds": None,
        "escalations": [],
    }


INQUIRY_ROW = {
    "id": 52731,
    "number": "T20250603-000731",
    "kind": "inquiry",
    "status": "new",
    "status_category": "open",
    "priority": 2,
    "channel": "hotline",
    "customer": CUSTOMER,
    "team": HOTLINE,
    "assignee": None,
    "first_contact_agent": ZHANG_WEI,
    "transfer_pending": False,
    "subject": "国际漫游开通后在日本无法上网",
    "business_type": None,
    "category": "consultation_basic",
    "created_at": "2025-06-03T09:32:10+08:00",
    "first_response_at": None,
    "resolved_at": None,
    "closed_at": None,
    "sla_due_at": "2025-06-03T09:42:10+08:00",
    "in_escalation_queue": False,
    "version": 1,
}
CREATED_EVENT = {
    "id": 418802,
    "kind": "created",
    "at": "2025-06-03T09:32:10+08:00",
    "actor": CRM,
    "from_status": "",
    "to_status": "new",
    "body": "客户 6 月 2 日抵达东京，手机显示 4G 信号但无法上网，已开通国际漫游及日本流量包。",
    "text": "客户 6 月 2 日抵达东京，手机显示 4G 信号但无法上网，已开通国际漫游及日本流量包。",
    "message": None,
    "is_customer_facing": False,
    "data": {},
}
INQUIRY = {
    **INQUIRY_ROW,
    "description": CREATED_EVENT["body"],
    "caller_number": "139****6721",
    "contact": 90613,
    "order_details": {},
    "identity_verified": False,
    "resolution": "",
    "rejection_reason": "",
    "updated_at": "2025-06-03T09:32:10+08:00",
    "timeline": [CREATED_EVENT],
    "clocks": [
        clock(
            88101,
            "first_response",
            "首次响应",
            "2025-06-03T09:42:10+08:00",
            "2025-06-03T09:37:10+08:00",
        ),
        clock(
            88102,
            "initial_solution",
            "初步解决",
            "2025-06-03T10:02:10+08:00",
            "2025-06-03T09:47:10+08:00",
        ),
        clock(
            88103, "closure", "问题闭环", "2025-06-05T09:32:10+08:00", "2025-06-04T09:32:10+08:00"
        ),
    ],
    "allowed_actions": ["accept", "reply", "note", "transfer", "hold", "resolve"],
}
NEW_INQUIRY = {
    "kind": "inquiry",
    "channel": "hotline",
    "subject": INQUIRY["subject"],
    "description": INQUIRY["description"],
    "customer": 1024,
    "contact": 90613,
    "team": 1,
    "first_contact_agent": 1,
}
BUSINESS = {
    **INQUIRY,
    "id": 52790,
    "number": "T20250603-000790",
    "kind": "business",
    "status": "accepted",
    "channel": "walk_in",
    "subject": "宽带提速至 500M",
    "business_type": "broadband_speed_change",
    "category": None,
    "description": "客户申请将家庭宽带由 300M 提速至 500M，次月 1 日生效。",
    "contact": None,
    "order_details": {"account": "KD010088308830", "from": "300M", "to": "500M"},
    "sla_due_at": "2025-06-04T11:05:00+08:00",
    "created_at": "2025-06-03T11:05:00+08:00",
    "updated_at": "2025-06-03T11:05:00+08:00",
    "timeline": [
        {
            **CREATED_EVENT,
            "id": 418950,
            "at": "2025-06-03T11:05:00+08:00",
            "to_status": "accepted",
            "body": "客户申请将家庭宽带由 300M 提速至 500M，次月 1 日生效。",
        }
    ],
    "clocks": [],
    "allowed_actions": [
        "accept",
        "reply",
        "note",
        "transfer",
        "hold",
        "review",
        "reject",
        "change_order",
        "cancel",
    ],
}
NEW_BUSINESS = {
    "kind": "business",
    "channel": "walk_in",
    "subject": BUSINESS["subject"],
    "description": BUSINESS["description"],
    "customer": 1024,
    "business_type": "broadband_speed_change",
    "order_details": BUSINESS["order_details"],
    "team": 4,
    "first_contact_agent": 12,
}

STALE = error_body(
    "StaleVersion",
    _("Someone changed the ticket since you read it"),
    {
        "detail": "工单 T20250603-000731 在您打开后已被 李娜 修改（当前版本 4，您的版本 3）。"
        "请刷新后重试。",
        "code": "stale_version",
        "current_version": 4,
    },
)


ILLEGAL = error_body(
    "IllegalTransition",
    _("The status does not allow the action"),
    {
        "detail": "工单 T20250603-000731 当前为“已解决”，不能执行“转派”。",
        "code": "illegal_transition",
        "status": "resolved",
        "allowed": ["note", "close", "reopen"],
    },
)
COMPLAINT_TICKET = _(
    "The ticket is a complaint's and the API key lacks complaints:write (a signed-in user: "
    "complaints.handle_complaint)."
)
COMPLAINT_TICKET_REFUSED = error_body(
    "ComplaintTicket",
    _("A complaint's ticket without complaints:write"),
    {"detail": "此 API 客户端缺少权限范围 complaints:write。"},
)


def readable(line: dict) -> dict:
    """A timeline line with its text in the request's language: typed text as written
    (no message key) unless the example gives its own."""
    return {"text": line["body"], "message": None, **line}


def after(ticket: dict, event: dict, **changes) -> dict:
    """The ticket as an action leaves it: one version on, one more timeline line."""
    line = {"id": 418803, "at": "2025-06-03T09:35:42+08:00", "actor": ZHANG_WEI}
    line |= {"from_status": "", "to_status": "", "body": "", "is_customer_facing": False}
    return {
        **ticket,
        "version": ticket["version"] + 1,
        "updated_at": line["at"],
        "timeline": [*ticket["timeline"], readable({**line, "data": {}, **event})],
        **changes,
    }


# ---------------------------------------------------------------- list, create, read, change

ORDERING = _("-created_at (default), created_at, or due (nearest SLA deadline first; none last).")


def ticket_operations(*, row, detail, create, patch, note, event, orderings: list[str]) -> dict:
    """The TicketViewSet's operations but its actions (`action_operation`), given its
    serializers and the list's orderings."""
    return {
        "list": operation(
            summary=_("List tickets"),
            description=_(
                "Inquiries, business orders and complaints' tickets, newest first unless "
                "`ordering` says otherwise, 50 to a page (`page_size` up to 200), paged by "
                "`cursor`. Filter by kind, status (repeat it for several), status category, "
                "channel, priority, team, assignee, first-contact agent, customer, number, "
                "creation time and `overdue`. An API client sees every team's tickets, "
                "complaints' tickets only with complaints:read; a signed-in person sees "
                "their teams' tickets and those assigned to them or that they first took. "
                "Phone numbers are masked."
            ),
            parameters=[OpenApiParameter("ordering", str, enum=orderings, description=ORDERING)],
            responses={200: row(many=True)},
            errors={
                400: refusal(
                    _("A filter value that is refused (an unknown status, a malformed time)."),
                    error_body(
                        "UnknownStatus",
                        _("A status that does not exist"),
                        {"status": ["选择一个有效的选项。 open 不在可用的选项中。"]},
                    ),
                ),
            },
            examples=[response_body("Inquiry", _("A new inquiry"), INQUIRY_ROW)],
        ),
        "create": operation(
            summary=_("Open a ticket"),
            description=_(
                "Opens an inquiry or a business order (complaints are recorded at "
                "POST /complaints/). The ticket goes to `team`, else to the caller's own "
                "team: an API client's service user has none, so integrations name the "
                "team. `first_contact_agent` is the agent who took the contact (the caller "
                "by default) and stays the owner of record after any transfer. A business "
                "order needs a registered customer and a business type their payment "
                "segment may order through this channel. The ticket's SLA clocks start at "
                "once; the answer is the ticket with its timeline and clocks."
            ),
            request=create,
            responses={201: detail},
            errors={
                400: refusal(
                    _(
                        "A field is missing or refused, or a rule refuses the ticket: no team "
                        "(`team_required`), a business order without customer "
                        "(`customer_required`) or business type (`business_type_required`), a "
                        "business type withdrawn (`business_type_inactive`), not offered to "
                        "the customer's payment segment (`not_eligible_for_customer`) or not "
                        "through this channel (`not_eligible_for_channel`, with the "
                        "`eligible_channels`), a business type on an inquiry."
                    ),
                    error_body(
                        "NotThroughThisChannel",
                        _("A business the hotline cannot take for this customer"),
                        {
                            "detail": "后付费客户不能通过热线办理开/关国际漫游。"
                            "可办理的渠道：营业厅、客户经理。",
                            "code": "not_eligible_for_channel",
                            "channel": [
                                "后付费客户不能通过热线办理开/关国际漫游。"
                                "可办理的渠道：营业厅、客户经理。"
                            ],
                            "eligible_channels": ["walk_in", "account_manager"],
                        },
                    ),
                    error_body(
                        "UnknownCustomer",
                        _("A customer id that does not exist"),
                        {"customer": ["无效主键 “99999” － 对象不存在。"]},
                    ),
                ),
                403: refusal(_("A signed-in user without worktickets.add_ticket.")),
            },
            examples=[
                request_body("Inquiry", _("An inquiry from a hotline call"), NEW_INQUIRY),
                request_body("Business", _("A business order at the walk-in hall"), NEW_BUSINESS),
                response_body("Opened", _("The new inquiry with its clocks"), INQUIRY, 201),
            ],
        ),
        "retrieve": operation(
            summary=_("Get a ticket"),
            description=_(
                "The ticket with its timeline, its SLA clocks and `allowed_actions`: the "
                "actions its kind and status allow now. The caller number is masked."
            ),
            responses={200: detail},
            examples=[
                response_body("Inquiry", _("An inquiry"), INQUIRY),
                response_body("Business", _("A business order"), BUSINESS),
            ],
        ),
        "partial_update": operation(
            summary=_("Change a ticket's subject, description or priority"),
            description=_(
                "Send the `version` you read and the fields to change. A resolved, closed, "
                "rejected or cancelled ticket must be reopened first. Each change is kept "
                "on the timeline with its old and new value."
            ),
            request=patch,
            responses={200: detail},
            errors={
                400: refusal(
                    _("No version, or a blank subject (`required`)."),
                    *NO_VERSION.examples,
                    error_body(
                        "BlankSubject",
                        _("An empty subject"),
                        {
                            "detail": "请填写工单主题。",
                            "code": "required",
                            "subject": ["请填写工单主题。"],
                        },
                    ),
                ),
                403: refusal(COMPLAINT_TICKET, COMPLAINT_TICKET_REFUSED),
                409: refusal(
                    _(
                        "The ticket changed since you read it (`stale_version`), or it is no "
                        "longer active (`illegal_transition`)."
                    ),
                    STALE,
                    error_body(
                        "Inactive",
                        _("A closed ticket"),
                        {
                            "detail": "工单 T20250603-000731 当前为“已关闭”，请先重新打开再修改。",
                            "code": "illegal_transition",
                        },
                    ),
                ),
            },
            examples=[
                request_body(
                    "RaisePriority", _("Raise the priority"), {"version": 1, "priority": 3}
                ),
                response_body(
                    "Changed",
                    _("The ticket afterwards"),
                    after(
                        INQUIRY,
                        {"kind": "fields_changed", "data": {"priority": {"from": 2, "to": 3}}},
                        priority=3,
                    ),
                ),
            ],
        ),
        "note": operation(
            summary=_("Add an internal note"),
            description=_(
                "A note on the timeline for colleagues, never shown to the customer. It "
                "takes no version and changes nothing else."
            ),
            request=note,
            responses={201: event},
            errors={
                400: refusal(
                    _("An empty note (`required`)."),
                    error_body(
                        "EmptyNote",
                        _("No text"),
                        {
                            "detail": "请填写备注内容。",
                            "code": "required",
                            "body": ["请填写备注内容。"],
                        },
                    ),
                ),
                403: refusal(COMPLAINT_TICKET, COMPLAINT_TICKET_REFUSED),
            },
            examples=[
                request_body(
                    "Note",
                    _("What the second-line team found"),
                    {"body": "已联系日本合作运营商，客户所在基站当日故障，预计 12:00 恢复。"},
                ),
                response_body(
                    "Noted",
                    _("The timeline line"),
                    {
                        "id": 418811,
                        "kind": "note",
                        "at": "2025-06-03T10:05:31+08:00",
                        "actor": ZHANG_WEI,
                        "from_status": "",
                        "to_status": "",
                        "body": "已联系日本合作运营商，客户所在基站当日故障，预计 12:00 恢复。",
                        "text": "已联系日本合作运营商，客户所在基站当日故障，预计 12:00 恢复。",
                        "message": None,
                        "is_customer_facing": False,
                        "data": {},
                    },
                    201,
                ),
            ],
        ),
    }


# ---------------------------------------------------------------- actions

IN_PROGRESS = {"status": "in_progress", "assignee": ZHANG_WEI}
REVIEWED = {"status": "reviewed", "identity_verified": True}


ACTIONS: dict[str, dict] = {
    "accept": {
        "summary": _("Take the ticket"),
        "description": _(
            "The receiving side takes the ticket after its creation or a transfer "
            "(`transfer_pending`): the caller becomes its assignee, and a new ticket moves to "
            "in progress."
        ),
        "errors": {
            409: refusal(
                _("You hold it already, or its status does not allow it."),
                error_body(
                    "AlreadyYours",
                    _("The caller holds it already"),
                    {"detail": "工单 T20250603-000731 已在您名下。", "code": "illegal_transition"},
                ),
            )
        },
        "example": ({"version": 1}, INQUIRY, {"kind": "accepted"}, IN_PROGRESS),
    },
    "reply": {
        "summary": _("Reply to the customer"),
        "description": _(
            "A reply the customer sees. The first one meets the first-response deadline; "
            "`gives_solution` meets the initial-solution deadline too. A new ticket moves to "
            "in progress."
        ),
        "errors": {
            400: refusal(
                _("An empty reply (`required`)."),
                error_body(
                    "EmptyReply",
                    _("No text"),
                    {
                        "detail": "请填写回复内容。",
                        "code": "required",
                        "body": ["请填写回复内容。"],
                    },
                ),
            )
        },
        "example": (
            {
                "version": 1,
                "body": "您好，请在手机设置中开启“数据漫游”，并手动选择 NTT DOCOMO 网络后重启。",
                "gives_solution": True,
            },
            INQUIRY,
            {
                "kind": "reply",
                "body": "您好，请在手机设置中开启“数据漫游”，并手动选择 NTT DOCOMO 网络后重启。",
                "is_customer_facing": True,
                "data": {"first_response": True, "gives_solution": True},
            },
            {**IN_PROGRESS, "first_response_at": "2025-06-03T09:35:42+08:00"},
        ),
    },
    "transfer": {
        "summary": _("Transfer to another team or agent"),
        "description": _(
            "Hands the ticket to a team, an agent, or both (an agent alone means their "
            "team); they must take it (`accept`). The first-contact agent stays the owner "
            "of record and is told when it closes."
        ),
        "errors": {
            400: refusal(
                _(
                    "No reason, no team nor agent (`target_required`), the ticket is with "
                    "them already (`same_target`), an unknown or inactive team or agent."
                ),
                error_body(
                    "NoTarget",
                    _("Neither a team nor an agent"),
                    {
                        "detail": "请选择要转派的班组或业务代表。",
                        "code": "target_required",
                        "team": ["请选择要转派的班组或业务代表。"],
                    },
                ),
            )
        },
        "example": (
            {"version": 2, "reason": "需国际漫游专席核查日本合作网络", "team": 6},
            {**INQUIRY, **IN_PROGRESS, "version": 2},
            {
                "kind": "transfer",
                "body": "需国际漫游专席核查日本合作网络",
                "data": {
                    "from_team": "热线一班",
                    "to_team": "技术支持组",
                    "from_assignee": "张伟",
                    "to_assignee": "",
                },
            },
            {
                "team": {"id": 6, "name": "技术支持组", "kind": "tech_support"},
                "assignee": None,
                "transfer_pending": True,
            },
        ),
    },
    "hold": {
        "summary": _("Wait for the customer"),
        "description": _(
            "The ticket waits for the customer (a document, a test at home): status "
            "pending_customer, and the closure deadline pauses. Inquiries in progress; "
            "business orders accepted or reviewed."
        ),
        "errors": {400: refusal(_("No reason (`required`)."))},
        "example": (
            {"version": 2, "reason": "请客户落地后重启手机并反馈是否恢复"},
            {**INQUIRY, **IN_PROGRESS, "version": 2},
            {
                "kind": "status_changed",
                "from_status": "in_progress",
                "to_status": "pending_customer",
                "body": "请客户落地后重启手机并反馈是否恢复",
            },
            {"status": "pending_customer", "status_category": "waiting_customer"},
        ),
    },
    "resume": {
        "summary": _("The customer answered: resume"),
        "description": _(
            "Back to the status the ticket had before it waited; its deadlines run again."
        ),
        "errors": {},
        "example": (
            {"version": 3, "note": "客户来电：重启后仍无法上网"},
            {**INQUIRY, "status": "pending_customer", "version": 3},
            {
                "kind": "status_changed",
                "from_status": "pending_customer",
                "to_status": "in_progress",
                "body": "客户来电：重启后仍无法上网",
            },
            {"status": "in_progress", "status_category": "open"},
        ),
    },
    "resolve": {
        "summary": _("Resolve an inquiry"),
        "description": _(
            "Records how the inquiry was resolved; the closure deadline is met. Inquiries "
            "only: business orders are delivered."
        ),
        "errors": {400: refusal(_("No resolution (`required`)."))},
        "example": (
            {"version": 2, "resolution": "指导客户手动选网后恢复上网，客户确认可以正常使用。"},
            {**INQUIRY, **IN_PROGRESS, "version": 2},
            {
                "kind": "status_changed",
                "from_status": "in_progress",
                "to_status": "resolved",
                "body": "指导客户手动选网后恢复上网，客户确认可以正常使用。",
            },
            {
                "status": "resolved",
                "status_category": "resolved",
                "resolution": "指导客户手动选网后恢复上网，客户确认可以正常使用。",
                "resolved_at": "2025-06-03T09:35:42+08:00",
            },
        ),
    },
    "close": {
        "summary": _("Close the ticket"),
        "description": _(
            "An inquiry after it is resolved, a business order after delivery. The "
            "first-contact agent is told."
        ),
        "errors": {},
        "example": (
            {"version": 3},
            {**INQUIRY, "status": "resolved", "status_category": "resolved", "version": 3},
            {"kind": "status_changed", "from_status": "resolved", "to_status": "closed"},
            {
                "status": "closed",
                "status_category": "closed",
                "closed_at": "2025-06-03T09:35:42+08:00",
            },
        ),
    },
    "reopen": {
        "summary": _("Reopen an inquiry"),
        "description": _(
            "The customer comes back within TICKET_REOPEN_WINDOW_DAYS (7 by default) of the "
            "resolution: back to in progress. Later, open a new ticket."
        ),
        "errors": {
            400: refusal(_("No reason (`required`).")),
            409: refusal(
                _("The reopening window has passed."),
                error_body(
                    "WindowPassed",
                    _("Resolved too long ago"),
                    {
                        "detail": "工单 T20250603-000731 只能在解决后 7 天内重新打开，请新建工单。",
                        "code": "illegal_transition",
                    },
                ),
            ),
        },
        "example": (
            {"version": 4, "reason": "客户回国前再次无法上网"},
            {**INQUIRY, "status": "closed", "status_category": "closed", "version": 4},
            {"kind": "status_changed", "from_status": "closed", "to_status": "in_progress"},
            {"status": "in_progress", "status_category": "open"},
        ),
    },
    "review": {
        "summary": _("Review a business order (审核)"),
        "description": _(
            "The customer's identity is verified and the order checked: accepted → "
            "reviewed. Eligibility is checked again (the customer's tier or payment type "
            "may have changed)."
        ),
        "errors": {
            400: refusal(
                _(
                    "`identity_verified` is false (`identity_not_verified`), or the customer "
                    "is no longer eligible (`not_eligible_for_customer`, "
                    "`not_eligible_for_channel`, `business_type_inactive`)."
                ),
                error_body(
                    "IdentityNotVerified",
                    _("Identity not verified"),
                    {
                        "detail": "请先核验客户身份，审核才能通过。",
                        "code": "identity_not_verified",
                        "identity_verified": ["请先核验客户身份。"],
                    },
                ),
            )
        },
        "example": (
            {"version": 1, "identity_verified": True, "note": "已核验身份证原件"},
            BUSINESS,
            {"kind": "status_changed", "from_status": "accepted", "to_status": "reviewed"},
            REVIEWED,
        ),
    },
    "approve": {
        "summary": _("Approve a business order (审批)"),
        "description": _(
            "A team lead approves a reviewed order of a business type that needs approval "
            "(ownership transfer, account closure, international roaming, refunds): "
            "reviewed → approved. The service user needs worktickets.approve_business."
        ),
        "errors": {
            403: refusal(
                _("The service user lacks worktickets.approve_business (`not_allowed`)."),
                error_body(
                    "NotTeamLead",
                    _("Not a team lead"),
                    {"detail": "只有班长可以审批业务办理单。", "code": "not_allowed"},
                ),
            ),
            409: refusal(_("The business type needs no approval: deliver it after the review.")),
        },
        "example": (
            {"version": 2, "note": "资料齐全，同意办理"},
            {**BUSINESS, **REVIEWED, "business_type": "ownership_transfer", "version": 2},
            {"kind": "status_changed", "from_status": "reviewed", "to_status": "approved"},
            {"status": "approved", "status_category": "waiting_internal"},
        ),
    },
    "reject": {
        "summary": _("Reject a business order"),
        "description": _(
            "Refuses the order at review or approval with the reason the customer is told; "
            "it is closed as rejected and the first-contact agent is told. An order "
            "awaiting approval is rejected only by a team lead."
        ),
        "errors": {
            400: refusal(_("No reason (`required`).")),
            403: refusal(
                _(
                    "The order awaits approval and the service user lacks "
                    "worktickets.approve_business (`not_allowed`)."
                )
            ),
        },
        "example": (
            {"version": 1, "reason": "过户双方未到场，无法办理"},
            {**BUSINESS, "business_type": "ownership_transfer"},
            {"kind": "status_changed", "from_status": "accepted", "to_status": "rejected"},
            {
                "status": "rejected",
                "status_category": "closed",
                "rejection_reason": "过户双方未到场，无法办理",
                "closed_at": "2025-06-03T09:35:42+08:00",
            },
        ),
    },
    "deliver": {
        "summary": _("Deliver a business order (交付)"),
        "description": _(
            "The service is in place: reviewed (types without approval) or approved → "
            "delivered; the closure deadline is met."
        ),
        "errors": {409: refusal(_("The business type needs approval first."))},
        "example": (
            {"version": 2, "note": "已完成提速，次月 1 日生效"},
            {**BUSINESS, **REVIEWED, "version": 2},
            {"kind": "status_changed", "from_status": "reviewed", "to_status": "delivered"},
            {
                "status": "delivered",
                "status_category": "resolved",
                "resolution": "已完成提速，次月 1 日生效",
                "resolved_at": "2025-06-03T09:35:42+08:00",
            },
        ),
    },
    "change_order": {
        "summary": _("Change a business order (业务变更)"),
        "description": _(
            "The customer changes the order before delivery: the order details are replaced "
            "and the order goes back to accepted for a new review."
        ),
        "errors": {400: refusal(_("No reason (`required`), or order details that are no object."))},
        "example": (
            {
                "version": 2,
                "reason": "客户改为提速至 1000M",
                "order_details": {"account": "KD010088308830", "from": "300M", "to": "1000M"},
            },
            {**BUSINESS, **REVIEWED, "version": 2},
            {"kind": "order_changed", "body": "客户改为提速至 1000M"},
            {
                "status": "accepted",
                "identity_verified": False,
                "order_details": {"account": "KD010088308830", "from": "300M", "to": "1000M"},
            },
        ),
    },
    "cancel": {
        "summary": _("Cancel a business order (退订)"),
        "description": _(
            "The customer withdraws the order before delivery; it is closed as cancelled "
            "and the first-contact agent is told."
        ),
        "errors": {400: refusal(_("No reason (`required`)."))},
        "example": (
            {"version": 1, "reason": "客户决定暂不提速"},
            BUSINESS,
            {"kind": "status_changed", "from_status": "accepted", "to_status": "cancelled"},
            {
                "status": "cancelled",
                "status_category": "closed",
                "rejection_reason": "客户决定暂不提速",
                "closed_at": "2025-06-03T09:35:42+08:00",
            },
        ),
    },
}

# What every action may answer, after its own reasons.
ACTION_ERRORS = {
    400: NO_VERSION,
    403: refusal(COMPLAINT_TICKET, COMPLAINT_TICKET_REFUSED),
    409: refusal(
        _(
            "The ticket changed since you read it (`stale_version`, with `current_version`), "
            "or its kind and status do not allow this action (`illegal_transition`, with "
            "`status` and `allowed`)."
        ),
        STALE,
        ILLEGAL,
    ),
}


action_operation = viewset_actions(
    ACTIONS,
    prefix="tickets",
    shared=ACTION_ERRORS,
    after=after,
    result_summary=_("The ticket afterwards"),
)


# ---------------------------------------------------------------- the problem ledger

PROBLEM = {
    "id": 7,
    "number": "P20250603-0007",
    "title": "城西片区光猫批量掉线",
    "status": "analysing",
    "category": "system_fault_app",
    "owner": LI_NA,
    "review_date": "2025-06-17",
    "raised_by": ZHANG_WEI,
    "raised_at": "2025-06-03T10:12:00+08:00",
    "fixed_at": None,
    "verified_at": None,
    "ticket_count": 23,
    "version": 3,
}
PROBLEM_DETAIL = {
    **PROBLEM,
    "description": "6 月 3 日起城西片区多名宽带用户反映晚高峰光猫掉线，需重启恢复。",
    "root_cause": "OLT 板卡固件缺陷",
    "resolution": "",
    "tickets": [{"id": 52731, "number": "T20250603-000731", "status": "in_progress"}],
}


def problem_operations(*, row, detail) -> dict:
    """The ProblemViewSet's operations (read only: problems change on their pages)."""
    return {
        "list": operation(
            summary=_("List the problem ledger"),
            description=_(
                "Recurring or systemic problems (问题台账, W-6), newest first, paged by "
                "cursor. Filter by `status`, `category` (a top-level code includes its "
                "sub-categories) and `owner`."
            ),
            responses={200: row(many=True)},
            examples=[response_body("Problem", _("A problem being analysed"), PROBLEM)],
        ),
        "retrieve": operation(
            summary=_("Read one problem with its tickets"),
            description=_(
                "The problem, its analysis and the tickets counted against it (by number "
                "and status only; read a ticket at /api/v1/tickets/{id}/)."
            ),
            responses={200: detail},
            examples=[response_body("Problem", _("A problem with its tickets"), PROBLEM_DETAIL)],
        ),
    }
