"""The reminders job: who is reminded of what before and after a stocktaking cycle's deadline.

The cycle is the Nairobi plan's first half of 2025, deadline 15 July 2025. Before the job runs:

- ICAO (bob, ines) reported on 3.2, and on 5.2 restricted to CTED and ICAO: 3.3 and 3.4 are left
- WCO (charlie) reported on 3.6 but CTED returned it, on 3.7 for November 2024 (before the
  period), and on 3.8: 3.6, 3.7 and 5.3 are left
- INTERPOL (ivan) reported on all of its 3.1, 3.3 and 5.4: nothing is left
- IMO (mia) did not report: 3.5 and 5.4 are left
- UNHCR's focal point is no longer active; OHCHR's has no e-mail address
"""

import datetime

import pytest

from actions.models import Confidentiality
from notifications.models import Reminder
from organizations.services import language_choose
from reports.services import cycle_close
from tests.notifications.mailbox import (
    SITE,
    activity_links,
    add_focal_point,
    html,
    listed_activities,
    one_to,
    recipients,
    run_job,
    settle,
    to,
)
from tests.reports.scenario import DEADLINE, accept, give_back, log, nairobi, new_cycle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("named_only")]

BOB, INES, CHARLIE, MIA, IVAN = (
    "bob@example.org",
    "ines@icao.example.org",
    "charlie@example.org",
    "mia@imo.example.org",
    "ivan@interpol.example.org",
)
# What each focal point is reminded of 14 days before the deadline.
LEFT = {
    BOB: ["3.3", "3.4"],
    INES: ["3.3", "3.4"],
    CHARLIE: ["3.6", "3.7", "5.3"],
    MIA: ["3.5", "5.4"],
}


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.SITE_URL = SITE
    settings.REMINDER_DAYS_BEFORE = [14, 7, 1]
    settings.REMINDER_OVERDUE_MAX = 3


@pytest.fixture
def directory(focal_point, other_focal_point):
    add_focal_point("ICAO", "Ines")
    add_focal_point("IMO", "Mia")
    add_focal_point("INTERPOL", "Ivan")
    add_focal_point("UNHCR", "Una", is_active=False)
    add_focal_point("OHCHR", "Omar", email="")


@pytest.fixture
def cycle(directory, staff, focal_point, other_focal_point, secretariat):
    cycle = new_cycle(secretariat)
    accept(log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated."), staff)
    log(
        focal_point,
        "5.2",
        "ICAO",
        "delayed",
        "Assessment of screening gaps at three airports.",
        confidentiality=Confidentiality.RESTRICTED,
    )
    give_back(log(other_focal_point, "3.6", "WCO", "planned", "Workshop scheduled."), staff)
    log(other_focal_point, "3.7", "WCO", "planned", "Programme drafted.", reported_on=datetime.date(2024, 11, 30))
    accept(log(other_focal_point, "3.8", "WCO", "in_progress", "Trainers recruited."), staff)
    for number in ("3.1", "3.3", "5.4"):
        log(staff, number, "INTERPOL", "ongoing", "I-24/7 extended to two more border posts.")
    settle()
    return cycle


def reminders_on(day: datetime.date):
    return run_job("reminders", day)


# --- Who is reminded of what ---


def test_fourteen_days_before_the_deadline_each_focal_point_with_activities_left_gets_one_reminder(cycle):
    sent = reminders_on(DEADLINE - days(14))
    # INTERPOL reported on everything; UNHCR's focal point is inactive, OHCHR's has no address;
    # CTED staff, the secretariat and the viewer are no focal points.
    assert recipients(sent) == sorted(LEFT)
    for address, numbers in LEFT.items():
        reminder = one_to(sent, address)
        assert listed_activities(reminder) == numbers, address
        expected_links = [f"{SITE}/activities/{nairobi(number).pk}/" for number in numbers]
        assert activity_links(reminder.body) == expected_links
        assert activity_links(html(reminder)) == expected_links
        assert "First half 2025" in reminder.subject
        assert "15 July 2025, in 14 days" in reminder.body


def test_the_reminder_says_which_organization_and_how_many_activities_are_left(cycle):
    sent = reminders_on(DEADLINE - days(14))
    assert one_to(sent, CHARLIE).subject == "WCO has 3 activities to report on for First half 2025"
    assert one_to(sent, BOB).subject == "ICAO has 2 activities to report on for First half 2025"


def test_an_organizations_focal_points_get_one_reminder_addressed_to_them_all_stored_once(cycle):
    sent = reminders_on(DEADLINE - days(14))
    assert one_to(sent, BOB).body == one_to(sent, INES).body
    assert one_to(sent, BOB).body.startswith("Dear focal points of ICAO,")
    assert "Dear focal points of WCO," in html(one_to(sent, CHARLIE))
    icao = Reminder.objects.filter(recipient__in=[BOB, INES], step="before-14")
    assert icao.count() == 2 and icao.values("body").distinct().count() == 1


def test_an_organization_that_reported_on_all_its_activities_is_not_reminded(cycle):
    assert to(reminders_on(DEADLINE - days(14)), IVAN) == []


def test_a_returned_entry_does_not_count_as_reported(cycle):
    assert "3.6" in listed_activities(one_to(reminders_on(DEADLINE - days(14)), CHARLIE))


def test_an_entry_reporting_on_a_day_before_the_period_does_not_count(cycle):
    assert "3.7" in listed_activities(one_to(reminders_on(DEADLINE - days(14)), CHARLIE))


def test_a_restricted_entry_counts_as_reported(cycle):
    # ICAO did report on 5.2, even if only CTED may read it.
    assert "5.2" not in listed_activities(one_to(reminders_on(DEADLINE - days(14)), BOB))


def test_inactive_focal_points_and_focal_points_without_an_address_get_nothing(cycle):
    sent = reminders_on(DEADLINE - days(14))
    assert not any(address.startswith(("una@", "omar@")) or address == "" for address in recipients(sent))
    assert set(recipients(sent)) == set(LEFT)


def test_the_list_shrinks_as_the_organization_reports(cycle, focal_point):
    assert listed_activities(one_to(reminders_on(DEADLINE - days(14)), BOB)) == ["3.3", "3.4"]
    log(focal_point, "3.3", "ICAO", "completed", "Guidance published.")
    settle()
    assert listed_activities(one_to(reminders_on(DEADLINE - days(7)), BOB)) == ["3.4"]
    log(focal_point, "3.4", "ICAO", "completed", "Pilot finished.")
    settle()
    last = reminders_on(DEADLINE - days(1))
    assert to(last, BOB) == [] and to(last, INES) == []
    assert listed_activities(one_to(last, CHARLIE)) == LEFT[CHARLIE]


@pytest.mark.parametrize("state", ["planned", "closed"])
def test_a_planned_or_closed_cycle_sends_no_reminders(directory, secretariat, state):
    cycle = new_cycle(secretariat, open_now=state == "closed")
    if state == "closed":
        cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    settle()
    for offset in (14, 7, 1, 0, -1, -8):
        assert reminders_on(DEADLINE - days(offset)) == [], offset


# --- When: the steps before and after the deadline ---


def days_reminded(address: str, first: int = -20, last: int = 40) -> dict[int, str]:
    """Run the job every day from ``first`` to ``last`` days from the deadline: {day: subject} of each reminder."""
    received = {}
    for offset in range(first, last + 1):
        sent = to(reminders_on(DEADLINE + days(offset)), address)
        assert len(sent) <= 1, offset
        if sent:
            received[offset] = sent[0].subject
    return received


@pytest.mark.parametrize(
    ("days_before", "overdue_max", "expected"),
    [
        ([14, 7, 1], 3, [-14, -7, -1, 1, 8, 15]),
        ([10, 3], 1, [-10, -3, 1]),
        ([5], 0, [-5]),
    ],
)
def test_reminders_come_on_the_configured_days_before_and_weekly_after_the_deadline(
    cycle, settings, days_before, overdue_max, expected
):
    settings.REMINDER_DAYS_BEFORE = days_before
    settings.REMINDER_OVERDUE_MAX = overdue_max
    received = days_reminded(BOB)
    assert sorted(received) == expected
    for offset, subject in received.items():
        assert subject.startswith("Overdue: ") == (offset > 0), (offset, subject)


def test_an_overdue_reminder_says_how_late_it_is(cycle):
    reminder = one_to(reminders_on(DEADLINE + days(8)), MIA)
    assert reminder.subject == "Overdue: IMO has 2 activities to report on for First half 2025"
    assert "15 July 2025, 8 days ago" in reminder.body
    assert listed_activities(reminder) == LEFT[MIA]


def test_a_missed_run_is_caught_up_once(cycle):
    # The job did not run on the 14th day before; the next run sends the step once, the one after nothing.
    assert recipients(reminders_on(DEADLINE - days(12))) == sorted(LEFT)
    assert reminders_on(DEADLINE - days(11)) == []


# --- One person, focal point of two organizations ---


def test_a_person_who_is_focal_point_of_two_organizations_is_reminded_of_both(cycle):
    # One mailbox answers for IMO and for UNHCR (UNHCR's other focal point is inactive).
    add_focal_point("UNHCR", "Mia", email=MIA)
    received = to(reminders_on(DEADLINE - days(14)), MIA)
    listed = sorted(number for reminder in received for number in listed_activities(reminder))
    assert listed == ["3.5", "5.4", "8.2", "9.1", "9.2"], [m.subject for m in received]


def test_a_focal_point_who_reads_french_is_reminded_in_french_and_the_others_in_english(cycle, focal_point):
    language_choose(user=focal_point, language="fr")  # bob, of ICAO; ines, of ICAO too, chose nothing
    sent = reminders_on(DEADLINE - days(14))
    french, english = one_to(sent, BOB), one_to(sent, INES)
    assert french.subject == "ICAO doit rendre compte de 2 activités pour le cycle First half 2025"
    assert french.body.startswith("Mesdames et Messieurs les points focaux de ICAO,")
    # The days in French, as French writes them; the links as in English.
    assert "est le 15 juillet 2025, dans 14 jours." in french.body
    assert "pour la période du 1 janvier 2025 au 30 juin 2025\u00a0:" in french.body
    assert activity_links(french.body) == activity_links(english.body)
    assert '<html lang="fr" dir="ltr">' in html(french) and "classeur de votre organisation</a>" in html(french)
    assert english.body.startswith("Dear focal points of ICAO,") and "15 July 2025, in 14 days" in english.body
    # Each language's reminder stored once for the organization's focal points who read it.
    assert Reminder.objects.filter(recipient__in=[BOB, INES], step="before-14").values("body").distinct().count() == 2


def test_an_overdue_reminder_in_french_says_so_with_the_days_since(cycle, focal_point):
    language_choose(user=focal_point, language="fr")
    french = one_to(reminders_on(DEADLINE + days(1)), BOB)
    assert french.subject.startswith("En retard\u00a0: ICAO doit rendre compte de 2 activités")
    assert "était le 15 juillet 2025, il y a 1 jour." in french.body
