"""The API documentation of customers and contacts (intake/api.py), applied by its
decorators. Scopes, the errors every operation answers and the Idempotency-Key header
come from the code (staffing/api_schema.py).
"""

from django.utils.translation import gettext_lazy as _

from staffing.api_schema import (
    error_body,
    operation,
    refusal,
    request_body,
    response_body,
)

MASKED = _(
    "Phone, ID and service numbers come masked (138****1234) unless the caller holds "
    "`intake.view_full_personal_data`; every response that shows one in full is recorded "
    "in the personal-data access log."
)

# ---------------------------------------------------------------- examples

CUSTOMER = {
    "id": 1024,
    "name": "张建国",
    "phone": "139****6721",
    "id_number": "110105********0039",
    "personal_data": "masked",
    "customer_type": "individual",
    "payment_type": "postpaid",
    "payment_segment": "postpaid_vip",
    "vip_tier": "gold",
    "region": "urban",
    "city": "北京",
    "account_manager": 7,
    "account_manager_name": "赵敏",
    "services": [
        {
            "id": 2051,
            "service_type": "mobile",
            "number": "139****6721",
            "plan": "5G 畅享套餐 129 元",
            "status": "active",
            "activated_on": "2019-04-12",
        },
        {
            "id": 2052,
            "service_type": "broadband",
            "number": "KD0******8830",
            "plan": "光宽带 500M",
            "status": "active",
            "activated_on": "2021-09-01",
        },
    ],
    "created_at": "2025-03-14T09:26:41+08:00",
    "updated_at": "2025-06-02T15:10:08+08:00",
}
CUSTOMER_IN_FULL = {
    **CUSTOMER,
    "phone": "13912346721",
    "id_number": "110105198503120039",
    "personal_data": "full",
    "services": [
        {**CUSTOMER["services"][0], "number": "13912346721"},
        {**CUSTOMER["services"][1], "number": "KD010088308830"},
    ],
}
NEW_CUSTOMER = {
    "name": "李秀兰",
    "phone": "+86 138-1057-2468",
    "id_number": "440106199007150025",
    "customer_type": "individual",
    "payment_type": "prepaid",
    "vip_tier": "none",
    "region": "rural",
    "city": "广州",
}
REGISTERED = {
    **CUSTOMER,
    "id": 1187,
    "name": "李秀兰",
    "phone": "138****2468",
    "id_number": "440106********0025",
    "customer_type": "individual",
    "payment_type": "prepaid",
    "payment_segment": "prepaid",
    "vip_tier": "none",
    "region": "rural",
    "city": "广州",
    "account_manager": None,
    "account_manager_name": "",
    "services": [],
    "created_at": "2025-06-03T10:02:17+08:00",
    "updated_at": "2025-06-03T10:02:17+08:00",
}
PHONE_REFUSED = error_body(
    "InvalidPhone",
    _("A number that is no phone number"),
    {"phone": ["请输入中国大陆手机号码（11 位）或带区号的固定电话号码。"]},
)
CONTACT = {
    "id": 90613,
    "channel": "hotline",
    "customer": 1024,
    "customer_name": "张建国",
    "caller_number": "139****6721",
    "queued_at": "2025-06-03T09:31:05+08:00",
    "answered_at": "2025-06-03T09:31:47+08:00",
    "ended_at": "2025-06-03T09:38:20+08:00",
    "wait_seconds": 42.0,
    "agent": 1,
    "agent_name": "张伟",
    "summary": "咨询国际漫游开通条件及资费",
    "disposition": "resolved",
    "external_id": "CTI-20250603-000731",
    "recording_url": "https://cti.example.com/recordings/20250603-000731.mp3",
    "recording_seconds": 393,
    "created_at": "2025-06-03T09:38:21+08:00",
}
NEW_CONTACT = {
    "channel": "hotline",
    "caller_number": "13912346721",
    "queued_at": "2025-06-03T09:31:05+08:00",
    "answered_at": "2025-06-03T09:31:47+08:00",
    "ended_at": "2025-06-03T09:38:20+08:00",
    "agent": 1,
    "summary": "咨询国际漫游开通条件及资费",
    "disposition": "resolved",
    "external_id": "CTI-20250603-000731",
}

# ---------------------------------------------------------------- customers


def customer_operations(*, output, payload) -> dict:
    """The CustomerViewSet's operations, given its output and input serializers."""
    return {
        "list": operation(
            summary=_("List or look up customers"),
            description=_(
                "Newest first, 50 to a page (`page_size` up to 200), paged by `cursor`. "
                "`phone` finds the customers reached at a number (their own phone or one of "
                "their service numbers); `q` takes a full phone or resident ID number or "
                "the start of a name. A search by number is limited per API client and "
                "window and recorded in the personal-data access log with the number "
                "masked; a search by name is neither."
            )
            + "\n\n"
            + MASKED,
            responses={200: output(many=True)},
            errors={
                400: refusal(
                    _(
                        "A filter value that is refused: a `phone` that is no mainland number, "
                        "an unknown `customer_type`, `payment_type`, `vip_tier` or `region`."
                    ),
                    error_body(
                        "BadFilters",
                        _("A bad phone and an unknown tier"),
                        {
                            "phone": ["请输入中国大陆手机号码（11 位）或带区号的固定电话号码。"],
                            "vip_tier": ["选择一个有效的选项。 platinum 不在可用的选项中。"],
                        },
                    ),
                ),
                429: refusal(
                    _(
                        "The client has made CUSTOMER_SEARCH_CLIENT_LIMIT searches by phone or "
                        "ID number in this window of CUSTOMER_SEARCH_WINDOW_SECONDS (600 in 10 "
                        "minutes by default): `too_many_searches`, with Retry-After. Searching "
                        "by name still works."
                    ),
                    error_body(
                        "TooManySearches",
                        _("Searches by number used up"),
                        {
                            "detail": "按电话或身份证号查询过于频繁。请等待 7 分钟后再试;"
                            "按姓名查询不受影响。",
                            "code": "too_many_searches",
                        },
                    ),
                ),
            },
            examples=[response_body("Customer", _("A gold-tier customer"), CUSTOMER)],
        ),
        "retrieve": operation(
            summary=_("Get a customer"),
            description=_("The customer with their services.") + "\n\n" + MASKED,
            responses={200: output},
            examples=[
                response_body("Masked", _("Numbers masked"), CUSTOMER),
                response_body(
                    "InFull",
                    _("To a client whose service user may see numbers in full"),
                    CUSTOMER_IN_FULL,
                ),
            ],
        ),
        "create": operation(
            summary=_("Register a customer"),
            description=_(
                "The phone may be written in any usual form (+86, spaces, dashes) and is "
                "stored normalised; the resident ID number is checked (length, date, check "
                "digit) and stored encrypted. One person has one record: a second customer "
                "with the same ID number is refused, their lines are services of the first. "
                "The answer shows the new customer as a read would."
            ),
            request=payload,
            responses={201: output},
            errors={
                400: refusal(
                    _(
                        "A field is missing or refused: a phone that is no mainland number, a "
                        "resident ID number that is malformed or already registered, an unknown "
                        "choice or account manager."
                    ),
                    PHONE_REFUSED,
                    error_body(
                        "DuplicateResidentId",
                        _("The ID number is registered already"),
                        {"id_number": ["已有客户使用该身份证号登记。"]},
                    ),
                ),
            },
            examples=[
                request_body(
                    "NewCustomer", _("A prepaid customer from a rural area"), NEW_CUSTOMER
                ),
                response_body("Registered", _("The registered customer"), REGISTERED, 201),
            ],
        ),
        "partial_update": operation(
            summary=_("Change a customer's details"),
            description=_(
                "Send only the fields to change; they are checked as at registration. A "
                "change that alters nothing records nothing; every other change is kept in "
                "the customer's history with who made it."
            ),
            request=payload,
            responses={200: output},
            errors={
                400: refusal(
                    _("A field is refused, as at registration."),
                    PHONE_REFUSED,
                ),
            },
            examples=[
                request_body(
                    "Upgrade",
                    _("Moved to the diamond tier, with an account manager"),
                    {"vip_tier": "diamond", "account_manager": 7},
                ),
                response_body(
                    "Changed", _("The customer afterwards"), {**CUSTOMER, "vip_tier": "diamond"}
                ),
            ],
        ),
    }


# ---------------------------------------------------------------- contacts


def contact_operations(*, output, payload, recording) -> dict:
    """The ContactViewSet's operations, given its output and input serializers."""
    return {
        "list": operation(
            summary=_("List contacts"),
            description=_(
                "Calls, chats, visits and messages, latest first, 50 to a page (`page_size` "
                "up to 200), paged by `cursor`; filter by channel, agent, customer and day."
            )
            + "\n\n"
            + MASKED,
            responses={200: output(many=True)},
            errors={
                400: refusal(
                    _(
                        "A filter value that is refused (an unknown channel or agent, a "
                        "malformed day)."
                    ),
                    error_body(
                        "BadDay",
                        _("A day that is no date"),
                        {"queued_from": ["输入一个有效的日期。"]},
                    ),
                ),
            },
            examples=[response_body("Contact", _("A hotline call"), CONTACT)],
        ),
        "retrieve": operation(
            summary=_("Get a contact"),
            description=MASKED,
            responses={200: output},
            examples=[response_body("Contact", _("A hotline call"), CONTACT)],
        ),
        "create": operation(
            summary=_("Record a contact from a channel"),
            description=_(
                "The CTI, chat or walk-in system reports a contact; it feeds the service "
                "level. Without `customer`, the contact is linked to the customer the caller "
                "number belongs to when exactly one does. Sending the same `channel` and "
                "`external_id` again returns the contact recorded the first time and "
                "records nothing new (201 both times)."
            ),
            request=payload,
            responses={201: output},
            errors={
                400: refusal(
                    _(
                        "A field is missing or refused: times out of order (answered before "
                        "queued, ended before answered), a caller number that is no phone "
                        "number, an unknown customer or agent."
                    ),
                    error_body(
                        "TimesOutOfOrder",
                        _("Answered before it came in"),
                        {"answered_at": ["应答时间不能早于接入时间。"]},
                    ),
                ),
            },
            examples=[
                request_body("HotlineCall", _("A call the CTI reports when it ends"), NEW_CONTACT),
                response_body("Recorded", _("The contact, linked to its customer"), CONTACT, 201),
            ],
        ),
        "partial_update": operation(
            summary=_("Attach a contact's recording and transcript"),
            description=_(
                "After the contact, the CTI posts where its recording is served "
                "(`recording_url`), its length in seconds and, when it has one, the "
                "transcript; chat posts the conversation's text. Fields left out keep "
                "their value. The recording is played from the CTI's URL, never copied."
            ),
            request=recording,
            responses={200: output},
            examples=[
                request_body(
                    "Recording",
                    _("The CTI posts the call's recording and transcript"),
                    {
                        "recording_url": CONTACT["recording_url"],
                        "recording_seconds": 393,
                        "transcript": "坐席：您好，很高兴为您服务。\n客户：我想开通国际漫游。",
                    },
                ),
                response_body("Attached", _("The contact with its recording"), CONTACT),
            ],
            errors={
                400: refusal(
                    _("A URL that is no http or https address, or a negative duration."),
                    error_body(
                        "BadUrl",
                        _("Not a web address"),
                        {"recording_url": ["输入一个有效的 URL。"]},
                    ),
                ),
            },
        ),
    }
