"""Bad input is a 400 with a message, never a 500: the cases a probe of the running site found.

CI runs these on SQLite and on PostgreSQL, where a NUL character or a thousand-word search
failed in the database itself.
"""

import json

import pytest

from tests.conftest import token_client
from tests.helpers import counts, nairobi, page_client

pytestmark = pytest.mark.django_db

ENTRIES = "/api/v1/status-entries/"


def test_json_nested_a_thousand_levels_deep_is_a_400(focal_point):
    before = counts()
    response = token_client(focal_point).post(ENTRIES, "[" * 5000 + "]" * 5000, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - the body is nested too deeply."}
    assert counts() == before


@pytest.mark.parametrize("field", ["observations", "organization", "evidence"])
def test_a_nul_character_in_a_json_body_is_a_400(focal_point, field):
    body = {
        "activity": nairobi("3.2").pk,
        "organization": "ICAO",
        "status": "planned",
        "observations": "Workshops planned.",
        "evidence": ["https://example.org/a"],
    }
    body[field] = ["https://example.org/\x00"] if field == "evidence" else f"{body[field]}\x00"
    before = counts()
    response = token_client(focal_point).post(ENTRIES, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert counts() == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/activities/?plan=%00",
        "/api/v1/status-entries/?organization=IC%00AO",
        "/api/v1/organizations/?kind=%00",
    ],
)
def test_a_nul_character_in_an_api_address_is_a_400(viewer, path):
    response = token_client(viewer).get(path)
    assert response.status_code == 400
    assert response.json() == {"detail": "Addresses may not contain NUL characters."}


@pytest.mark.parametrize("path", ["/organizations/IC%00AO/", "/plans/nairobi-2007/?q=%00", "/cycles/?x=%00"])
def test_a_nul_character_in_a_page_address_is_a_400(viewer, path):
    response = page_client(viewer).get(path)
    assert response.status_code == 400
    assert response.content.decode() == "Addresses may not contain NUL characters."


def test_a_thousand_word_search_is_a_400_with_the_limit(viewer):
    words = " ".join(f"word{n}" for n in range(1000))
    api = token_client(viewer).get("/api/v1/activities/", {"q": words})
    assert api.status_code == 400
    assert api.json() == {"q": ["Search for at most 20 words."]}
    page = page_client(viewer).get("/plans/nairobi-2007/", {"q": " ".join(["x"] * 30)})
    assert page.status_code == 200  # the page shows the form's error and lists nothing
    assert "Search for at most 20 words." in page.content.decode()
    # Twenty words still search.
    assert token_client(viewer).get("/api/v1/activities/", {"q": " ".join(["border"] * 20)}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"app_label": "nope", "model_name": "x", "field_name": "y"},
        {"app_label": "actions", "model_name": "responsibility", "field_name": "nope"},
        {"app_label": "actions", "model_name": "activity", "field_name": "objective", "term": "1", "page": "abc"},
        {"app_label": "actions", "model_name": "responsibility", "field_name": "organization", "term": "\x00"},
        {},
    ],
)
def test_the_admins_autocomplete_answers_odd_questions_without_an_error(staff, query):
    response = page_client(staff).get("/admin/autocomplete/", query)
    assert response.status_code in {200, 400, 403, 404}, response.status_code
