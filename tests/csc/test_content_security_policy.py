"""The Content-Security-Policy: scripts and styles from our own files only, so an
injected <script> or onclick= does nothing. The browser side (no violation on
real pages) is tests/e2e/test_content_security_policy.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.csc.test_translations import _template_sources

pytestmark = pytest.mark.django_db

# What a policy without 'unsafe-inline' refuses: inline handlers, htmx's eval'd
# attributes, <script> without src, style="" attributes, <style> without nonce.
INLINE = re.compile(
    r"""\son[a-z]+\s*=|\shx-on[:-]|<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"""
    r"""|\sstyle\s*=|<style(?![^>]*\bnonce=)[^>]*>|\[[^\]]*==""",
    re.IGNORECASE,
)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_pages_allow_scripts_and_styles_only_from_our_own_files(client, agent_user):
    client.force_login(agent_user)

    policy = directives(client.get("/"))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_sign_in_page_has_the_policy_too(client):
    assert directives(client.get(reverse("login")))["script-src"] == ["'self'"]


def test_no_template_has_inline_script_handlers_or_styles():
    found = {
        f"{path.relative_to(settings.BASE_DIR)}: {match.group().strip()}"
        for path in _template_sources()
        for match in INLINE.finditer(Path(path).read_text(encoding="utf-8"))
    }

    assert found == set()


def test_the_api_docs_relax_styles_but_never_scripts(client, agent_user):
    client.force_login(agent_user)

    policy = directives(client.get("/api/docs/"))

    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == ["'self'"]
