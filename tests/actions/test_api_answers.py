"""The activity detail API's answers kept in the cache (actions/api/answers.py, actions/generation.py):
read once, then served from the cache, per readership, and never after anything they are read from
has changed."""

import pytest
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions import generation
from actions.models import Activity, Confidentiality, Responsibility, Theme
from organizations.models import Organization
from tests.conftest import token_client
from tests.helpers import page_client
from tests.reports.scenario import accept, log, nairobi

pytestmark = pytest.mark.django_db


def detail(client, activity: Activity) -> tuple[dict, int]:
    """The answer and how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/activities/{activity.pk}/")
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


def test_a_second_ask_is_answered_from_the_cache_with_the_token_query_alone(api):
    activity = nairobi("3.2")
    first, read = detail(api, activity)
    again, kept = detail(api, activity)
    assert again == first
    assert (read, kept) == (5, 1)


def test_nothing_is_kept_when_answers_are_not_kept(api, settings):
    settings.API_ANSWERS_KEPT = False
    activity = nairobi("3.2")
    assert detail(api, activity)[1] == detail(api, activity)[1] == 5


def test_an_accepted_entry_shows_at_once(api, focal_point, staff):
    activity = nairobi("3.2")
    assert detail(api, activity)[0]["status"] is None
    accept(log(focal_point, "3.2", "ICAO", "completed", "Model legislation adopted."), staff)
    answer = detail(api, activity)[0]
    assert answer["status"] == "completed" and answer["last_update"] is not None


def test_each_readership_gets_its_own_answer(api, focal_point, other_focal_point, staff):
    # ICAO files in confidence: CTED staff and ICAO read its status, WCO and viewers do not.
    accept(
        log(focal_point, "3.2", "ICAO", "delayed", "Held up.", confidentiality=Confidentiality.RESTRICTED),
        staff,
    )
    activity = nairobi("3.2")
    icao, wco, cted = (token_client(user) for user in (focal_point, other_focal_point, staff))
    assert detail(icao, activity)[0]["status"] == "delayed"
    assert detail(wco, activity)[0]["status"] is None
    assert detail(api, activity)[0]["status"] is None
    assert detail(cted, activity)[0]["status"] == "delayed"
    # And again, now from the cache: still each their own.
    assert [detail(c, activity)[0]["status"] for c in (icao, wco, api, cted)] == ["delayed", None, None, "delayed"]


def test_a_changed_text_theme_or_organization_shows_at_once(api):
    activity = nairobi("3.2")
    assert "border-security" not in detail(api, activity)[0]["themes"]
    activity.text = "Reworded by the admin."
    activity.save()
    assert detail(api, activity)[0]["text"] == "Reworded by the admin."
    theme = Theme.objects.create(slug="border-security", name="Border security")
    activity.themes.add(theme)
    assert "border-security" in detail(api, activity)[0]["themes"]
    assert "WCO" not in detail(api, activity)[0]["organizations"]
    Responsibility.objects.create(activity=activity, organization=Organization.objects.get(acronym="WCO"))
    assert "WCO" in detail(api, activity)[0]["organizations"]
    wco = Organization.objects.get(acronym="WCO")
    wco.acronym = "WCO-OMD"
    wco.save()
    assert "WCO-OMD" in detail(api, activity)[0]["organizations"]


def test_a_generation_lost_from_the_cache_is_never_an_old_one(api):
    activity = nairobi("3.2")
    detail(api, activity)
    cache.delete(generation.GENERATION_KEY)
    Activity.objects.filter(pk=activity.pk).update(text="Changed without a signal.")  # as in a shell
    assert detail(api, activity)[0]["text"] == "Changed without a signal."


def test_the_generation_moves_on_at_the_change_and_again_once_it_commits(django_capture_on_commit_callbacks):
    before = generation.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Theme.objects.create(slug="kept", name="Kept")
        assert generation.generation() == before + 1
    assert len(callbacks) == 1
    assert generation.generation() == before + 2


def test_an_unknown_activity_is_a_404_and_nothing_is_kept(api):
    assert api.get("/api/v1/activities/999999/").status_code == 404
    assert api.get("/api/v1/activities/999999/").status_code == 404


def test_a_list_of_activities_is_counted_once_per_generation(api, focal_point):
    from django.utils import timezone

    url = f"/api/v1/activities/?updated_since={timezone.localdate().isoformat()}"
    assert api.get(url).json()["count"] == 0
    with CaptureQueriesContext(connection) as counted_again:
        assert api.get(url).json()["count"] == 0
    assert not [q for q in counted_again.captured_queries if "COUNT(" in q["sql"]]
    log(focal_point, "3.2", "ICAO", "in_progress", "Circulated.")
    assert api.get(url).json()["count"] == 1


def test_without_kept_answers_a_list_of_activities_is_counted_each_time(api, settings):
    settings.API_ANSWERS_KEPT = False
    api.get("/api/v1/activities/?plan=nairobi-2007")
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/activities/?plan=nairobi-2007")
    assert [q for q in queries.captured_queries if "COUNT(" in q["sql"]]


def test_an_answer_kept_under_an_older_generation_is_read_again(api):
    activity = nairobi("3.2")
    detail(api, activity)
    Activity.objects.filter(pk=activity.pk).update(text="Changed without a signal.")
    assert detail(api, activity)[0]["text"] != "Changed without a signal."  # kept: nothing said it changed
    generation.move_on()
    assert detail(api, activity)[0]["text"] == "Changed without a signal."


def test_an_answer_asked_with_a_format_suffix_keeps_its_own_link(api):
    activity = nairobi("3.2")
    with_suffix = api.get(f"/api/v1/activities/{activity.pk}.json").json()
    plain = detail(api, activity)[0]
    assert with_suffix["url"].endswith(f"/activities/{activity.pk}.json")
    assert plain["url"].endswith(f"/activities/{activity.pk}/")
    assert api.get(f"/api/v1/activities/{activity.pk}.json").json()["url"] == with_suffix["url"]


class UnreachableCache(BaseCache):
    """A cache whose server does not answer: every call raises, as Django's RedisCache does."""

    def __init__(self, location, params):
        super().__init__(params)

    def _fail(self, *args, **kwargs):
        raise ConnectionError("Connection refused")

    add = get = set = delete = incr = get_many = set_many = get_or_set = clear = touch = has_key = _fail


def test_with_the_cache_unreachable_answers_and_counts_are_computed_and_writes_go_through(
    api, focal_point, staff, settings, caplog
):
    settings.CACHES = {"default": {"BACKEND": "tests.actions.test_api_answers.UnreachableCache"}}
    activity = nairobi("3.3")
    assert detail(api, activity)[0]["status"] is None
    accept(log(focal_point, "3.3", "ICAO", "completed", "Guidance published."), staff)  # no error
    assert detail(api, activity)[0]["status"] == "completed"
    listed = api.get("/api/v1/activities/", {"plan": "nairobi-2007", "status": "completed"}).json()
    assert listed["count"] == 1
    assert api.get("/api/v1/status-entries/").json()["count"] == 1
    home = page_client(focal_point).get("/")
    assert home.status_code == 200 and home.context["to_report_count"] >= 0
    assert "did not move on" in caplog.text and "without the cache" in caplog.text


def test_only_what_answers_are_read_from_moves_the_generation_on(focal_point):
    from organizations.models import MailPreference, Profile

    before = generation.generation()
    Profile.objects.update_or_create(user=focal_point, defaults={"mail": MailPreference.REMINDERS_AND_DIGESTS})
    assert generation.generation() == before  # whom one reads for is in each key, not in what is kept
    wco = Organization.objects.get(acronym="WCO")
    wco.name = "World Customs Organization (renamed)"
    wco.save()
    assert generation.generation() > before
