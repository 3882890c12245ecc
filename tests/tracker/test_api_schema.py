"""The OpenAPI schema describes what the API answers: the cases Schemathesis found (.ci/schemathesis).

Each role's run found answers the schema did not declare (a 400, 401, 403 or 404 on every operation,
an organization without a parent, the JSON report), Django's HTML page for an address the API's
routes refuse, and two 500s: a NUL character in a form body (on PostgreSQL) and a JSON body nested
too deep for the token endpoint. Real answers are checked against the served schema here with
Schemathesis's own validation.
"""

import datetime
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from rest_framework.test import APIClient

from tests.conftest import token_client
from tests.helpers import body, nairobi
from tests.reports.scenario import new_cycle, populate

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/schema/"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def openapi(api) -> dict:
    """The schema as the API serves it (the error answers are added there)."""
    response = api.get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(openapi: dict):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def assert_declared(openapi: dict, template: str, method: str, response) -> None:
    """``response`` (of a Django test client) has a status code, content type and body that the schema
    declares for the operation ``method`` ``template``."""
    responses = openapi["paths"][template][method]["responses"]
    code = str(response.status_code)
    assert code in responses, f"{method.upper()} {template}: {code} is not declared ({', '.join(responses)})"
    content_type = response["Content-Type"].split(";")[0]
    declared = responses[code].get("content", {})
    assert content_type in declared, f"{method.upper()} {template} {code}: {content_type} is not declared"
    request = requests.Request(method.upper(), f"http://testserver{template}").prepare()
    answer = schemathesis.Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=body(response),
        request=request,
        elapsed=0.0,
        verify=True,
    )
    # Raises with every way the body departs from the declared schema.
    schemathesis.openapi.from_dict(openapi)[template][method.upper()].validate_response(answer)


# --- What the schema declares ---


def test_an_organization_without_a_parent_is_declared_nullable(openapi):
    schemas = openapi["components"]["schemas"]
    for component in ("Organization", "OrganizationDetail"):
        assert schemas[component]["properties"]["parent"].get("nullable") is True, component


def test_every_operation_declares_its_errors_as_json(openapi):
    for path, method, operation in operations(openapi):
        responses = operation["responses"]
        name = f"{method.upper()} {path}"
        expected = {"400", "401"}
        if method != "get":
            expected.add("403")
        parameters = {p["name"] for p in operation.get("parameters", [])}
        if "{" in path or "page" in parameters:
            expected.add("404")
        assert expected <= set(responses), f"{name} declares {sorted(responses)}"
        for code in expected:
            body = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert body.endswith("/FieldErrors" if code == "400" else "/Error"), (name, code, body)
    schemas = openapi["components"]["schemas"]
    assert schemas["Error"]["required"] == ["detail"]
    assert "additionalProperties" in schemas["FieldErrors"]


def test_the_extra_errors_are_declared_where_they_happen(openapi):
    report = openapi["paths"]["/api/v1/cycles/{id}/report/"]["get"]["responses"]
    assert "403" in report  # the internal edition, for anyone but CTED staff
    token = openapi["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "429" in token  # a lockout or the rate limit
    assert token["429"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_the_report_is_declared_in_each_format(openapi):
    content = openapi["paths"]["/api/v1/cycles/{id}/report/"]["get"]["responses"]["200"]["content"]
    assert set(content) == {
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/pdf",
        "text/html",
    }
    assert content["application/json"]["schema"]["$ref"].endswith("/Report")
    assert content["application/pdf"]["schema"] == {"type": "string", "format": "binary"}


# --- Real answers against the schema ---


@pytest.fixture
def scenario(staff, focal_point, other_focal_point, secretariat):
    """A cycle of the Nairobi plan with entries of every kind (tests/reports/scenario.py)."""
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    return cycle


@pytest.mark.parametrize("role", ["staff", "secretariat", "focal_point", "viewer"])
def test_answers_match_the_schema(request, openapi, scenario, role):
    client = token_client(request.getfixturevalue(role))
    entry = nairobi("3.2").status_entries.order_by("pk").first()
    reads = [
        ("/api/v1/plans/", "/api/v1/plans/"),
        ("/api/v1/plans/{code}/", "/api/v1/plans/nairobi-2007/"),
        ("/api/v1/plans/{code}/participants/", "/api/v1/plans/nairobi-2007/participants/"),
        ("/api/v1/plans/{code}/", "/api/v1/plans/no-such-plan/"),  # 404
        ("/api/v1/organizations/", "/api/v1/organizations/"),  # parents null and not
        ("/api/v1/organizations/{acronym}/", "/api/v1/organizations/ICAO/"),
        ("/api/v1/organizations/{acronym}/", "/api/v1/organizations/1267-MT/"),
        ("/api/v1/organizations/", "/api/v1/organizations/?kind=nonsense"),  # 400
        ("/api/v1/activities/", "/api/v1/activities/?plan=nairobi-2007"),
        ("/api/v1/activities/", "/api/v1/activities/?page=99"),  # 404: past the last page
        ("/api/v1/activities/{id}/", f"/api/v1/activities/{nairobi('3.4').pk}/"),
        ("/api/v1/status-entries/", "/api/v1/status-entries/"),
        ("/api/v1/status-entries/", "/api/v1/status-entries/?since=yesterday"),  # 400
        ("/api/v1/status-entries/{id}/", f"/api/v1/status-entries/{entry.pk}/"),
        ("/api/v1/cycles/", "/api/v1/cycles/"),
        ("/api/v1/cycles/{id}/", f"/api/v1/cycles/{scenario.pk}/"),
        ("/api/v1/cycles/{id}/report/", f"/api/v1/cycles/{scenario.pk}/report/?format=json"),
        ("/api/v1/cycles/{id}/report/", f"/api/v1/cycles/{scenario.pk}/report/?format=csv"),
        ("/api/v1/cycles/{id}/report/", f"/api/v1/cycles/{scenario.pk}/report/?edition=internal"),  # 403 but staff
        ("/api/v1/auth/tokens/", "/api/v1/auth/tokens/"),
    ]
    for template, address in reads:
        assert_declared(openapi, template, "get", client.get(address))
    writes = [
        ("/api/v1/status-entries/", {"activity": nairobi("3.2").pk, "organization": "ICAO", "status": "planned"}),
        ("/api/v1/cycles/", {"plan": "nairobi-2007", "title": "Later"}),
        ("/api/v1/status-entries/{id}/review/", {"decision": "maybe"}),
    ]
    for template, payload in writes:
        address = template.replace("{id}", str(entry.pk))
        assert_declared(openapi, template, "post", client.post(address, payload, format="json"))
    assert_declared(openapi, "/api/v1/plans/", "get", APIClient().get("/api/v1/plans/"))  # 401


def test_the_json_report_of_a_closed_cycle_matches_the_schema(openapi, scenario, staff):
    client = token_client(staff)
    answer = client.post(f"/api/v1/cycles/{scenario.pk}/close/", {"confirm": True}, format="json")
    assert_declared(openapi, "/api/v1/cycles/{id}/close/", "post", answer)
    assert answer.status_code == 200
    for edition in ("participants", "internal"):
        report = client.get(f"/api/v1/cycles/{scenario.pk}/report/?format=json&edition={edition}")
        assert report.status_code == 200
        assert_declared(openapi, "/api/v1/cycles/{id}/report/", "get", report)


def test_an_answer_the_schema_does_not_declare_is_caught(openapi, viewer):
    # The check itself can fail: an organization whose parent the schema says cannot be null.
    openapi["components"]["schemas"]["Organization"]["properties"]["parent"].pop("nullable")
    answer = token_client(viewer).get("/api/v1/organizations/")
    with pytest.raises(AssertionError):
        assert_declared(openapi, "/api/v1/organizations/", "get", answer)


# --- The server errors and HTML pages it found ---


@pytest.mark.parametrize(
    "address", ["/api/v1/plans/no.such.plan/", "/api/v1/activities/1.5/", "/api/v1/organizations/a%2Fb/"]
)
def test_an_address_the_routes_refuse_is_a_json_404(api, address):
    response = api.get(address)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_api_address_without_its_slash_is_still_sent_to_it(api):
    response = api.get("/api/v1/plans")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/plans/"


def test_an_address_that_names_nothing_needs_credentials_first(db):
    response = APIClient().get("/api/v1/no-such-thing/")
    assert response.status_code == 401


@pytest.mark.parametrize("encoding", ["multipart", "form"])
def test_a_nul_character_in_a_form_body_is_a_400(focal_point, encoding):
    # On PostgreSQL the organization's acronym reached the database and failed there: a 500.
    body = {"activity": nairobi("3.2").pk, "organization": "IC\x00AO", "status": "planned", "observations": "x"}
    client = token_client(focal_point)
    if encoding == "form":
        response = client.post(
            "/api/v1/status-entries/", urlencode(body), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post("/api/v1/status-entries/", body, format="multipart")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert not nairobi("3.2").status_entries.exists()


def test_the_token_endpoint_refuses_a_body_nested_too_deep(db):
    # It read JSON with DRF's parser, not the project's: Python's decoder gave up with a RecursionError.
    response = APIClient().post("/api/v1/auth/token/", "[" * 5000 + "]" * 5000, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - the body is nested too deeply."}


def test_the_token_endpoint_still_takes_a_form(staff):
    staff.set_password("a-long-test-password")
    staff.save()
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "a-long-test-password"})
    assert response.status_code == 200
    assert response.json()["token"]
    assert datetime.datetime.fromisoformat(response.json()["expires_at"]) > datetime.datetime.now(datetime.UTC)
