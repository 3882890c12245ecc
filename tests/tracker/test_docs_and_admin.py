import re

import pytest
from django.contrib.auth import get_user_model

from actions.models import Activity, Objective
from tests.factories import StatusEntryFactory
from tests.helpers import organization_change

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_documents_the_contract(api):
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/plans/", "/api/v1/plans/{code}/", "/api/v1/organizations/", "/api/v1/organizations/{acronym}/",
        "/api/v1/activities/", "/api/v1/activities/{id}/", "/api/v1/auth/token/", "/api/v1/plans/{code}/participants/",
    ]:  # fmt: skip
        assert path in paths, path
    parameters = {p["name"] for p in paths["/api/v1/activities/"]["get"]["parameters"]}
    assert {"plan", "objective", "organization", "status", "q", "updated_since", "page"} <= parameters


def test_the_api_docs_send_a_visitor_to_sign_in(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/v1/docs/"


def test_swagger_ui_is_served_from_our_own_static_files(client, viewer):
    client.force_login(viewer)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source


@pytest.fixture
def admin_client_logged_in(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-password")
    client.force_login(admin)
    return client


def test_every_admin_page_opens(admin_client_logged_in):
    client = admin_client_logged_in
    entry = StatusEntryFactory(activity=Activity.objects.get(plan__code="nairobi-2007", number="3.2"))
    objective = Objective.objects.get(plan__code="nairobi-2007", number=3)
    for path in [
        "/admin/", "/admin/actions/plan/", "/admin/actions/objective/", "/admin/actions/activity/",
        "/admin/actions/theme/", "/admin/actions/statusentry/", "/admin/organizations/organization/",
        "/admin/organizations/focalpoint/", "/admin/reports/stocktakingcycle/", "/admin/actions/participation/",
        f"/admin/actions/plan/{objective.plan_id}/change/",
        f"/admin/actions/objective/{objective.pk}/change/", f"/admin/actions/activity/{entry.activity_id}/change/",
        f"/admin/actions/statusentry/{entry.pk}/change/", "/admin/actions/activity/?q=asylum",
        "/admin/actions/activity/?plan__id__exact=1&open_kinds__kind=international",
    ]:  # fmt: skip
        assert client.get(path).status_code == 200, path


def test_the_admin_lists_activities_under_an_objective_in_natural_order(admin_client_logged_in):
    objective = Objective.objects.get(plan__code="nairobi-2007", number=3)
    html = admin_client_logged_in.get(f"/admin/actions/objective/{objective.pk}/change/").content.decode()
    shown = re.findall(r'name="activities-\d+-number"[^>]*value="([\d.]+)"', html)
    shown = shown or re.findall(r'value="([\d.]+)"[^>]*name="activities-\d+-number"', html)
    assert shown == [f"3.{n}" for n in range(1, 9)]


def test_an_activity_added_under_an_objective_with_a_taken_number_is_refused(admin_client_logged_in):
    objective = Objective.objects.get(plan__code="nairobi-2007", number=10)
    data = {
        "plan": objective.plan_id, "number": "10", "text": objective.text,
        "activities-TOTAL_FORMS": "1", "activities-INITIAL_FORMS": "0",
        "activities-0-number": "10.1", "activities-0-text": "Again", "activities-0-responsible_text": "",
    }  # fmt: skip
    response = admin_client_logged_in.post(f"/admin/actions/objective/{objective.pk}/change/", data)
    assert response.status_code == 200
    assert "Activity 10.1 already exists in this plan." in response.content.decode()
    assert objective.activities.count() == 2


def test_the_schema_generates_without_a_warning(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/status-entries/{id}/review/:" in schema


def test_a_website_typed_without_its_scheme_in_the_admin_is_https(admin_client_logged_in):
    from organizations.models import Organization

    icao = Organization.objects.get(acronym="ICAO")
    response = organization_change(admin_client_logged_in, icao, website="www.icao.int")
    assert response.status_code == 302, response.content[:2000]
    icao.refresh_from_db()
    assert icao.website == "https://www.icao.int"
