"""Every field of the API's status entries, for every reader, is what DRF's field by field walk of the
declared fields writes (the serializer writes them directly)."""

import pytest
from django.test import RequestFactory
from rest_framework import serializers

from actions.api.serializers import StatusEntrySerializer
from actions.api.views import StatusEntryViewSet
from tests.conftest import token_client
from tests.reports.scenario import populate

pytestmark = pytest.mark.django_db


def walked(user) -> list[dict]:
    """The entries ``user`` may read, as the API's queryset holds them, written by DRF's own walk."""
    request = RequestFactory().get("/api/v1/status-entries/")
    request.user = user
    view = StatusEntryViewSet(request=request, format_kwarg=None, action="list")
    serializer = StatusEntrySerializer(context={"request": request})
    return [serializers.ModelSerializer.to_representation(serializer, entry) for entry in view.get_queryset()]


def test_every_entry_of_the_list_and_its_detail_is_what_the_declared_fields_write(
    staff, focal_point, other_focal_point, viewer
):
    populate(staff, focal_point, other_focal_point)
    for user in (staff, focal_point, other_focal_point, viewer):
        client = token_client(user)
        expected = walked(user)
        answered = client.get("/api/v1/status-entries/").json()["results"]
        assert answered == expected, user.username
        assert client.get(f"/api/v1/status-entries/{expected[0]['id']}/").json() == expected[0]
    # The scenario holds what every field may be: reviews that accept and return, a correction and
    # the entry it replaced, a restricted entry hidden from another organization.
    entries = walked(staff)
    assert {review["decision"] for entry in entries for review in entry["reviews"]} == {"accept", "return"}
    assert any(entry["supersedes"] for entry in entries) and any(entry["superseded_by"] for entry in entries)
    assert len(walked(other_focal_point)) == len(entries) - 1
