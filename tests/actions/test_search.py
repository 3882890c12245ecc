"""Text search of activities (the plan page and the API's ``q``): full-text in English on PostgreSQL
(stemmed, ranked, with phrases and exclusions), each word as typed elsewhere. Each test says what
each database answers: CI runs every test on both."""

import re

import pytest
from django.db import connection
from django.test import Client

from actions.models import Activity, Plan
from tests.factories import ActivityFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


def found(api, q: str, **params) -> list[str]:
    response = api.get("/api/v1/activities/", {"plan": "nairobi-2007", "q": q, **params})
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["results"]]


def test_a_number_and_words_as_written_are_found_on_every_database(api):
    assert found(api, "3.2") == ["3.2"]
    assert found(api, "asylum refugee") == ["9.1"]
    assert set(found(api, "stolen travel documents")) == {"3.1", "3.3"}


def test_on_postgresql_any_form_of_a_word_finds_it(api):
    # "fraudulently" and "fraudulent", "enhanced" and "Enhance": the same stems in English.
    assert found(api, "fraudulently") == (["3.3"] if POSTGRESQL else [])
    assert found(api, "enhanced security") == (["3.2"] if POSTGRESQL else [])


def test_on_postgresql_a_search_takes_phrases_and_exclusions(api):
    # 3.1 and 3.3 speak of stolen travel documents; 3.2 does not.
    assert found(api, "travel documents -stolen") == (["3.2"] if POSTGRESQL else [])
    phrase = found(api, '"machine readable"')
    assert phrase == (["3.2"] if POSTGRESQL else [])


def test_the_api_lists_the_best_matches_first_on_postgresql(api):
    objective = ObjectiveFactory(plan=Plan.objects.get(code="nairobi-2007"), number=11)
    in_note = ActivityFactory(objective=objective, number="11.1", text="Other work.", note="Kestrel programme.")
    in_text = ActivityFactory(objective=objective, number="11.2", text="The kestrel programme, kestrel again.")
    numbers = found(api, "kestrel")
    if POSTGRESQL:
        assert numbers == [in_text.number, in_note.number]  # the text weighs more than a note
    else:
        assert numbers == [in_note.number, in_text.number]  # the plan's order


def test_what_is_written_later_is_found_at_once(api):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="4.1")
    activity.note = "Harmonised with the kestrel protocol."
    activity.save()
    assert found(api, "kestrel") == ["4.1"]
    Activity.objects.filter(pk=activity.pk).update(note="")
    assert found(api, "kestrel") == []


def test_the_plan_page_keeps_the_plan_s_order_for_a_search(viewer):
    client = Client()
    client.force_login(viewer)
    html = client.get("/plans/nairobi-2007/", {"q": "travel documents"}).content.decode()
    numbers = re.findall(r'data-label="No."><a href="/activities/\d+/">([\d.]+)</a>', html)
    assert numbers == ["3.1", "3.2", "3.3"]
