import pytest

from organizations.models import FocalPoint
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_organizations_list_every_organization_with_its_kind_and_parent(api):
    body = api.get("/api/v1/organizations/").json()
    by_acronym = {o["acronym"]: o for o in body["results"]}
    assert body["count"] == 22
    assert by_acronym["CTED"]["parent"] == "CTC"
    assert by_acronym["ICAO"]["kind"] == "international"
    assert set(by_acronym["ICAO"]) == {"acronym", "url", "name", "translation", "kind", "parent", "website"}


def test_organizations_filter_by_kind(api):
    body = api.get("/api/v1/organizations/", {"kind": "regional"}).json()
    assert [o["acronym"] for o in body["results"]] == ["CICA"]
    bad = api.get("/api/v1/organizations/", {"kind": "planet"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["kind"]


def test_organization_detail_has_its_active_focal_points_and_children(api, icao):
    FocalPoint.objects.create(organization=icao, name="Ada Lovelace", email="ada@icao.example", title="Officer")
    FocalPoint.objects.create(organization=icao, name="Gone Away", email="gone@icao.example", is_active=False)
    body = api.get("/api/v1/organizations/ICAO/").json()
    assert [f["name"] for f in body["focal_points"]] == ["Ada Lovelace"]
    assert api.get("/api/v1/organizations/CTC/").json()["children"] == ["CTED"]
    assert api.get("/api/v1/organizations/1267-MT/").json()["parent"] == "1267-Committee"
    assert api.get("/api/v1/organizations/NOPE/").status_code == 404


def test_organization_query_counts_do_not_grow(api, icao, django_assert_num_queries):
    # 1 token and user, 1 count, 1 organizations with their parents.
    with django_assert_num_queries(3):
        api.get("/api/v1/organizations/")
    # 1 token and user, 1 organization, 1 children, 1 active focal points.
    with django_assert_num_queries(4):
        api.get("/api/v1/organizations/ICAO/")
    for n in range(20):
        OrganizationFactory(parent=icao)
        FocalPoint.objects.create(organization=icao, name=f"Person {n}", email=f"p{n}@icao.example")
    with django_assert_num_queries(3):
        assert api.get("/api/v1/organizations/").json()["count"] == 42
    with django_assert_num_queries(4):
        assert len(api.get("/api/v1/organizations/ICAO/").json()["focal_points"]) == 20
