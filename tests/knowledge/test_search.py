"""Chinese full-text search (DOMAIN.md KB-5, P-14): jieba words in a weighted tsvector on
PostgreSQL, title before tags before body, highlights, filters, a fallback to any word."""

import pytest

from knowledge import search, selectors
from knowledge.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def titles(user, **params) -> list[str]:
    return [article.title for article in selectors.article_search(user, params).articles]


def test_segmentation_cuts_chinese_into_words_and_long_words_into_shorter_ones():
    assert search.words("如何办理宽带故障报修") == ["如何", "办理", "宽带", "故障", "报修"]
    assert {"国际", "漫游", "国际漫游"} <= set(search.words("国际漫游开通"))
    assert search.words("5G 套餐？") == ["5g", "套餐"]


def test_a_query_drops_stop_words_unless_nothing_else_is_left():
    assert search.Query.parse("如何办理宽带").words == ("办理", "宽带")
    assert search.Query.parse("怎么").words == ("怎么",)


def test_kuandai_baoxiu_finds_how_to_report_a_broadband_fault(agent_user):
    make_article("如何办理宽带故障报修", "核实身份后登记故障单。")
    make_article("国际漫游开通", "出国前开通。")

    assert titles(agent_user, q="宽带报修") == ["如何办理宽带故障报修"]


def test_title_hits_rank_before_tag_hits_before_body_hits(agent_user):
    make_article("光猫指示灯说明", "宽带报修前先看光猫，宽带报修请拨打 10000。宽带报修。")
    make_article("停机保号", "保号期间不能使用。", tags=["宽带", "报修"])
    make_article("如何办理宽带故障报修", "核实身份后登记故障单。")

    assert titles(agent_user, q="宽带报修") == [
        "如何办理宽带故障报修",
        "停机保号",
        "光猫指示灯说明",
    ]


def test_a_common_word_ranks_only_the_newest_matches_of_each_tier_and_says_so(agent_user, settings):
    settings.KNOWLEDGE_SEARCH_CANDIDATES = 2
    make_article("宽带报修旧文", "核实身份。")  # the oldest title hit: beyond the newest two
    make_article("宽带报修说明", "核实身份。")
    make_article("光猫说明", "核实身份。", tags=["宽带"])
    make_article("停机保号", "宽带用户保号期间不能使用。")
    make_article("积分兑换", "宽带积分可兑换。")
    make_article("国际漫游开通", "宽带用户出国前开通。")

    page = selectors.article_search(agent_user, {"q": "宽带 "})

    # Title and tags first (the newest two, ranked), then the body's newest two, ranked.
    assert [a.title for a in page.articles] == [
        "宽带报修说明",
        "光猫说明",
        "国际漫游开通",
        "积分兑换",
    ]
    assert page.more_matches is True
    settings.KNOWLEDGE_SEARCH_CANDIDATES = 3
    page = selectors.article_search(agent_user, {"q": "宽带 "})
    assert [a.title for a in page.articles] == [
        "宽带报修说明",
        "宽带报修旧文",
        "光猫说明",
        "国际漫游开通",
        "积分兑换",
        "停机保号",
    ]
    assert page.more_matches is False


def test_body_matches_are_ranked_only_when_title_and_tags_do_not_fill_the_page(
    agent_user, django_assert_num_queries
):
    for n in range(21):
        make_article(f"宽带报修第{n}条", "核实身份。")
    make_article("停机保号", "宽带报修期间保号。")
    selectors.article_search(agent_user, {"q": "预热"})  # permissions, jieba's dictionary

    # The ranked ids (both tiers in one statement), the page's rows and their tags.
    with django_assert_num_queries(3):
        page = selectors.article_search(agent_user, {"q": "宽带报修"})
    assert page.has_next and "停机保号" not in [a.title for a in page.articles]
    with django_assert_num_queries(3):
        second = selectors.article_search(agent_user, {"q": "宽带报修"}, page=2)
    assert [a.title for a in second.articles] == ["宽带报修第0条", "停机保号"]


def test_the_search_page_asks_for_a_more_precise_query_when_more_matched(
    client, agent_user, settings
):
    settings.KNOWLEDGE_SEARCH_CANDIDATES = 1
    make_article("宽带报修说明")
    make_article("宽带资费说明")
    client.force_login(agent_user)

    narrowed = client.get("/knowledge/", {"q": "宽带"}).content.decode()
    precise = client.get("/knowledge/", {"q": "宽带资费"}).content.decode()

    assert "多加一个词语可找到其余文章" in narrowed and "资费说明" in narrowed  # the newest
    assert "报修说明" not in narrowed
    assert "多加一个词语" not in precise


def test_the_last_word_matches_as_a_prefix_while_it_is_being_typed(agent_user):
    make_article("如何办理宽带故障报修")

    typing = selectors.article_search(agent_user, {"q": "宽带报"})
    finished = selectors.article_search(agent_user, {"q": "宽带报 "})  # 报 as a whole word

    assert [a.title for a in typing.articles] == ["如何办理宽带故障报修"]
    assert typing.any_word is False
    assert finished.any_word is True  # only 宽带 matched: no article has the word 报


def test_with_no_article_holding_every_word_the_search_falls_back_to_any_word(agent_user):
    make_article("如何办理宽带故障报修")
    make_article("国际漫游开通")

    page = selectors.article_search(agent_user, {"q": "宽带报休"})  # a typo: 休 for 修

    assert [a.title for a in page.articles] == ["如何办理宽带故障报修"]
    assert page.any_word is True
    assert selectors.article_search(agent_user, {"q": "宽带报修"}).any_word is False


def test_filters_narrow_by_kind_tag_and_category(agent_user):
    from worktickets.models import InquiryCategory

    broadband = InquiryCategory.objects.get(code="technical_broadband")
    make_article("宽带报修口径", kind="answer", wording="您好，已为您登记。", category=broadband)
    make_article("宽带报修说明", tags=["光猫"])

    assert titles(agent_user, q="宽带", kind="answer") == ["宽带报修口径"]
    assert titles(agent_user, q="宽带", tag="光猫") == ["宽带报修说明"]
    assert titles(agent_user, category="technical_broadband") == ["宽带报修口径"]
    # A top-level category includes its sub-categories.
    assert titles(agent_user, category="technical") == ["宽带报修口径"]


def test_a_bad_filter_is_a_validation_error_not_an_empty_page(agent_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        selectors.article_search(agent_user, {"kind": "gossip"})
    assert "kind" in refused.value.message_dict


def test_only_published_text_is_searched(agent_user):
    make_article("宽带报修草稿", published=False)
    published = make_article("如何办理宽带故障报修")

    assert titles(agent_user, q="宽带报修") == [published.title]
    assert Article.objects.count() == 2


def test_highlights_mark_the_words_and_escape_the_rest():
    query = search.Query.parse("宽带报修")

    marked = search.highlight("<b>宽带</b>故障报修", query)

    assert marked == "&lt;b&gt;<mark>宽带</mark>&lt;/b&gt;故障<mark>报修</mark>"


def test_an_excerpt_starts_near_the_first_word_found():
    query = search.Query.parse("报修")
    text = "开头" * 100 + "宽带报修请拨打 10000。"

    excerpt = search.excerpt(text, query, length=30)

    assert excerpt.startswith("…") and "<mark>报修</mark>" in excerpt


def test_the_search_page_shows_highlighted_results_in_a_constant_number_of_queries(
    client, agent_user, django_assert_max_num_queries
):
    for n in range(6):
        make_article(f"宽带报修第{n}条", tags=["宽带", f"标签{n}"])
    client.force_login(agent_user)
    client.get("/knowledge/?q=宽带")  # permissions and the session read once

    with django_assert_max_num_queries(12) as few:
        few_page = client.get("/knowledge/?q=宽带报修")
    for n in range(6, 18):
        make_article(f"宽带报修第{n}条", tags=["宽带", f"标签{n}"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        many_page = client.get("/knowledge/?q=宽带报修")

    assert few_page.status_code == many_page.status_code == 200
    assert "<mark>宽带</mark>" in many_page.content.decode()
