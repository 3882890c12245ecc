"""The profile page where a person chooses what we e-mail them, and the digest following that choice."""

import datetime
import re

import pytest
from django.utils import timezone

from organizations.models import MailPreference, Profile
from tests.notifications.mailbox import SITE, recipients, run_job, settle
from tests.reports.scenario import log, new_cycle, signed_in

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def choices(response) -> dict[str, bool]:
    """{value: checked} of the radio buttons on the page."""
    html = response.content.decode()
    found = re.findall(r'<input type="radio" name="mail" value="([^"]+)"([^>]*)>', html)
    return {value: bool(re.search(r"\bchecked\b", attributes)) for value, attributes in found}


def choose(user, value: str):
    return signed_in(user).post(PROFILE, {"mail": value})


@pytest.fixture
def something_new(staff, focal_point, secretariat):
    """An entry logged this week, so that a digest has something to say."""
    today = timezone.localdate()
    new_cycle(
        secretariat,
        title="Now",
        start=today - datetime.timedelta(days=30),
        end=today + datetime.timedelta(days=30),
        deadline=today + datetime.timedelta(days=14),
    )
    log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated.", reported_on=today)
    settle()


def digest_recipients() -> list[str]:
    return recipients(run_job("digest", timezone.localdate()))


def test_the_page_shows_both_choices_with_the_current_one_checked(staff, focal_point):
    staff_page, focal_point_page = signed_in(staff).get(PROFILE), signed_in(focal_point).get(PROFILE)
    assert staff_page.status_code == focal_point_page.status_code == 200
    for page in (staff_page, focal_point_page):
        assert "Reminders only" in page.content.decode()
        assert "Reminders and digests" in page.content.decode()
        # Two choices, each beside its words, under the question; no empty third one.
        assert "---------" not in page.content.decode()
        assert page.content.decode().count('type="radio"') == 2
        assert "<legend>E-mail me</legend>" in page.content.decode()
        # The question's help text is read with it: the group names it, and it carries that id.
        assert 'aria-describedby="id_mail_helptext"' in page.content.decode()
        assert '<small id="id_mail_helptext">Reminders before' in page.content.decode()
    # The default: CTED staff get digests, focal points reminders only.
    assert choices(staff_page) == {"reminders": False, "reminders_and_digests": True}
    assert choices(focal_point_page) == {"reminders": True, "reminders_and_digests": False}


def test_saving_a_choice_changes_what_the_page_shows_and_the_profile(focal_point):
    response = choose(focal_point, MailPreference.REMINDERS_AND_DIGESTS)
    assert response.status_code == 302 and response.url == PROFILE
    assert Profile.objects.get(user=focal_point).mail == MailPreference.REMINDERS_AND_DIGESTS
    assert choices(signed_in(focal_point).get(PROFILE)) == {"reminders": False, "reminders_and_digests": True}
    choose(focal_point, MailPreference.REMINDERS)
    assert Profile.objects.get(user=focal_point).mail == MailPreference.REMINDERS
    assert Profile.objects.filter(user=focal_point).count() == 1


@pytest.mark.parametrize("value", ["weekly", "", "REMINDERS"])
def test_a_bad_choice_is_a_400_and_changes_nothing(focal_point, value):
    response = choose(focal_point, value)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Profile.objects.filter(user=focal_point).exists()


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.post(PROFILE, {"mail": "reminders"}).status_code == 302
    assert not Profile.objects.exists()


def test_the_digest_follows_the_choice_made_on_the_page(something_new, staff, secretariat, focal_point, viewer):
    assert digest_recipients() == ["alice@example.org", "sam@example.org"]
    choose(focal_point, MailPreference.REMINDERS_AND_DIGESTS)
    choose(staff, MailPreference.REMINDERS)
    choose(secretariat, MailPreference.REMINDERS)
    choose(viewer, MailPreference.REMINDERS_AND_DIGESTS)
    settle()
    # The digest of the same week was already written for alice: the next week's follows the new choices.
    assert recipients(run_job("digest", timezone.localdate() + datetime.timedelta(days=7))) == [
        "bob@example.org",
        "victor@example.org",
    ]
