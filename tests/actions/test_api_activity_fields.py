"""Every field of the API's activities, for every shipped activity, is what the models hold (the
serializer writes them from values read in bulk, not field by field)."""

import datetime

import pytest
from rest_framework import serializers

from actions.models import Activity
from tests.reports.scenario import accept, log

pytestmark = pytest.mark.django_db


def expected(activity: Activity) -> dict:
    named = activity.responsibilities.order_by("role", "organization__acronym").select_related("organization")
    last_update = activity.last_update
    return {
        "id": activity.pk,
        "url": f"http://testserver/api/v1/activities/{activity.pk}/",
        "plan": activity.plan.code,
        "objective": activity.objective.number,
        "number": activity.number,
        "text": activity.text,
        "responsible_text": activity.responsible_text,
        "note": activity.note,
        "language": activity.plan.language,
        "translation": None,  # asked in English, the texts' own language
        "organizations": [r.organization.acronym for r in named],
        "responsibilities": [{"organization": r.organization.acronym, "role": r.role} for r in named],
        "open_to": sorted(activity.open_kinds.values_list("kind", flat=True)),
        "themes": list(activity.themes.order_by("name").values_list("slug", flat=True)),
        "due_date": activity.due_date.isoformat() if activity.due_date else None,
        "status": activity.status,
        "last_update": serializers.DateTimeField().to_representation(last_update) if last_update else None,
    }


def test_every_activity_of_the_list_and_its_detail_hold_what_the_models_hold(api, viewer, focal_point, staff):
    accept(log(focal_point, "3.3", "ICAO", "completed", "Guidance published."), staff)
    log(focal_point, "3.2", "ICAO", "in_progress", "Circulated.")
    Activity.objects.filter(plan__code="nairobi-2007", number="1.1").update(due_date=datetime.date(2027, 6, 30))
    activities = {a.pk: a for a in Activity.objects.select_related("plan", "objective").with_progress(viewer)}
    assert len(activities) > 40
    answered = []
    url = "/api/v1/activities/?page_size=100"
    while url:
        page = api.get(url).json()
        answered += page["results"]
        url = page["next"]
    assert [item["id"] for item in answered] == list(activities)
    for item in answered:
        assert item == expected(activities[item["id"]])
    shown = {item["number"]: item for item in answered if item["plan"] == "nairobi-2007"}
    assert shown["3.3"]["status"] == "completed" and shown["3.2"]["status"] is None
    assert shown["3.2"]["last_update"] is not None and shown["1.1"]["due_date"] == "2027-06-30"
    assert any(item["themes"] for item in answered) and any(item["open_to"] for item in answered)
    for pk in (shown["3.3"]["id"], shown["5.4"]["id"]):
        assert api.get(f"/api/v1/activities/{pk}/").json() == expected(activities[pk])
