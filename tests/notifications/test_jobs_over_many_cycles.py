"""The reminder and digest runs read who has not reported in every open cycle at once: their
queries do not grow with the open cycles, and what they find is what each cycle finds alone."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Participation
from actions.services import status_entry_log
from notifications.jobs import send_cycle_reminders, send_digests
from notifications.models import Reminder
from organizations.models import MailPreference, Profile
from reports.models import StocktakingCycle, silent_now, unreported_now
from reports.services import cycle_create
from tests.factories import ActivityFactory, ObjectiveFactory, ResponsibilityFactory

pytestmark = pytest.mark.django_db


def open_cycle_on_a_new_plan(author, icao, wco) -> StocktakingCycle:
    """A plan of three activities naming ICAO, WCO taking part by kind on one, and its open cycle
    whose deadline is ten days away (a reminder is due)."""
    objective = ObjectiveFactory(number=1)
    for _ in range(3):
        ResponsibilityFactory(activity=ActivityFactory(objective=objective), organization=icao, role="lead")
    open_to_all = ActivityFactory(objective=objective)
    open_to_all.open_kinds.create(kind=wco.kind)
    Participation.objects.create(plan=objective.plan, organization=wco, joined_on=datetime.date(2024, 1, 1))
    today = timezone.localdate()
    return cycle_create(
        plan=objective.plan,
        title="Review",
        period_start=today - datetime.timedelta(days=60),
        period_end=today + datetime.timedelta(days=5),
        deadline=today + datetime.timedelta(days=10),
        author=author,
        open_now=True,
    )


def run_queries(job) -> int:
    Reminder.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        job(timezone.localdate())
    return len(captured)


def test_the_runs_cost_as_many_queries_with_six_open_cycles_as_with_one(
    secretariat, icao, wco, focal_point, other_focal_point
):
    for person in (focal_point, other_focal_point, secretariat):
        Profile.objects.update_or_create(user=person, defaults={"mail": MailPreference.REMINDERS_AND_DIGESTS})
    open_cycle_on_a_new_plan(secretariat, icao, wco)
    one = {job: run_queries(job) for job in (send_cycle_reminders, send_digests)}
    for _ in range(5):
        open_cycle_on_a_new_plan(secretariat, icao, wco)
    six = {job: run_queries(job) for job in (send_cycle_reminders, send_digests)}
    assert six == one

    Reminder.objects.all().delete()
    send_cycle_reminders(timezone.localdate())
    # Bob for ICAO and Charlie for WCO, in each of the six cycles.
    assert Reminder.objects.filter(step="before-14").count() == 12
    bobs = Reminder.objects.filter(step="before-14", recipient=focal_point.email)
    assert bobs.values("cycle").distinct().count() == 6


def test_who_has_not_reported_is_the_same_read_together_as_cycle_by_cycle(
    secretariat, staff, icao, wco, focal_point, other_focal_point
):
    cycles = [open_cycle_on_a_new_plan(secretariat, icao, wco) for _ in range(3)]
    first = list(cycles[0].plan.activities.order_by("number"))
    for author, activity, organization in [(focal_point, first[0], icao), (other_focal_point, first[3], wco)]:
        status_entry_log(
            activity=activity,
            organization=organization,
            author=author,
            status="ongoing",
            observations="Under way.",
            reported_on=timezone.localdate(),
        )
    together = unreported_now(cycles)
    assert [together[c.pk] for c in cycles] == [c.unreported() for c in cycles]
    # The digest's silent organizations are the same, without their activities.
    assert silent_now(cycles) == {c.pk: list(c.unreported()) for c in cycles}
    assert {o.acronym: [a.number for a in activities] for o, activities in together[cycles[0].pk].items()} == {
        "ICAO": ["1.2", "1.3"]
    }
