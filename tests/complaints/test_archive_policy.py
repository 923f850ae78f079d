"""The complaint archive is one self-contained HTML file with its own <style>: the
style carries the nonce of the page's Content-Security-Policy."""

import re

from django.urls import reverse

from tests.csc.test_content_security_policy import directives
from tests.factories import make_complaint


def test_the_archive_style_carries_the_nonce_its_policy_names(
    client, groups, agent_user, legal_user
):
    complaint = make_complaint(recorded_by=agent_user)
    client.force_login(legal_user)

    response = client.get(reverse("complaints:archive", args=[complaint.pk]))

    assert response.status_code == 200
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response)["style-src"]
