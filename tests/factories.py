import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from actions.models import Activity, Confidentiality, Objective, Plan, Responsibility, ReviewState, Status, StatusEntry
from organizations.models import FocalPoint, Organization, OrganizationKind
from organizations.roles import GROUP_NAMES, Role, ensure_role_groups


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["acronym"]

    acronym = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.LazyAttribute(lambda o: f"Organization {o.acronym}")
    kind = OrganizationKind.REGIONAL


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"plan-{n}")
    title = factory.Sequence(lambda n: f"Plan of action {n}")
    adopted_on = datetime.date(2020, 1, 1)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Faker("sentence")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    objective = factory.SubFactory(ObjectiveFactory)
    plan = factory.LazyAttribute(lambda a: a.objective.plan)
    text = factory.Faker("sentence")

    @factory.lazy_attribute
    def number(self):
        taken = Activity.objects.filter(objective=self.objective).count()
        return f"{self.objective.number}.{taken + 1}"


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    activity = factory.SubFactory(ActivityFactory)
    organization = factory.SubFactory(OrganizationFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def role(user, create, role, **kwargs):
        if role:
            ensure_role_groups()
            user.groups.add(Group.objects.get(name=GROUP_NAMES[Role(role)]))
            if role == Role.STAFF:
                user.is_staff = True
                user.save(update_fields=["is_staff"])

    @factory.post_generation
    def organization(user, create, organization, **kwargs):
        if organization:
            FocalPoint.objects.create(organization=organization, name=user.username, email=user.email, user=user)


class StatusEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusEntry

    activity = factory.SubFactory(ActivityFactory)
    organization = factory.SubFactory(OrganizationFactory)
    status = Status.IN_PROGRESS
    observations = factory.Faker("paragraph")
    reported_on = datetime.date(2026, 6, 30)
    author = factory.SubFactory(UserFactory)
    confidentiality = Confidentiality.PARTICIPANTS
    review_state = ReviewState.ACCEPTED
