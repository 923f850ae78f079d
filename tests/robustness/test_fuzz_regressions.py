"""The failures schemathesis found (test_api_fuzz.py), each kept as the request that
showed it. Each test sends the offending request through the same WSGI
application and checks the answer against /api/schema/."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.evidence import evidence_add
from tests.robustness.schema import (
    api_schema,
    call,
    conforms,
    keep_test_database_across_requests,
    raw_schema,
)

pytestmark = pytest.mark.django_db


def test_ticket_list_refuses_an_offset_postgresql_cannot_store(world, full_token):
    # Was a 500: DataError "time zone displacement out of range".
    case, response = call(
        "/api/v1/tickets/",
        "GET",
        full_token,
        query={"created_before": "2546-08-13T20:04:00.50-21:28"},
    )

    assert response.status_code == 400
    assert "created_before" in response.json()
    conforms(case, response)


def test_complaint_list_refuses_an_offset_postgresql_cannot_store(world, full_token):
    _, response = call(
        "/api/v1/complaints/", "GET", full_token, query={"created_after": "2026-01-01T00:00-23:59"}
    )

    assert response.status_code == 400
    assert "created_after" in response.json()


def test_ticket_list_still_filters_by_ordinary_moments(world, full_token):
    _, response = call(
        "/api/v1/tickets/", "GET", full_token, query={"created_after": "2000-01-01T00:00:00+08:00"}
    )

    assert response.status_code == 200
    assert len(response.json()["results"]) == len(world.tickets) + len(world.complaints)


def test_contact_from_the_year_two_is_refused(world, full_token):
    # Was a 201 whose queued_at came back as "0002-02-05T07:29:21+08:05:43", not RFC 3339.
    case, response = call(
        "/api/v1/contacts/",
        "POST",
        full_token,
        body={"channel": "hotline", "queued_at": "0002-02-04T23:23:38.2381Z", "summary": ""},
        media_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["queued_at"]
    conforms(case, response)


def test_complaint_repair_promised_in_the_year_two_is_refused(world, full_token):
    complaint = world.complaints[0]
    _, response = call(
        "/api/v1/complaints/{id}/record_repair/",
        "POST",
        full_token,
        path_parameters={"id": complaint.pk},
        body={"version": complaint.ticket.version, "repaired_at": "0002-01-01T00:00:00Z"},
        media_type="application/json",
    )

    assert response.status_code == 400
    assert "repaired_at" in response.json()


def test_ticket_list_and_detail_without_business_type_or_contact_match_the_schema(
    world, full_token
):
    # Were 200s whose null business_type and contact the schema did not allow.
    inquiry = world.tickets[0]
    assert inquiry.business_type_id is None and inquiry.contact_id is None

    conforms(*call("/api/v1/tickets/", "GET", full_token))
    case, response = call(
        "/api/v1/tickets/{id}/", "GET", full_token, path_parameters={"id": inquiry.pk}
    )

    assert response.status_code == 200
    assert response.json()["business_type"] is None
    conforms(case, response)


def test_complaint_list_without_subcategory_matches_the_schema(world, full_token):
    assert any(c.subcategory_id is None for c in world.complaints)

    case, response = call("/api/v1/complaints/", "GET", full_token)

    assert response.status_code == 200
    conforms(case, response)


def test_recurrence_rate_is_the_plain_list_the_schema_describes(world, full_token):
    # Was documented as a paged object while the answer is a list.
    case, response = call(
        "/api/v1/complaints/recurrence-rate/", "GET", full_token, query={"months": 2}
    )

    assert response.status_code == 200
    assert isinstance(response.json(), list)
    conforms(case, response)


def test_recurrence_rate_with_a_bad_month_count_is_a_documented_400(world, full_token):
    case, response = call(
        "/api/v1/complaints/recurrence-rate/", "GET", full_token, query={"months": "many"}
    )

    assert response.status_code == 400
    conforms(case, response)


def test_evidence_list_is_the_plain_list_the_schema_describes(world, full_token):
    complaint = world.complaints[0]
    evidence_add(
        complaint,
        by=world.people["complaint_handler"],
        file=SimpleUploadedFile("call.txt", b"recording transcript"),
        kind="chat_log",
    )

    case, response = call(
        "/api/v1/complaints/{id}/evidence/",
        "GET",
        full_token,
        path_parameters={"id": complaint.pk},
        # Ticket list filters used to be documented here and 404'd the complaint.
        query={"kind": "inquiry"},
    )

    assert response.status_code == 200
    assert [entry["seq"] for entry in response.json()] == [1]
    conforms(case, response)


def test_an_api_path_that_matches_no_route_answers_json(world, full_token):
    # Was Django's HTML 404 page for /api/v1/contacts/%C2%84/.
    case, response = call(
        "/api/v1/contacts/{id}/", "GET", full_token, path_parameters={"id": "\x84"}
    )

    assert response.status_code == 404
    assert response.headers["content-type"] == ["application/json"]
    assert response.json()["code"] == "not_found"
    conforms(case, response)


def test_pages_that_match_no_route_keep_the_html_404(client, world):
    client.force_login(world.people["agent"])

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_stale_version_is_a_documented_409(world, full_token):
    # Action answers other than 200 (409, 400, 404, 415, 429…) were undocumented.
    ticket = world.tickets[0]
    case, response = call(
        "/api/v1/tickets/{id}/accept/",
        "POST",
        full_token,
        path_parameters={"id": ticket.pk},
        body={"version": ticket.version + 5},
        media_type="application/json",
    )

    assert response.status_code == 409
    conforms(case, response)


def test_a_body_in_a_media_type_the_api_does_not_read_is_a_documented_415(world, full_token):
    ticket = world.tickets[0]
    case = api_schema["/api/v1/tickets/{id}/note/"]["POST"].Case(
        path_parameters={"id": ticket.pk}, body={"body": "x"}, media_type="application/json"
    )
    with keep_test_database_across_requests():
        response = case.call(
            headers={"Authorization": f"Token {full_token}", "Content-Type": "text/plain"},
            data=b"plain words",
        )

    assert response.status_code == 415
    conforms(case, response)


def test_the_fuzzed_schema_is_the_one_the_api_serves(client, full_token):
    response = client.get(
        "/api/schema/", {"format": "json"}, headers={"Authorization": f"Token {full_token}"}
    )

    assert response.status_code == 200
    assert response.json() == raw_schema
