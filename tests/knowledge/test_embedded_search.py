"""Search works embedded too (`make run`: SQLite, no PostgreSQL full-text search): the same
words matched with LIKE, ranked by the same tiers, with the any-word fallback."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

SCRIPT = """
import json
from django.contrib.auth.models import Group
from django.db import connection
from knowledge import selectors, services
from staffing.models import User

def person(name, role):
    user = User.objects.create(username=name)
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)

writer, reviewer, agent = person("w", "team_lead"), person("r", "cs_manager"), person("a", "agent")
for title, body, tags in [
    ("光猫指示灯说明", "宽带报修前先看光猫。宽带报修请拨 10000。", []),
    ("停机保号", "保号期间不能使用。", ["宽带", "报修"]),
    ("如何办理宽带故障报修", "核实身份后登记故障单。", []),
    ("国际漫游开通", "出国前开通。", []),
]:
    article = services.article_create(by=writer, kind="article", title=title, body=body, tags=tags)
    version = services.version_submit(article.versions.get(), by=writer)
    services.version_publish(version, by=reviewer)

def search(q):
    page = selectors.article_search(agent, {"q": q})
    return {"titles": [a.title for a in page.articles], "any_word": page.any_word}

print(json.dumps({
    "vendor": connection.vendor,
    "every word": search("宽带报修"),
    "typing": search("宽带报"),
    "typo": search("漫游开同"),
    "suggested": [a.title for a in selectors.suggestions_for(agent, text="客户问宽带报修")],
}, ensure_ascii=False))
"""


@pytest.mark.slow
def test_search_on_sqlite_ranks_title_then_tags_then_body(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(CSC_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="csc.settings")
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]

    def run(*args: str) -> str:
        result = subprocess.run(
            [*manage, *args], env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    run("migrate", "--noinput", "-v0")
    found = json.loads(run("shell", "-c", SCRIPT).strip().splitlines()[-1])

    assert found["vendor"] == "sqlite"
    assert found["every word"] == {
        "titles": ["如何办理宽带故障报修", "停机保号", "光猫指示灯说明"],
        "any_word": False,
    }
    assert found["typing"]["titles"][0] == "如何办理宽带故障报修"
    assert found["typo"] == {"titles": ["国际漫游开通"], "any_word": True}
    assert found["suggested"][0] == "如何办理宽带故障报修"
