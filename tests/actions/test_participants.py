"""The participants of a plan: the API's list, the plan page's section and its forms, the
services behind them and the admin. Who may do what is in the permission table
(tests/actions/test_permissions.py): adding a participant and recording that one left."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from rest_framework.test import APIClient

from actions.models import Participation, Plan
from actions.services import participant_add, participant_leave
from organizations.models import OrganizationKind
from organizations.roles import GROUP_NAMES, Role, ensure_role_groups
from tests.factories import OrganizationFactory
from tests.helpers import NAIROBI, api_client, organization, page_client

pytestmark = pytest.mark.django_db

CICA = "cica-2008"  # CICA and IOM take part, since 1 February 2008
NAIROBI_PARTICIPANTS = [
    "1267-Committee", "1267-MT", "1540-Committee", "1540-Experts", "CICA", "CTC", "CTED", "CTITF", "IAEA", "ICAO",
    "IMO", "INTERPOL", "IOM", "OHCHR", "OPCW", "UNCCT", "UNHCR", "UNICRI", "UNOCT", "UNODC", "WCO",
]  # fmt: skip


def participation(plan_code: str, acronym: str) -> Participation:
    return Participation.objects.select_related("plan", "organization").get(
        plan__code=plan_code, organization__acronym=acronym
    )


def rows() -> set[tuple[str, str, datetime.date, datetime.date | None]]:
    """Every participation: a refused write leaves them as they were."""
    return set(Participation.objects.values_list("plan__code", "organization__acronym", "joined_on", "left_on"))


# --- The API ---


def test_the_api_lists_a_plans_participants_by_acronym_with_when_they_joined_and_left(api, staff):
    participant_leave(participation=participation(CICA, "IOM"), left_on=datetime.date(2025, 12, 31), actor=staff)
    response = api.get(f"/api/v1/plans/{CICA}/participants/")
    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {"acronym": "CICA", "name": organization("CICA").name, "kind": "regional", "joined": "2008-02-01",
             "left": None},
            {"acronym": "IOM", "name": organization("IOM").name, "kind": "international", "joined": "2008-02-01",
             "left": "2025-12-31"},
        ],
    }  # fmt: skip
    nairobi = api.get(f"/api/v1/plans/{NAIROBI}/participants/").json()
    assert [p["acronym"] for p in nairobi["results"]] == NAIROBI_PARTICIPANTS
    assert nairobi["count"] == 21


def test_the_participants_list_is_paginated_like_every_list(api):
    first = api.get(f"/api/v1/plans/{NAIROBI}/participants/", {"page_size": 20}).json()
    assert first["count"] == 21 and len(first["results"]) == 20 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert [p["acronym"] for p in second["results"]] == ["WCO"] and second["next"] is None


@pytest.mark.parametrize("role", ["staff", "secretariat", "focal_point", "other_focal_point", "viewer"])
def test_any_signed_in_user_reads_the_participants(request, role):
    response = api_client(request.getfixturevalue(role)).get(f"/api/v1/plans/{CICA}/participants/")
    assert response.status_code == 200 and response.json()["count"] == 2


def test_the_participants_of_an_unknown_plan_are_a_404_and_need_credentials(api):
    assert api.get("/api/v1/plans/no-such-plan/participants/").status_code == 404
    response = APIClient().get(f"/api/v1/plans/{CICA}/participants/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_the_participants_query_count_does_not_grow_with_participants(api, django_assert_num_queries):
    def fetch() -> dict:
        # 1 token and user, 1 the plan by its code, 1 count, 1 page of participants with their organizations.
        with django_assert_num_queries(4):
            response = api.get(f"/api/v1/plans/{CICA}/participants/")
        assert response.status_code == 200
        return response.json()

    assert fetch()["count"] == 2
    plan = Plan.objects.get(code=CICA)
    for organization_ in OrganizationFactory.create_batch(15):
        Participation.objects.create(plan=plan, organization=organization_, joined_on=datetime.date(2020, 1, 1))
    body = fetch()
    assert body["count"] == 17 and len(body["results"]) == 17


def test_the_schema_documents_the_participants_as_a_paginated_list(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/plans/{code}/participants/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"code", "page", "page_size"}
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    item = schema["components"]["schemas"][page["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(item["properties"]) == {"acronym", "name", "kind", "joined", "left"}
    assert item["properties"]["joined"]["format"] == "date" and item["properties"]["left"]["nullable"] is True


# --- The services ---


def test_adding_a_participant_writes_it_with_the_day_it_joined(staff):
    plan, icao = Plan.objects.get(code=CICA), organization("ICAO")
    added = participant_add(plan=plan, organization=icao, joined_on=datetime.date(2026, 1, 5), actor=staff)
    stored = participation(CICA, "ICAO")
    assert (stored.pk, stored.joined_on, stored.left_on) == (added.pk, datetime.date(2026, 1, 5), None)


def test_a_participant_leaves_on_the_day_it_joined_or_later_once(staff):
    iom = participation(CICA, "IOM")
    before = rows()
    with pytest.raises(ValidationError) as refused:
        participant_leave(participation=iom, left_on=datetime.date(2008, 1, 31), actor=staff)
    assert refused.value.message_dict == {"left_on": ["An organization leaves a plan after it joined."]}
    assert rows() == before
    participant_leave(participation=iom, left_on=datetime.date(2008, 2, 1), actor=staff)
    assert participation(CICA, "IOM").left_on == datetime.date(2008, 2, 1)
    with pytest.raises(ValidationError) as again:
        participant_leave(participation=iom, left_on=datetime.date(2026, 1, 5), actor=staff)
    assert again.value.message_dict == {"left_on": ["IOM already left this plan on 1 February 2008."]}
    assert participation(CICA, "IOM").left_on == datetime.date(2008, 2, 1)


def test_an_organization_that_left_is_not_added_again(staff):
    iom = participation(CICA, "IOM")
    participant_leave(participation=iom, left_on=datetime.date(2020, 1, 1), actor=staff)
    before = rows()
    with pytest.raises(ValidationError) as refused:
        participant_add(plan=iom.plan, organization=iom.organization, joined_on=datetime.date(2026, 1, 5), actor=staff)
    assert refused.value.message_dict == {"organization": ["IOM is already a participant of this plan."]}
    assert rows() == before


# --- The plan page ---


def participants_section(html: str) -> str:
    return html[html.index('<section id="participants"') :]


def participant_rows(html: str) -> list[tuple[str, str, str, str, str]]:
    """(link, acronym, kind, joined, left) of each row of the participants table."""
    return re.findall(
        r'<td data-label="Organization"><a href="([^"]+)"[^>]*>([^<]+)</a></td>\s*'
        r'<td data-label="Kind">([^<]+)</td>\s*<td data-label="Joined">([^<]+)</td>\s*'
        r'<td data-label="Left">([^<]+)</td>',
        participants_section(html),
    )


def test_the_plan_page_lists_the_participants_and_offers_no_form_to_those_who_may_not_change_them(viewer, staff):
    participant_leave(participation=participation(CICA, "IOM"), left_on=datetime.date(2025, 12, 31), actor=staff)
    html = page_client(viewer).get(f"/plans/{CICA}/").content.decode()
    assert participant_rows(html) == [
        ("/organizations/CICA/", "CICA", "Regional organization", "1 Feb 2008", "—"),
        ("/organizations/IOM/", "IOM", "International organization", "1 Feb 2008", "31 Dec 2025"),
    ]
    section = participants_section(html)
    assert "<form" not in section and "Add a participant" not in section


def test_staff_get_a_form_to_add_an_organization_not_taking_part_and_one_to_record_each_leaving(staff):
    participant_leave(participation=participation(CICA, "IOM"), left_on=datetime.date(2025, 12, 31), actor=staff)
    response = page_client(staff).get(f"/plans/{CICA}/")
    section = participants_section(response.content.decode())
    offered = set(response.context["participant_form"].fields["organization"].choices)
    acronyms = {label.split(" ")[0] for value, label in offered if value}
    assert "ICAO" in acronyms and not {"CICA", "IOM"} & acronyms
    select = re.search(r'<select name="organization"[^>]*>(.*?)</select>', section, re.S)[1]
    assert 'value=""' in select and f'value="{organization("ICAO").pk}"' in select
    assert f'value="{organization("IOM").pk}"' not in select
    today = formats.date_format(timezone.localdate(), "j M Y")  # typed as the pages show a day
    assert re.search(rf'<input type="text" name="joined_on" value="{today}"[^>]*required', section)
    # CICA still takes part: a link leads to the form that records the day it left, defaulting to
    # today; IOM left, and has none.
    cica = participation(CICA, "CICA")
    leave_links = re.findall(r'href="(/plans/cica-2008/participants/\d+/left/)"', section)
    assert leave_links == [f"/plans/{CICA}/participants/{cica.pk}/left/"]
    form = page_client(staff).get(leave_links[0]).content.decode()
    assert f'<label for="id_left_{cica.pk}_left_on">CICA left on</label>' in form
    assert re.search(rf'<input type="text" name="left_on" value="{today}"[^>]*id="id_left_{cica.pk}_left_on"', form)
    assert f'action="{leave_links[0]}"' in form and f'href="/plans/{CICA}/#participants">Cancel</a>' in form


def test_staff_add_a_participant_and_go_back_to_the_plan_page_with_a_message(staff):
    client = page_client(staff)
    response = client.post(
        f"/plans/{CICA}/participants/", {"organization": organization("ICAO").pk, "joined_on": "2026-01-05"}
    )
    assert response.status_code == 302 and response["Location"] == f"/plans/{CICA}/#participants"
    assert participation(CICA, "ICAO").joined_on == datetime.date(2026, 1, 5)
    page = client.get(response["Location"]).content.decode()
    assert "ICAO takes part in the plan from 5 January 2026." in page
    assert ("/organizations/ICAO/", "ICAO", "International organization", "5 Jan 2026", "—") in participant_rows(page)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organization", "", "This field is required."),
        ("organization", "999999", "Select a valid choice. That choice is not one of the available choices."),
        ("organization", "IOM", "IOM is already a participant of this plan."),
        ("joined_on", "", "This field is required."),
        ("joined_on", "yesterday", "Give the day as 23 Nov 2026 (or 2026-11-23)."),
    ],
)
def test_bad_input_on_the_add_form_is_a_400_with_the_fields_error_and_writes_nothing(staff, field, value, message):
    data = {"organization": organization("ICAO").pk, "joined_on": "2026-01-05"}
    data[field] = organization(value).pk if value == "IOM" else value
    before = rows()
    response = page_client(staff).post(f"/plans/{CICA}/participants/", data)
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert f'<p class="error" role="alert">{message}</p>' in participants_section(response.content.decode())
    assert rows() == before


def test_staff_record_that_a_participant_left_on_the_day_it_joined_or_later(staff):
    client = page_client(staff)
    iom = participation(CICA, "IOM")
    path = f"/plans/{CICA}/participants/{iom.pk}/left/"
    before = rows()
    refused = client.post(path, {"left_on": "2008-01-31"})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {"left_on": ["An organization leaves a plan after it joined."]}
    form = refused.content.decode()
    assert '<p class="error" role="alert">An organization leaves a plan after it joined.</p>' in form
    assert 'value="2008-01-31"' in form  # what was sent stays in its form
    assert rows() == before

    response = client.post(path, {"left_on": "2008-02-01"})
    assert response.status_code == 302 and response["Location"] == f"/plans/{CICA}/#participants"
    page = client.get(response["Location"]).content.decode()
    assert "IOM left the plan on 1 February 2008." in page
    assert ("/organizations/IOM/", "IOM", "International organization", "1 Feb 2008", "1 Feb 2008") in (
        participant_rows(page)
    )
    assert path not in page  # no form to record it again

    again = client.post(path, {"left_on": "2026-01-05"})
    assert again.status_code == 400
    assert again.context["form"].errors == {"left_on": ["IOM already left this plan on 1 February 2008."]}
    # Recorded meanwhile from another page: the refusal is said, above what the page says of it now.
    assert '<p class="error" role="alert">IOM already left this plan on 1 February 2008.</p>' in again.content.decode()
    assert participation(CICA, "IOM").left_on == datetime.date(2008, 2, 1)


def test_the_leaving_form_is_for_staff_and_says_when_the_organization_left_already(staff, viewer):
    iom = participation(CICA, "IOM")
    path = f"/plans/{CICA}/participants/{iom.pk}/left/"
    assert page_client(viewer).get(path).status_code == 403
    participant_leave(participation=iom, left_on=datetime.date(2025, 12, 31), actor=staff)
    page = page_client(staff).get(path).content.decode()
    assert "left the plan on 31 December 2025." in page and 'name="left_on"' not in page


@pytest.mark.parametrize("value", ["", "soon"])
def test_a_leaving_without_a_day_is_a_400_and_writes_nothing(staff, value):
    iom = participation(CICA, "IOM")
    before = rows()
    response = page_client(staff).post(f"/plans/{CICA}/participants/{iom.pk}/left/", {"left_on": value})
    assert response.status_code == 400 and list(response.context["form"].errors) == ["left_on"]
    assert rows() == before


def test_a_participant_of_another_plan_is_not_found_under_this_one(staff):
    icao = participation(NAIROBI, "ICAO")
    response = page_client(staff).post(f"/plans/{CICA}/participants/{icao.pk}/left/", {"left_on": "2026-01-05"})
    assert response.status_code == 404
    assert participation(NAIROBI, "ICAO").left_on is None
    assert page_client(staff).get(f"/plans/{CICA}/participants/").status_code == 405


def test_the_filters_htmx_answer_leaves_the_participants_out(staff):
    html = page_client(staff).get(f"/plans/{NAIROBI}/?objective=9", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="participants"' not in html and "participant" not in html


class Labels(HTMLParser):
    """The form controls of a page and the labels that name them."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: list[str] = []
        self.in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self.in_label += 1
            if attributes.get("for"):
                self.label_for.append(attributes["for"] or "")
        elif tag in {"input", "select", "textarea"} and attributes.get("type") not in {"hidden", "submit"}:
            self.controls.append({**attributes, "wrapped": "yes" if self.in_label else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.in_label -= 1


def test_every_control_on_the_plan_page_and_the_leaving_form_has_a_label_and_a_unique_id(staff):
    client = page_client(staff)
    for code in [NAIROBI, CICA]:
        taking_part = [p for p in Participation.objects.filter(plan__code=code) if p.left_on is None]
        pages = [f"/plans/{code}/", f"/plans/{code}/participants/{taking_part[0].pk}/left/"]
        for path, leaving_forms in zip(pages, [0, 1], strict=True):
            parser = Labels()
            parser.feed(client.get(path).content.decode())
            ids = [c["id"] for c in parser.controls if c.get("id")]
            assert len(ids) == len(set(ids)), "an id is used twice"
            unlabelled = [c for c in parser.controls if not c["wrapped"] and c.get("id") not in parser.label_for]
            assert unlabelled == []
            assert sum(c.get("name") == "left_on" for c in parser.controls) == leaving_forms


def test_the_plan_page_query_count_does_not_grow_with_participants(staff, django_assert_num_queries):
    client = page_client(staff)

    def fetch() -> None:
        # session, user, role, plan, objectives, organizations and themes for the filters,
        # activities with status and responsibilities (2), distribution by objective,
        # participants with their organizations, organizations not taking part (the add form)
        with django_assert_num_queries(12):
            assert client.get(f"/plans/{CICA}/").status_code == 200

    fetch()
    plan = Plan.objects.get(code=CICA)
    for organization_ in OrganizationFactory.create_batch(10, kind=OrganizationKind.SUBREGIONAL):
        Participation.objects.create(plan=plan, organization=organization_, joined_on=datetime.date(2020, 1, 1))
    fetch()


# --- The admin ---


def plan_change_data(plan: Plan, participants: list[dict[str, str]]) -> dict[str, str]:
    """The plan's admin form as sent with ``participants`` added (its objectives left as they are)."""
    data = {
        "code": plan.code, "title": plan.title, "meeting": plan.meeting, "venue": plan.venue,
        "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else "", "source": plan.source,
        "review_interval_months": str(plan.review_interval_months or ""), "review_note": plan.review_note,
        "language": plan.language,
        "objectives-TOTAL_FORMS": "0", "objectives-INITIAL_FORMS": "0",
        "participations-TOTAL_FORMS": str(len(participants)), "participations-INITIAL_FORMS": "0",
    }  # fmt: skip
    for n, participant in enumerate(participants):
        data.update({f"participations-{n}-{name}": value for name, value in participant.items()})
    return data


def test_cted_staff_add_a_participant_on_the_plans_admin_page(staff):
    client = page_client(staff)
    plan = Plan.objects.get(code=CICA)
    page = client.get(f"/admin/actions/plan/{plan.pk}/change/")
    assert page.status_code == 200
    assert 'name="participations-TOTAL_FORMS"' in page.content.decode()
    # The organization is chosen with the autocomplete, which asks with the participation's rights.
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "actions", "model_name": "participation", "field_name": "organization", "term": "ICA"},
    )
    assert found.status_code == 200 and "ICAO" in {r["text"] for r in found.json()["results"]}

    icao = {"organization": str(organization("ICAO").pk), "joined_on": "2026-01-05", "left_on": ""}
    response = client.post(f"/admin/actions/plan/{plan.pk}/change/", plan_change_data(plan, [icao]))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert (participation(CICA, "ICAO").joined_on, participation(CICA, "ICAO").left_on) == (
        datetime.date(2026, 1, 5),
        None,
    )
    assert plan.objectives.count() == 4


def test_the_admin_refuses_a_participant_that_leaves_before_it_joins(staff):
    plan = Plan.objects.get(code=CICA)
    icao = {"organization": str(organization("ICAO").pk), "joined_on": "2026-01-05", "left_on": "2025-01-05"}
    before = rows()
    response = page_client(staff).post(f"/admin/actions/plan/{plan.pk}/change/", plan_change_data(plan, [icao]))
    assert response.status_code == 200
    assert "An organization leaves a plan after it joined." in response.content.decode()
    assert rows() == before


def test_the_participants_admin_lists_them_by_organization(staff):
    client = page_client(staff)
    icao = organization("ICAO")
    response = client.get("/admin/actions/participation/", {"organization__id__exact": icao.pk})
    assert response.status_code == 200
    assert [str(p) for p in response.context["cl"].result_list] == ["ICAO in nairobi-2007"]
    assert client.get(f"/admin/actions/participation/{participation(NAIROBI, 'ICAO').pk}/change/").status_code == 200


def test_the_staff_group_gets_the_participation_permissions_even_on_a_new_database():
    """On a new database, migrate makes the actions app's permissions after this app's
    post_migrate hook (organizations comes first): ensure_role_groups makes them itself."""
    Permission.objects.filter(content_type__app_label="actions").delete()
    ensure_role_groups()
    staff = Group.objects.get(name=GROUP_NAMES[Role.STAFF])
    codenames = set(staff.permissions.filter(content_type__app_label="actions").values_list("codename", flat=True))
    assert {f"{action}_participation" for action in ["add", "change", "delete", "view"]} <= codenames
    assert "add_plan" in codenames and "add_statusentry" not in codenames
    for role in [Role.SECRETARIAT, Role.FOCAL_POINT, Role.VIEWER]:
        assert not Group.objects.get(name=GROUP_NAMES[role]).permissions.exists(), role
