"""The weekly digest: who receives it, what is in it, and what each reader must not see.

An open Nairobi cycle (deadline in two weeks) and, logged this week:

- ICAO (bob): 3.2 in progress, waiting for review; 3.3 and 3.4, accepted; 5.2 delayed,
  restricted to CTED and ICAO, waiting for review. ICAO has reported on all its activities.
- WCO (charlie): 3.6 planned, waiting for review.
- IMO, logged by CTED ten days ago: 3.5 completed. Not new this week.
"""

import datetime
import re

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from actions.models import Confidentiality, StatusEntry
from organizations.models import MailPreference, Profile
from organizations.roles import Role
from tests.factories import UserFactory
from tests.helpers import backdate
from tests.notifications.mailbox import SITE, everything, html, one_to, recipients, run_job, settle, to
from tests.reports.scenario import RESTRICTED_WORD, accept, log, new_cycle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("named_only")]

ALICE, BOB, CHARLIE, VICTOR = "alice@example.org", "bob@example.org", "charlie@example.org", "victor@example.org"
SAM = "sam@example.org"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def today() -> datetime.date:
    return timezone.localdate()


def wants(user, choice: str) -> None:
    Profile.objects.update_or_create(user=user, defaults={"mail": choice})


@pytest.fixture
def week(staff, focal_point, other_focal_point, secretariat, viewer):
    cycle = new_cycle(
        secretariat,
        title="Second half 2026",
        start=today() - datetime.timedelta(days=90),
        end=today() + datetime.timedelta(days=30),
        deadline=today() + datetime.timedelta(days=14),
    )
    on = today() - datetime.timedelta(days=1)
    log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated.", reported_on=on)
    accept(log(focal_point, "3.3", "ICAO", "completed", "Guidance published.", reported_on=on), staff)
    accept(log(focal_point, "3.4", "ICAO", "completed", "Pilot finished.", reported_on=on), staff)
    log(
        focal_point,
        "5.2",
        "ICAO",
        "delayed",
        f"{RESTRICTED_WORD} assessment of screening gaps.",
        confidentiality=Confidentiality.RESTRICTED,
        reported_on=on,
    )
    log(other_focal_point, "3.6", "WCO", "planned", "Workshop scheduled.", reported_on=on)
    old = log(staff, "3.5", "IMO", "completed", "Seminar held.", reported_on=today() - datetime.timedelta(days=10))
    backdate(StatusEntry.objects.filter(pk=old.pk), timezone.now() - datetime.timedelta(days=10))
    settle()
    return cycle


def digests() -> list[EmailMessage]:
    return run_job("digest", today())


def section(message: EmailMessage, title: str) -> list[str]:
    """The ``- `` lines of one section of the text digest (up to the next blank line)."""
    body = message.body
    start = body.index(title)
    block = body[start:].split("\n\n", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("- ")]


def new_entries(message: EmailMessage) -> list[str]:
    return section(message, "New entries in the past week")


def awaiting_review(message: EmailMessage) -> list[str]:
    return [re.sub(r", logged .*$", "", line) for line in section(message, "Awaiting your review")]


def silent(message: EmailMessage) -> dict[str, list[str]]:
    """{cycle title: acronyms of the organizations that have not reported}."""
    found = {}
    for line in section(message, "Organizations that have not reported in open cycles"):
        title, acronyms = re.match(r"(.+) \(\S+, deadline [^)]*\): (.*)$", line).groups()
        found[title] = acronyms.split(", ")
    return found


# --- Who receives it ---


def test_cted_staff_and_the_secretariat_receive_the_digest_and_viewers_do_not_by_default(week):
    sent = digests()
    assert to(sent, ALICE) and to(sent, SAM) and not to(sent, VICTOR)
    # Focal points who chose nothing get reminders only.
    assert recipients(sent) == [ALICE, SAM]


def test_a_focal_point_who_chose_reminders_and_digests_receives_it(week, focal_point):
    wants(focal_point, MailPreference.REMINDERS_AND_DIGESTS)
    assert recipients(digests()) == [ALICE, BOB, SAM]


def test_a_staff_member_who_chose_reminders_only_receives_no_digest(week, staff, secretariat):
    wants(staff, MailPreference.REMINDERS)
    wants(secretariat, MailPreference.REMINDERS)
    assert digests() == []


def test_a_viewer_who_chose_digests_receives_one(week, viewer):
    wants(viewer, MailPreference.REMINDERS_AND_DIGESTS)
    assert to(digests(), VICTOR)


def test_a_user_without_an_address_or_no_longer_active_receives_none(week):
    for username, fields in (("nomail", {"email": ""}), ("gone", {"is_active": False})):
        user = UserFactory(username=username, role=Role.STAFF, **fields)
        wants(user, MailPreference.REMINDERS_AND_DIGESTS)
    assert recipients(digests()) == [ALICE, SAM]


def test_the_digest_is_sent_once_a_week(week):
    monday = today() - datetime.timedelta(days=today().weekday())
    assert recipients(run_job("digest", monday)) == [ALICE, SAM]
    assert run_job("digest", monday + datetime.timedelta(days=6)) == []
    assert recipients(run_job("digest", monday + datetime.timedelta(days=7))) == [ALICE, SAM]


# --- What is in it ---


def test_staff_digest_lists_the_new_entries_of_the_week_what_awaits_review_and_the_silent_organizations(week):
    digest = one_to(digests(), ALICE)
    assert new_entries(digest) == [
        "nairobi-2007 3.6, WCO: Planned (submitted)",
        "nairobi-2007 5.2, ICAO: Delayed (submitted)",
        "nairobi-2007 3.4, ICAO: Completed (accepted)",
        "nairobi-2007 3.3, ICAO: Completed (accepted)",
        "nairobi-2007 3.2, ICAO: In progress (submitted)",
    ]
    assert awaiting_review(digest) == ["nairobi-2007 3.2, ICAO", "nairobi-2007 5.2, ICAO", "nairobi-2007 3.6, WCO"]
    assert f"{SITE}/review/" in digest.body
    # ICAO reported on all of its activities; IMO on 3.5 only, ten days ago.
    assert silent(digest) == {"Second half 2026": ["CTC", "CTED", "IMO", "INTERPOL", "OHCHR", "UNHCR", "WCO"]}
    assert digest.subject.endswith(": 5 new entries, 3 awaiting review")


def test_a_digest_names_the_first_silent_organizations_of_a_cycle_and_counts_the_others(week, monkeypatch):
    monkeypatch.setattr("notifications.jobs.SILENT_NAMED", 3)
    digest = one_to(digests(), ALICE)
    # Seven are silent (the test above): three named, four counted; the cycle's page has them all.
    assert silent(digest) == {"Second half 2026": ["CTC", "CTED", "IMO and 4 more"]}
    assert "IMO and 4 more</li>" in html(digest)


def test_an_entry_corrected_while_awaiting_review_awaits_no_more_and_its_correction_does(week, focal_point):
    waiting = StatusEntry.objects.get(activity__number="3.2", organization__acronym="ICAO")
    on = today() - datetime.timedelta(days=1)
    log(focal_point, "3.2", "ICAO", "delayed", "Legislation postponed.", supersedes=waiting, reported_on=on)
    settle()
    digest = one_to(digests(), ALICE)
    assert awaiting_review(digest) == ["nairobi-2007 5.2, ICAO", "nairobi-2007 3.6, WCO", "nairobi-2007 3.2, ICAO"]
    assert "nairobi-2007 3.2, ICAO: Delayed (submitted)" in new_entries(digest)
    assert "nairobi-2007 3.2, ICAO: In progress (superseded by a correction)" in new_entries(digest)
    assert digest.subject.endswith(": 6 new entries, 3 awaiting review")


def test_the_new_entries_link_to_their_activities(week):
    digest = one_to(digests(), ALICE)
    assert digest.body.count(f"{SITE}/activities/") == 5
    assert html(digest).count(f'href="{SITE}/activities/') == 5


def test_an_entry_logged_before_the_week_is_not_new(week):
    assert not any("3.5" in line for line in new_entries(one_to(digests(), ALICE)))


def test_a_focal_point_of_another_organization_never_sees_the_restricted_entry(week, other_focal_point):
    wants(other_focal_point, MailPreference.REMINDERS_AND_DIGESTS)
    digest = one_to(digests(), CHARLIE)
    assert "nairobi-2007 3.2, ICAO: In progress (submitted)" in new_entries(digest)
    assert not any("5.2" in line for line in new_entries(digest))
    assert "5.2" not in everything(digest)
    assert RESTRICTED_WORD not in everything(digest)
    assert digest.subject.endswith(": 4 new entries")


@pytest.mark.parametrize("reader", ["focal_point", "staff"])
def test_the_reporting_organization_and_staff_see_the_restricted_entry_listed(week, request, reader):
    user = request.getfixturevalue(reader)
    wants(user, MailPreference.REMINDERS_AND_DIGESTS)
    digest = one_to(digests(), user.email)
    assert "nairobi-2007 5.2, ICAO: Delayed (submitted)" in new_entries(digest)


def test_a_focal_point_reads_only_how_many_of_their_own_organizations_entries_await_review(week, other_focal_point):
    # Waiting for review: ICAO's 3.2 and 5.2 (restricted), WCO's 3.6. Charlie is WCO's focal point.
    wants(other_focal_point, MailPreference.REMINDERS_AND_DIGESTS)
    digest = one_to(digests(), CHARLIE)
    assert "Awaiting your review" not in digest.body
    assert "Your organization's entries awaiting CTED's review: 1" in digest.body


def test_a_digest_run_reads_as_many_queries_for_many_readers_as_for_few(week):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.jobs import send_digests
    from notifications.models import Reminder

    def readers(count: int, start: int) -> None:
        for n in range(start, start + count):
            role = [Role.STAFF, Role.VIEWER, Role.FOCAL_POINT][n % 3]
            extra = {"organization": organization_of(n)} if role == Role.FOCAL_POINT else {}
            wants(
                UserFactory(username=f"reader{n}", email=f"reader{n}@example.org", role=role, **extra),
                "reminders_and_digests",
            )

    def queries() -> int:
        Reminder.objects.filter(step="digest").delete()
        with CaptureQueriesContext(connection) as captured:
            send_digests(today())
        return len(captured)

    readers(6, 0)
    few = queries()
    readers(30, 6)
    assert queries() == few
    assert Reminder.objects.filter(step="digest", recipient__startswith="reader").count() == 36


def organization_of(n: int):
    from organizations.models import Organization

    return Organization.objects.get(acronym=["ICAO", "WCO"][n % 2])


def test_readers_of_one_edition_share_one_stored_body_and_each_receives_it_whole(week, staff, secretariat):
    from notifications.models import MailBody, Reminder

    colleagues = [f"colleague{n}@example.org" for n in range(3)]
    wants(staff, MailPreference.REMINDERS_AND_DIGESTS)
    for n, address in enumerate(colleagues):
        wants(
            UserFactory(username=f"colleague{n}", email=address, role=Role.STAFF), MailPreference.REMINDERS_AND_DIGESTS
        )
    messages = digests()
    written = Reminder.objects.filter(step="digest", recipient__in=[staff.email, *colleagues])
    assert written.count() == 4
    assert written.values("body").distinct().count() == 1  # CTED staff read alike: one edition
    # Stored once is not shared by readers who may read different things: the secretariat's differs.
    assert Reminder.objects.get(step="digest", recipient=secretariat.email).body_id != written.first().body_id
    assert MailBody.objects.count() == Reminder.objects.values("body").distinct().count()
    sent = [one_to(messages, address) for address in (staff.email, *colleagues)]
    assert "nairobi-2007 3.6, WCO: Planned (submitted)" in sent[0].body
    assert {message.body for message in sent} == {sent[0].body}
    assert {html(message) for message in sent} == {html(sent[0])}
