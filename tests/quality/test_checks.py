"""Automatic checks on every transcript (issue 17 item 10): each rule kind on constructed
Chinese transcripts, hits shown in place on the evaluation page, hits raising the sampling
weight, and per-agent hit rates over every checked contact."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quality import checks, services
from quality.models import CheckHit, CheckRule, ContactCheck, Sample
from tests.factories import AgentFactory, ContactFactory, UserFactory
from tests.quality.conftest import make_sample

pytestmark = pytest.mark.django_db

POLITE = "坐席：您好，很高兴为您服务\n客户：查话费\n坐席：本月 86 元。感谢您的来电，再见"


def _hits(text: str, name: str) -> list[checks.Hit]:
    rule = CheckRule.objects.get(name=name)
    return checks.check(text, [checks.compile_rule(rule)])


def test_a_polite_call_hits_nothing():
    rules = [checks.compile_rule(r) for r in CheckRule.objects.all()]
    assert checks.check(POLITE, rules) == []


def test_a_missing_greeting_or_closing_is_a_hit_on_the_whole_transcript():
    rude = "坐席：喂？\n客户：查话费\n坐席：86 块。"
    assert [(h.line, h.start) for h in _hits(rude, "问候语")] == [(0, 0)]
    assert len(_hits(rude, "结束语")) == 1
    # The customer's words do not count as the agent's greeting.
    assert len(_hits("客户：您好\n坐席：说", "问候语")) == 1


def test_forbidden_words_are_found_as_whole_words_in_the_agents_lines():
    text = "坐席：您好\n客户：你们这个滚动条有问题\n坐席：这个我不知道，你自己看\n坐席：滚"
    hits = _hits(text, "服务禁语")
    line = text.splitlines()[2]
    assert [(h.line, line[h.start : h.end]) for h in hits] == [(3, "不知道"), (3, "你自己看")]
    abuse = _hits(text, "辱骂用语")
    assert [h.line for h in abuse] == [4]  # 滚动条 (line 2, and the customer's) is no abuse
    assert _hits("坐席：请您稍等，页面正在滚动加载", "辱骂用语") == []


def test_reading_out_a_full_id_or_phone_number_is_a_critical_candidate():
    text = "坐席：您的身份证号是 110105198001011234 对吗\n坐席：手机号 13912345678\n坐席：尾号 5678"
    ids = _hits(text, "读出完整身份证号")
    phones = _hits(text, "读出完整手机号")
    assert [(h.line, text.splitlines()[0][h.start : h.end]) for h in ids] == [
        (1, "110105198001011234")
    ]
    assert [h.line for h in phones] == [2]  # never inside the ID number, never a tail
    assert CheckRule.objects.get(name="读出完整身份证号").is_critical


def test_long_silences_and_holds_the_cti_marks_are_hits():
    text = "坐席：请稍等\n[保持 45秒]\n坐席：让您久等了\n[静音 10秒]"
    hits = _hits(text, "长时间静音或保持")
    assert [h.line for h in hits] == [2]


def test_a_rule_that_cannot_run_is_refused_by_its_form():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        CheckRule(name="坏", kind="pattern", phrases="(unclosed").full_clean()
    with pytest.raises(ValidationError):
        CheckRule(name="空", kind="silence").full_clean()


def test_every_new_or_changed_transcript_is_checked_once(agent_user):
    rude = ContactFactory(agent=agent_user, transcript="坐席：喂\n坐席：滚")
    ContactFactory(agent=agent_user, transcript=POLITE)
    ContactFactory(agent=agent_user)  # no transcript: nothing to check

    assert services.transcripts_check() == 2
    assert services.transcripts_check() == 0
    assert ContactCheck.objects.get(contact=rude).hit_count == 3  # greeting, closing, abuse
    rude.transcript = POLITE
    rude.save()
    assert services.transcripts_check() == 1
    assert not CheckHit.objects.filter(check_row__contact=rude).exists()


def test_hits_raise_a_contacts_sampling_weight(agent_user):
    when = datetime.datetime(2026, 11, 3, 2, tzinfo=datetime.UTC)
    # Six contacts for a sample of at least five: some of the three hits are always
    # drawn, whatever the seed (the agent's id) makes of the weights.
    for n in range(6):
        ContactFactory(
            agent=agent_user,
            queued_at=when + datetime.timedelta(hours=n),
            transcript="坐席：滚" if n < 3 else POLITE,
        )
    services.transcripts_check()
    candidates = services._candidates(datetime.date(2026, 11, 1), 3.0)[agent_user.pk]
    heavy = [c for c in candidates if c.weight > 1]
    assert len(heavy) == 3 and heavy[0].weight == 1 + 0.5 + 0.5 + 3.0
    services.sampling_build(datetime.date(2026, 11, 1))
    assert Sample.objects.filter(reason="rule_hits").count() >= 1


def test_hits_show_in_place_on_the_evaluation_page(client, qa_user, agent_user):
    sample = make_sample(agent_user, inspector=qa_user)
    sample.contact.transcript = "坐席：您好\n坐席：号码是 13912345678\n坐席：再见"
    sample.contact.save()
    services.transcripts_check()
    evaluation = services.evaluation_start(sample, by=qa_user)
    client.force_login(qa_user)
    page = client.get(reverse("quality:evaluation", args=[evaluation.pk])).content.decode()
    line = page[page.index('id="qa-line-2"') : page.index('id="qa-line-3"')]
    assert "读出完整手机号" in line and "badge-bad" in line


def test_per_agent_hit_rates_cover_every_contact_in_constant_queries(
    client, manager_user, agent_user
):
    when = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    for text in ("坐席：滚", POLITE, POLITE, POLITE):
        ContactFactory(agent=agent_user, queued_at=when, transcript=text)
    services.transcripts_check()
    client.force_login(manager_user)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("quality:check_rates")).content.decode()
    assert "25.0" in page  # one contact in four used abuse
    for n in range(3):
        other = UserFactory(username=f"c{n}", roles=["agent"])
        AgentFactory(user=other)
        ContactFactory(agent=other, queued_at=when, transcript="坐席：滚")
    services.transcripts_check()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("quality:check_rates"))
    assert len(many.captured_queries) == len(few.captured_queries)
    client.force_login(agent_user)
    assert client.get(reverse("quality:check_rates")).status_code == 403
