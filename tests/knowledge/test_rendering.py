"""Article bodies are Markdown rendered on the server and sanitised: no script reaches a reader."""

import pytest

from knowledge.rendering import plain_text, render_body
from tests.factories import make_article


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert('x')</script>",
        '<img src="x" onerror="alert(1)">',
        "[点我](javascript:alert(1))",
        '<a href="javascript:alert(1)">点我</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p onclick="alert(1)">文字</p>',
        "<style>body{display:none}</style>",
        '<svg onload="alert(1)"></svg>',
    ],
)
def test_sanitising_strips_scripts_handlers_frames_and_script_urls(hostile):
    rendered = render_body(f"正文\n\n{hostile}\n\n结尾")

    lowered = rendered.lower()
    forbidden = ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<style")
    assert [word for word in forbidden if word in lowered] == []
    assert "正文" in rendered and "结尾" in rendered


def test_markdown_keeps_headings_lists_tables_and_safe_links():
    rendered = render_body(
        "## 步骤\n\n- 重启光猫\n- 测速\n\n| 灯 | 含义 |\n|---|---|\n| LOS | 断纤 |\n\n"
        "[测速](https://speed.example.cn)"
    )

    assert "<h2>步骤</h2>" in rendered
    assert "<li>重启光猫</li>" in rendered
    assert "<td>LOS</td>" in rendered
    assert 'href="https://speed.example.cn"' in rendered
    assert 'rel="noopener noreferrer nofollow"' in rendered


def test_plain_text_keeps_the_words_without_markup():
    assert plain_text(render_body("**粗体** &amp; <b>x</b>\n\n- 一\n- 二")) == "粗体 & x\n一\n二"


@pytest.mark.django_db
def test_a_published_article_page_carries_no_script_from_its_body(client, agent_user):
    article = make_article("光猫说明", "说明\n\n<script>document.title='pwned'</script>")
    client.force_login(agent_user)

    page = client.get(f"/knowledge/{article.pk}/").content.decode()

    assert "pwned" not in page
    assert "<script>document" not in page
