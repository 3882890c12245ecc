import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects

from actions.models import Activity, Responsibility, Status, StatusEntry
from organizations.models import Organization
from tests.factories import ActivityFactory, ObjectiveFactory, PlanFactory, StatusEntryFactory

pytestmark = pytest.mark.django_db


def test_activity_numbers_sort_naturally_in_the_database():
    plan = PlanFactory()
    objectives = {n: ObjectiveFactory(plan=plan, number=n) for n in (1, 2, 9, 10)}
    for number in ["10.1", "1.10", "2.1", "1.9", "9.2", "1.2"]:
        ActivityFactory(objective=objectives[int(number.split(".")[0])], number=number)
    ordered = list(Activity.objects.filter(plan=plan).values_list("number", flat=True))
    assert ordered == ["1.2", "1.9", "1.10", "2.1", "9.2", "10.1"]


def test_an_activity_number_is_unique_within_a_plan_only():
    first = ActivityFactory(number="1.1")
    ActivityFactory(number="1.1")  # another plan
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(objective=first.objective, number="1.1")


def test_an_activity_number_must_belong_to_its_objective():
    activity = ActivityFactory.build(objective=ObjectiveFactory(number=3), number="4.1")
    activity.plan = activity.objective.plan
    with pytest.raises(ValidationError) as raised:
        activity.full_clean()
    assert "number" in raised.value.message_dict
    activity.number = "3.x"
    with pytest.raises(ValidationError):
        activity.full_clean()


def test_the_database_refuses_an_unknown_status():
    entry = StatusEntryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusEntry.objects.filter(pk=entry.pk).update(status="finished")
    assert StatusEntry.objects.get(pk=entry.pk).status == Status.IN_PROGRESS


def test_acronyms_are_unique_whatever_their_case():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(acronym="icao", name="Again", kind="international")


def test_the_three_shapes_of_open_to_agree_on_every_activity_and_organization():
    """ "May report on" is asked three ways: an organization's activities, an activity's
    organizations, and one pair in memory (what the permission module uses). They must agree."""
    organizations = list(Organization.objects.all())
    activities = list(
        Activity.objects.filter(plan__code="nairobi-2007").prefetch_related("responsibilities", "open_kinds")
    )
    by_organization = {o.pk: set(Activity.objects.open_to(o).values_list("pk", flat=True)) for o in organizations}
    pairs = 0
    for activity in activities:
        reporting = set(Organization.objects.reporting_on(activity).values_list("pk", flat=True))
        for organization in organizations:
            expected = activity.is_open_to(organization)
            assert (activity.pk in by_organization[organization.pk]) == expected, (activity.number, organization)
            assert (organization.pk in reporting) == expected, (activity.number, organization)
            pairs += expected
    assert pairs > len(activities)  # named organizations and the IROs of "all relevant IROs"


def test_open_to_follows_the_relations_as_they_are_read_again(icao):
    """What is kept for the permission module's many questions on one page goes with the relations it was
    read from: read again, they answer again."""
    activities = Activity.objects.filter(plan__code="nairobi-2007").prefetch_related("responsibilities", "open_kinds")
    activity = next(a for a in activities if not a.is_open_to(icao))
    Responsibility.objects.create(activity=activity, organization=icao, role="partner")
    assert not activity.is_open_to(icao)  # as prefetched: the page's one reading
    activity.refresh_from_db()
    assert activity.is_open_to(icao)  # nothing prefetched: read each time
    prefetch_related_objects([activity], "responsibilities", "open_kinds")
    assert activity.is_open_to(icao)
    activity.responsibilities.all().filter(organization=icao).delete()
    activity.refresh_from_db()
    prefetch_related_objects([activity], "responsibilities", "open_kinds")
    assert not activity.is_open_to(icao)
