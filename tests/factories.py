"""Factories and personas shared by every app's tests."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from csc.lib.resident_id import check_code
from intake.choices import Channel
from intake.models import Contact, Customer, CustomerService
from staffing.models import Agent, ApiClient, Team, User
from worktickets import services as ticket_services
from worktickets.choices import STATUS_CATEGORY
from worktickets.models import BusinessType, Ticket

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="zh_CN")
    last_name = factory.Faker("last_name", locale="zh_CN")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get(name=role) for role in extracted])
        if create:
            self.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = Team.Kind.HOTLINE


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    user = factory.SubFactory(UserFactory)
    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    team = factory.SubFactory(TeamFactory)


def make_mobile(n: int) -> str:
    return f"139{n:08d}"


def make_resident_id(n: int) -> str:
    first17 = f"110105{19800101 + (n % 28):08d}{n % 1000:03d}"
    return first17 + check_code(first17)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name", locale="zh_CN")
    phone = factory.Sequence(make_mobile)
    id_number = factory.Sequence(make_resident_id)
    city = "北京"
    vip_tier = "none"
    # Grade service is for postpaid VIPs only (CA-4): a customer given a tier is
    # postpaid unless the test says otherwise (prepaid-with-tier tests pass it).
    payment_type = factory.LazyAttribute(
        lambda o: "prepaid" if o.vip_tier == "none" else "postpaid"
    )


class CustomerServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerService

    customer = factory.SubFactory(CustomerFactory)
    service_type = "mobile"
    number = factory.Sequence(lambda n: f"186{n:08d}")
    plan = "4G 套餐 59 元"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    channel = Channel.HOTLINE
    customer = factory.SubFactory(CustomerFactory)
    caller_number = factory.LazyAttribute(lambda o: o.customer.phone if o.customer else "")
    queued_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=10))
    answered_at = factory.LazyAttribute(lambda o: o.queued_at + datetime.timedelta(seconds=15))
    ended_at = factory.LazyAttribute(lambda o: o.answered_at + datetime.timedelta(minutes=4))
    summary = "咨询套餐余量"


def make_api_client(name: str = "cti", scopes: list[str] | None = None, rate: str = ""):
    """An API client and its plain key."""
    user = UserFactory(username=f"api-{name}")
    client = ApiClient(name=name, scopes=scopes or [], service_user=user, rate=rate)
    key = client.set_new_key()
    client.save()
    return client, key


def business_type(code: str):
    return BusinessType.objects.get(code=code)


def make_ticket(*, created_by, kind="inquiry", channel="hotline", customer=None, **fields):
    """A ticket opened through the service, as the desk or the API would."""
    if kind == "business" and customer is None:
        customer = CustomerFactory(payment_type="postpaid")
    return ticket_services.ticket_create(
        kind=kind,
        channel=channel,
        subject=fields.pop("subject", "查询流量余额"),
        created_by=created_by,
        customer=customer,
        **fields,
    ).ticket


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket row written directly (fast, for lists and the SLA engine).

    Use make_ticket() when the test is about ticket creation itself.
    """

    class Meta:
        model = Ticket

    number = factory.Sequence(lambda n: f"T20260101-{n:06d}")
    kind = "inquiry"
    status = "new"
    status_category = factory.LazyAttribute(lambda o: STATUS_CATEGORY[o.status])
    channel = "hotline"
    customer = factory.SubFactory(CustomerFactory)
    team = factory.SubFactory(TeamFactory)
    first_contact_agent = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("first_contact_agent")
    subject = "查询套餐余量"


def make_complaint(**kwargs):
    """A complaint recorded through the service, as the intake form or the API would."""
    return record_complaint(**kwargs).complaint


def record_complaint(
    *, recorded_by, category="billing", channel="hotline", customer=None, **fields
):
    """make_complaint's complaint with what its creation wrote (its timeline, its clocks)."""
    from complaints.services import ComplaintIntake, complaint_record

    if customer is None and "customer_name" not in fields:
        customer = CustomerFactory()
    fields.setdefault("content", "上月账单多扣了 30 元套餐外流量费")
    intake = ComplaintIntake(channel=channel, category=category, customer=customer, **fields)
    return complaint_record(intake, recorded_by=recorded_by)


class BusinessTicketFactory(TicketFactory):
    """A business order row written directly, at acceptance (受理)."""

    kind = "business"
    status = "accepted"
    customer = factory.SubFactory(CustomerFactory, payment_type="postpaid")
    business_type = factory.LazyFunction(lambda: business_type("product_order_change"))
    order_details = factory.LazyFunction(lambda: {"套餐": "59 元"})


def make_article(
    title: str = "如何办理宽带故障报修",
    body: str = "拨打 10000 报修。",
    *,
    kind: str = "article",
    wording: str = "",
    tags=(),
    category=None,
    writer=None,
    reviewer=None,
    published: bool = True,
    **settings,
):
    """An article written, submitted and published through the services (a draft when
    `published` is false). The writer edits (team lead), the reviewer publishes."""
    from knowledge import services as knowledge_services

    writer = writer or UserFactory(username="kb-writer", roles=["team_lead"])
    reviewer = reviewer or UserFactory(username="kb-reviewer", roles=["cs_manager"])
    article = knowledge_services.article_create(
        by=writer,
        kind=kind,
        title=title,
        body=body,
        wording=wording,
        tags=tags,
        category=category,
        **settings,
    )
    if published:
        version = article.versions.get()
        knowledge_services.version_submit(version, by=writer)
        knowledge_services.version_publish(version, by=reviewer)
        article.refresh_from_db()
    return article
