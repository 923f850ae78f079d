import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Contact, Customer, PersonalDataAccess
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    CustomerServiceFactory,
    UserFactory,
    make_ticket,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("intake:customer_search")
REGISTER = reverse("intake:customer_register")
CONTACTS = reverse("intake:contact_list")
RECORD = reverse("intake:contact_record")
ACCESS_LOG = reverse("intake:access_log")


def detail_url(customer) -> str:
    return reverse("intake:customer_detail", args=[customer.pk])


def edit_url(customer) -> str:
    return reverse("intake:customer_edit", args=[customer.pk])


# --- permissions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["customer_search", "customer_register", "contact_list", "access_log"]
)
def test_signed_out_visitors_are_sent_to_sign_in(client, url_name):
    response = client.get(reverse(f"intake:{url_name}"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "url_name", ["customer_search", "customer_register", "contact_list", "contact_record"]
)
def test_a_user_without_a_role_is_refused(signed_in, url_name):
    client = signed_in(UserFactory())

    assert client.get(reverse(f"intake:{url_name}")).status_code == 403


def test_qa_may_read_customers_but_not_register_or_edit_them(signed_in, qa_user):
    customer = CustomerFactory()
    client = signed_in(qa_user)

    assert client.get(detail_url(customer)).status_code == 200
    assert client.get(REGISTER).status_code == 403
    assert client.post(edit_url(customer), {"name": "x"}).status_code == 403
    assert client.get(RECORD).status_code == 403


def test_the_access_log_is_for_managers_only(signed_in, agent_user, lead_user, manager_user):
    assert signed_in(agent_user).get(ACCESS_LOG).status_code == 403
    assert signed_in(lead_user).get(ACCESS_LOG).status_code == 403
    assert signed_in(manager_user).get(ACCESS_LOG).status_code == 200


def test_an_unknown_customer_is_404(signed_in, agent_user):
    client = signed_in(agent_user)

    assert client.get("/customers/999999/").status_code == 404
    assert client.get("/customers/99999999999999999999/").status_code == 404


# --- search -----------------------------------------------------------------------------


def test_search_by_name_lists_matching_customers(signed_in, agent_user):
    CustomerFactory(name="张三", vip_tier="gold")
    CustomerFactory(name="李四")

    response = signed_in(agent_user).get(SEARCH, {"q": "张"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "张三" in content and "李四" not in content
    assert 'class="badge tier-gold"' in content


def test_search_as_you_type_answers_htmx_with_the_results_only(signed_in, agent_user):
    CustomerFactory(name="张三")

    response = signed_in(agent_user).get(SEARCH, {"q": "张"}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert "张三" in content
    assert "<html" not in content


def test_search_page_without_javascript_has_a_plain_form(signed_in, agent_user):
    content = signed_in(agent_user).get(SEARCH).content.decode()

    assert 'method="get"' in content
    assert 'name="q"' in content
    assert 'hx-get="/customers/"' in content
    assert '<button type="submit"' in content


def test_a_full_phone_that_finds_one_customer_opens_their_page(signed_in, agent_user):
    customer = CustomerFactory(phone="13800138000")

    response = signed_in(agent_user).get(SEARCH, {"q": "138-0013-8000"})

    assert response.status_code == 302
    assert response["Location"] == detail_url(customer)


def test_a_phone_that_finds_nobody_offers_to_register_with_it(signed_in, agent_user):
    response = signed_in(agent_user).get(SEARCH, {"q": "13800138000"})

    content = response.content.decode()
    assert "No customer found" in content
    assert f"{REGISTER}?phone=13800138000" in content


def test_a_fragment_of_a_number_is_not_searched(signed_in, agent_user):
    CustomerFactory(phone="13800138000")

    response = signed_in(agent_user).get(SEARCH, {"q": "1380013"})

    content = response.content.decode()
    assert "Enter the whole number" in content
    assert "138****8000" not in content


@pytest.mark.parametrize("persona", ["agent_user", "lead_user"])
def test_search_page_query_count_does_not_grow_with_results(signed_in, persona, request):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(request.getfixturevalue(persona))
    counts = []
    for batch in (10, 40):  # 10, then 50 matching customers
        CustomerFactory.create_batch(batch, name="王小明")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(SEARCH, {"q": "王"})
        assert response.status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1]


# --- customer page ----------------------------------------------------------------------


def test_customer_page_shows_segment_services_contacts_and_a_history_link(signed_in, agent_user):
    manager = UserFactory(first_name="经理", last_name="王")
    customer = CustomerFactory(
        name="赵六",
        vip_tier="diamond",
        customer_type="family",
        payment_type="postpaid",
        region="rural",
        city="湖州",
        account_manager=manager,
    )
    CustomerServiceFactory(customer=customer, number="18600000001", plan="5G 畅享 129 元")
    ContactFactory(customer=customer, summary="询问宽带装机进度", channel="online_chat")

    response = signed_in(agent_user).get(detail_url(customer))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'class="badge tier-diamond"' in content
    for text in ("Family", "Postpaid", "Postpaid VIP", "Rural", "湖州", manager.display_name):
        assert text in content
    assert "5G 畅享 129 元" in content
    assert "询问宽带装机进度" in content and "Online chat" in content
    assert reverse("intake:customer_history", args=[customer.pk]) in content


def test_customer_history_shows_who_changed_what(signed_in, agent_user, lead_user):
    from intake import services

    customer = services.customer_register(
        name="周七", phone="13800138000", registered_by=agent_user
    )
    services.customer_update(customer, changed_by=lead_user, vip_tier="gold", city="宁波")

    response = signed_in(agent_user).get(reverse("intake:customer_history", args=[customer.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert lead_user.display_name in content and agent_user.display_name in content
    assert "Gold" in content and "宁波" in content
    assert "138****8000" in content and "13800138000" not in content


# --- register and edit ------------------------------------------------------------------


def valid_customer_form(**fields) -> dict:
    return {
        "name": "孙八",
        "phone": "138 0013 8000",
        "id_number": "",
        "customer_type": "individual",
        "payment_type": "prepaid",
        "vip_tier": "none",
        "region": "urban",
        "city": "北京",
        "account_manager": "",
        **fields,
    }


def test_registering_a_customer_saves_it_and_opens_its_page(signed_in, agent_user):
    response = signed_in(agent_user).post(REGISTER, valid_customer_form())

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(customer)
    assert customer.phone == "13800138000"
    assert customer.history.get().history_user == agent_user


def test_a_bad_register_form_shows_messages_and_keeps_what_was_typed(signed_in, agent_user):
    response = signed_in(agent_user).post(
        REGISTER, valid_customer_form(phone="12345", id_number="110105194912310021", city="苏州")
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Enter a mainland mobile number" in content
    assert "check digit" in content
    assert 'value="12345"' in content
    assert 'value="110105194912310021"' in content
    assert 'value="孙八"' in content and 'value="苏州"' in content
    assert not Customer.objects.exists()


def test_a_duplicate_resident_id_is_reported_on_its_field(signed_in, agent_user):
    CustomerFactory(id_number="11010519491231002X")

    response = signed_in(agent_user).post(
        REGISTER, valid_customer_form(id_number="11010519491231002X")
    )

    assert "already registered" in response.content.decode()
    assert Customer.objects.count() == 1


def test_phone_and_id_are_checked_as_they_are_typed(signed_in, agent_user):
    client = signed_in(agent_user)
    check = reverse("intake:customer_field_check", args=["phone"])

    bad = client.post(check, {"phone": "12345"}, HTTP_HX_REQUEST="true")
    good = client.post(check, {"phone": "0571-8888 6666"}, HTTP_HX_REQUEST="true")
    empty = client.post(check, {"phone": ""}, HTTP_HX_REQUEST="true")

    assert "Enter a mainland mobile number" in bad.content.decode()
    assert good.content.decode().strip() == ""
    assert empty.content.decode().strip() == ""
    assert client.post(reverse("intake:customer_field_check", args=["name"])).status_code == 404


def test_register_form_wires_the_live_checks(signed_in, agent_user):
    content = signed_in(agent_user).get(REGISTER).content.decode()

    assert f'hx-post="{reverse("intake:customer_field_check", args=["phone"])}"' in content
    assert 'hx-target="#errors-id_number"' in content


def test_an_agent_edits_without_ever_receiving_the_full_numbers(signed_in, agent_user):
    customer = CustomerFactory(phone="13812341234", id_number="11010519491231002X")
    client = signed_in(agent_user)

    page = client.get(edit_url(customer)).content.decode()
    response = client.post(edit_url(customer), valid_customer_form(phone="", name="新名字"))

    assert "13812341234" not in page and "11010519491231002X" not in page
    assert "138****1234" in page
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("新名字", "13812341234")
    assert customer.id_number == "11010519491231002X"
    assert not PersonalDataAccess.objects.exists()


def test_an_agent_may_replace_a_number_by_typing_the_new_one(signed_in, agent_user):
    customer = CustomerFactory(phone="13812341234")

    signed_in(agent_user).post(edit_url(customer), valid_customer_form(phone="0571 8888 6666"))

    customer.refresh_from_db()
    assert customer.phone == "057188886666"


def test_a_bad_edit_keeps_the_typed_values_and_saves_nothing(signed_in, lead_user):
    customer = CustomerFactory(name="原名")

    response = signed_in(lead_user).post(
        edit_url(customer), valid_customer_form(phone="1", name="新")
    )

    assert "Enter a mainland mobile number" in response.content.decode()
    assert 'value="新"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "原名"


def test_adding_a_service_shows_it_on_the_customer_page(signed_in, agent_user):
    customer = CustomerFactory()
    client = signed_in(agent_user)

    response = client.post(
        reverse("intake:service_add", args=[customer.pk]),
        {"service_type": "mobile", "number": "186 0000 0007", "plan": "畅享", "status": "active"},
    )

    assert response.status_code == 302
    assert customer.services.get().number == "18600000007"
    assert "186****0007" in client.get(detail_url(customer)).content.decode()


def test_a_bad_service_number_is_reported_on_its_field(signed_in, agent_user):
    customer = CustomerFactory()

    response = signed_in(agent_user).post(
        reverse("intake:service_add", args=[customer.pk]),
        {"service_type": "fixed", "number": "18600000007", "status": "active"},
    )

    assert "fixed-line number" in response.content.decode()
    assert not customer.services.exists()


# --- contacts ---------------------------------------------------------------------------


def test_recording_a_contact_from_the_customer_page(signed_in, agent_user):
    customer = CustomerFactory()
    client = signed_in(agent_user)

    form_page = client.get(RECORD, {"customer": customer.pk})
    response = client.post(
        RECORD,
        {
            "customer": customer.pk,
            "channel": "walk_in",
            "queued_at": "2026-03-02T09:00",
            "answered_at": "2026-03-02T09:03",
            "ended_at": "2026-03-02T09:15",
            "disposition": "resolved",
            "summary": "办理停机保号",
        },
    )

    assert customer.name in form_page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == detail_url(customer)
    contact = Contact.objects.get()
    assert (contact.customer, contact.agent, contact.channel) == (customer, agent_user, "walk_in")
    assert contact.queued_at == datetime.datetime(
        2026, 3, 2, 1, 0, tzinfo=datetime.UTC
    )  # 09:00 in Asia/Shanghai


def test_a_contact_recorded_as_ticket_opened_goes_on_to_the_ticket_form_prefilled(
    signed_in, agent_user
):
    customer = CustomerFactory(name="孙七")
    client = signed_in(agent_user)

    response = client.post(
        RECORD,
        {
            "customer": customer.pk,
            "channel": "online_chat",
            "queued_at": "2026-03-02T09:00",
            "disposition": "ticket_opened",
            "summary": "宽带晚上经常掉线\n已重启光猫，仍未恢复",
        },
    )

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('worktickets:ticket_new')}?contact={contact.pk}"
    form = client.get(response["Location"]).context["form"]
    assert form["contact"].value() == contact.pk
    assert form["customer"].value() == customer.pk
    assert form["channel"].value() == "online_chat"
    assert form["subject"].value() == "宽带晚上经常掉线"
    assert form["description"].value() == contact.summary


def test_a_ticket_opened_contact_links_to_its_ticket_or_offers_to_open_it(signed_in, agent_user):
    customer = CustomerFactory()
    waiting = ContactFactory(customer=customer, disposition="ticket_opened", summary="待建单")
    done = ContactFactory(customer=customer, disposition="ticket_opened", summary="已建单")
    plain = ContactFactory(customer=customer, disposition="resolved", summary="当场解决")
    ticket = make_ticket(created_by=agent_user, customer=customer, contact=done)
    client = signed_in(agent_user)
    offer = f'href="{reverse("worktickets:ticket_new")}?contact={waiting.pk}"'
    link = f'href="{reverse("worktickets:ticket_detail", args=[ticket.pk])}"'

    for page in (client.get(CONTACTS), client.get(detail_url(customer))):
        content = page.content.decode()
        assert offer in content
        assert link in content and ticket.number in content
        assert f"?contact={done.pk}" not in content
        assert f"?contact={plain.pk}" not in content


def test_a_bad_contact_form_keeps_the_input_and_says_what_is_wrong(signed_in, agent_user):
    response = signed_in(agent_user).post(
        RECORD,
        {
            "channel": "hotline",
            "caller_number": "12",
            "queued_at": "2026-03-02T09:00",
            "answered_at": "2026-03-02T08:00",
            "summary": "客户来电咨询",
        },
    )

    content = response.content.decode()
    assert "Enter a mainland mobile number" in content
    assert "客户来电咨询" in content
    assert not Contact.objects.exists()


def test_a_contact_time_before_it_came_in_is_reported_on_its_field(signed_in, agent_user):
    response = signed_in(agent_user).post(
        RECORD,
        {"channel": "hotline", "queued_at": "2026-03-02T09:00", "answered_at": "2026-03-02T08:00"},
    )

    assert "cannot be answered before it came in" in response.content.decode()


def test_contact_list_filters_by_channel_and_customer(signed_in, agent_user):
    customer = CustomerFactory(name="钱九")
    ContactFactory(customer=customer, channel="online_chat", summary="想要的")
    ContactFactory(customer=customer, channel="hotline", summary="别的渠道")
    ContactFactory(channel="online_chat", summary="别的客户")

    response = signed_in(agent_user).get(
        CONTACTS, {"channel": "online_chat", "customer": customer.pk}
    )

    content = response.content.decode()
    assert "想要的" in content
    assert "别的渠道" not in content and "别的客户" not in content
    assert "钱九" in content


def test_contact_list_reports_a_bad_filter_instead_of_failing(signed_in, agent_user):
    response = signed_in(agent_user).get(
        CONTACTS, {"channel": "fax", "queued_from": "yesterday", "customer": "x"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_contact_list_is_paginated(signed_in, agent_user):
    now = timezone.now()
    for n in range(55):
        ContactFactory(queued_at=now - datetime.timedelta(minutes=n), summary=f"第{n:02d}条")
    client = signed_in(agent_user)

    first = client.get(CONTACTS).content.decode()
    second = client.get(CONTACTS, {"page": 2}).content.decode()

    assert "第00条" in first and "第49条" in first and "第50条" not in first
    assert "第54条" in second and "第00条" not in second


@pytest.mark.parametrize("persona", ["agent_user", "lead_user"])
def test_contact_list_query_count_does_not_grow_with_rows(signed_in, persona, request):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(request.getfixturevalue(persona))
    team = request.getfixturevalue("hotline_team")
    counts = []
    for batch in (10, 40):
        for _ in range(batch):
            contact = ContactFactory(
                agent=UserFactory(), caller_number="13900000000", disposition="ticket_opened"
            )
            make_ticket(created_by=contact.agent, team=team, contact=contact)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(CONTACTS)
        assert response.status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1]


def test_the_access_log_lists_who_saw_whose_data(signed_in, lead_user, manager_user):
    customer = CustomerFactory(name="吴十")
    reveal = reverse("intake:reveal", args=["phone", customer.pk])
    signed_in(lead_user).post(reveal, {"reveal_reason": "回拨客户"})

    response = signed_in(manager_user).get(ACCESS_LOG)

    content = response.content.decode()
    assert "吴十" in content
    assert lead_user.display_name in content
    assert reveal in content
    assert "回拨客户" in content


def test_pages_are_chinese_by_default(client, agent_user):
    client.force_login(agent_user)

    content = client.get(SEARCH).content.decode()

    assert "电话、身份证号或姓名" in content
